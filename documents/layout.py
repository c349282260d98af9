"""Page, styles and paragraph helpers shared by the templates of build_templates.py, after GB/T 9704-2012
(党政机关公文格式): A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 2号 (22 pt)
方正小标宋简体, centred; body 3号 (16 pt) 仿宋_GB2312, 28.9 pt fixed line spacing (22 lines a page);
first-level headings 黑体, second-level 楷体_GB2312; page numbers 4号 宋体 "— 1 —". Where a font is missing,
Word and LibreOffice take the alternative the font table names (宋体, 仿宋, 楷体).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT, BODY_FONT, HEI, KAI, SONG = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
ALT_NAMES = {TITLE_FONT: SONG, BODY_FONT: "仿宋", KAI: "楷体", HEI: "SimHei", SONG: "SimSun"}
LINE = Pt(28.9)  # 22 lines on the type area of 225 mm
BODY, TABLE = 16, 10.5  # 3号 body; 五号 in tables
INDENT = Pt(2 * BODY)  # two characters
FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def _fonts(element: Any, name: str, size: float) -> None:
    """Set every script's font (eastAsia included, which python-docx's font.name leaves alone) and the size."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), name)
    for tag in ("w:sz", "w:szCs"):
        found = rpr.find(qn(tag))
        if found is None:
            found = OxmlElement(tag)
            rpr.append(found)
        found.set(qn("w:val"), str(int(size * 2)))


def _chinese(style: Any) -> None:
    """Mark text as Simplified Chinese, so that a substitute font takes its Chinese forms."""
    rpr = style.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)


def _off_grid(style: Any) -> None:
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    style.element.get_or_add_pPr().find(qn("w:spacing")).addprevious(snap)  # the schema's order


def _style(doc: Any, name: str, font: str, size: float, **layout: Any) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH) if name not in doc.styles else doc.styles[name]
    if name != "Normal":
        style.base_style = doc.styles["Normal"]
        style.quick_style = True
    _fonts(style.element, font, size)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = layout.get("line", LINE)
    fmt.space_before = layout.get("before", Pt(0))
    fmt.space_after = layout.get("after", Pt(0))
    fmt.first_line_indent = layout.get("indent", Pt(0))
    fmt.right_indent = layout.get("right", Pt(0))
    fmt.left_indent = layout.get("left", Pt(0))
    fmt.alignment = layout.get("align", WD_ALIGN_PARAGRAPH.JUSTIFY)
    fmt.widow_control = False


def _styles(doc: Any) -> None:
    _style(doc, "Normal", BODY_FONT, BODY)
    _chinese(doc.styles["Normal"])
    _style(doc, "公文标题", TITLE_FONT, 22, after=LINE, align=WD_ALIGN_PARAGRAPH.CENTER)
    _off_grid(doc.styles["公文标题"])  # a 2号 line is one line, not two lines of the 3号 grid
    _style(doc, "案号", BODY_FONT, BODY, align=WD_ALIGN_PARAGRAPH.RIGHT, after=Pt(0))
    _style(doc, "正文", BODY_FONT, BODY, indent=INDENT)
    _style(doc, "顶格", BODY_FONT, BODY)
    _style(doc, "一级标题", HEI, BODY, indent=INDENT)
    _style(doc, "二级标题", KAI, BODY, indent=INDENT)
    for heading in ("一级标题", "二级标题"):  # a heading never ends a page, away from what it heads
        doc.styles[heading].paragraph_format.keep_with_next = True
    _style(doc, "落款", BODY_FONT, BODY, align=WD_ALIGN_PARAGRAPH.RIGHT, right=INDENT)
    _style(doc, "表格文字", BODY_FONT, TABLE, line=Pt(16), align=WD_ALIGN_PARAGRAPH.CENTER)
    _style(doc, "版记", BODY_FONT, 14, left=Pt(14), indent=Pt(0))
    _style(doc, "页码", SONG, 14, align=WD_ALIGN_PARAGRAPH.CENTER)


def _page(doc: Any) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(15), Mm(23)  # page number ~7 mm below the type area
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE.pt * 20)))
    footer = section.footer.paragraphs[0]
    footer.style = doc.styles["页码"]
    footer.add_run("— ")
    _page_field(footer)
    footer.add_run(" —")


def _page_field(paragraph: Any) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _font_table(doc: Any) -> None:
    """Name each Chinese font in the font table with the alternative to use where it is not installed."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{"modern" if name == HEI else "roman"}"/><w:pitch w:val="variable"/></w:font>'
        for name, alt in ALT_NAMES.items()
    )
    blob = part.blob.decode("utf-8")
    part._blob = blob.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def new_document(title: str) -> Any:
    doc = Document()
    _styles(doc)
    _page(doc)
    _font_table(doc)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title, "石拐区行政应诉工作平台", "石拐区行政应诉工作平台"
    props.created = props.modified = datetime(*FIXED_TIME)
    props.revision, props.comments, props.keywords = 1, "由 documents/build_templates.py 生成", ""
    body = doc.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    return doc


def para(doc: Any, text: str, style: str = "正文") -> Any:
    """One paragraph of one run (a Jinja tag must stay within one run to be read)."""
    paragraph = doc.add_paragraph(style=doc.styles[style])
    if text:
        paragraph.add_run(text)
    return paragraph


def title(doc: Any, *lines: str) -> Any:
    """The document's title, broken where given: a title longer than a 2号 line (about 20 characters) would
    otherwise wrap wherever the line ends and leave a word's last character alone (…的回 / 复); GB/T 9704 breaks a
    title between words, the lines of a sensible length."""
    paragraph = para(doc, "", "公文标题")
    run = paragraph.add_run(lines[0])
    for line in lines[1:]:
        run.add_break()
        run.add_text(line)
    return paragraph


def loop(doc: Any, head: str, text: str, style: str = "正文") -> None:
    """Paragraphs repeated by docxtpl: `{%p for … %}`, the paragraph, `{%p endfor %}`."""
    para(doc, "{%p " + head + " %}", style)
    para(doc, text, style)
    para(doc, "{%p endfor %}", style)


def table(doc: Any, headers: list[str], cells: list[str], head: str, widths: list[float]) -> None:
    """A table with a header row and one row per item (docxtpl `{%tr for … %}`)."""
    grid = doc.add_table(rows=4, cols=len(headers))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    for column, width in zip(grid._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(Mm(width).twips))
    rows = [headers, ["{%tr " + head + " %}"] + [""] * (len(headers) - 1), cells, ["{%tr endfor %}"]]
    rows[3] += [""] * (len(headers) - 1)
    for number, (row, texts) in enumerate(zip(grid.rows, rows, strict=True)):
        # a row kept on one page (a date or an identity number is not cut in two by a page break); the header
        # row repeated on the next page
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if number == 0:
            properties.append(OxmlElement("w:tblHeader"))
        for cell, text, width in zip(row.cells, texts, widths, strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["表格文字"]
            if text:
                run = paragraph.add_run(text)
                if number == 0:
                    _fonts(run._r, HEI, TABLE)


def _keep_text_before(doc: Any) -> None:
    """The paragraph the closing or signature follows keeps with it, so their page holds the end of the text they
    sign. Not a docxtpl tag (removed when filled) nor a loop's paragraph (every repeat would keep with the next)."""
    last = doc.paragraphs[-1] if doc.paragraphs else None
    following = None if last is None else last._p.getnext()
    if last is None or last.text.startswith("{%") or (following is not None and following.tag != qn("w:sectPr")):
        return
    previous = last._p.getprevious()
    if previous is not None and "{%p for" in "".join(previous.itertext()):
        return
    if last.text.strip():
        last.paragraph_format.keep_with_next = True


def closing(doc: Any, court: str = "{{ court }}") -> None:
    """此致 and the court, kept on the page of the signature that follows and with the text before them."""
    _keep_text_before(doc)
    for text, style in (("此致", "正文"), (court, "顶格")):
        para(doc, text, style).paragraph_format.keep_with_next = True


def signature(doc: Any, *lines: str) -> None:
    """The signer, the legal representative's signature and the date, on one page (a signature alone on a page
    after the text it signs is no signature a court takes), with the last paragraph of that text."""
    _keep_text_before(doc)
    para(doc, "", "顶格").paragraph_format.keep_with_next = True
    for number, line in enumerate(lines, start=1):
        para(doc, line, "落款").paragraph_format.keep_with_next = number < len(lines)


def case_line(doc: Any, text: str = "{{ case_no }}") -> None:
    para(doc, text, "案号")
