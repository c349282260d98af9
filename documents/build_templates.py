"""Build the .docx templates of this folder with python-docx: `.venv/bin/python documents/build_templates.py`.

The templates are what the host renders (docxtpl, Jinja tags in the text); this script is their source, so a
change to a document is a reviewable change here, and rebuilding gives the same files byte for byte.
Typesetting after GB/T 9704-2012 (党政机关公文格式): A4, margins top 37 mm, bottom 35 mm, left 28 mm,
right 26 mm; title 2号 (22 pt) 方正小标宋简体, centred; body 3号 (16 pt) 仿宋_GB2312, 28.9 pt fixed line
spacing (22 lines a page); first-level headings 黑体, second-level 楷体_GB2312; page numbers 4号 宋体 "— 1 —".
Where a font is missing, Word and LibreOffice take the alternative the font table names (宋体, 仿宋, 楷体).
Values the case data lacks come out as a blank line to fill in by hand (services/documents.py).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
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

HERE = Path(__file__).resolve().parent
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
    for row, texts in zip(grid.rows, rows, strict=True):
        for cell, text, width in zip(row.cells, texts, widths, strict=True):
            cell.width = Mm(width)
            paragraph = cell.paragraphs[0]
            paragraph.style = doc.styles["表格文字"]
            if text:
                run = paragraph.add_run(text)
                if row is grid.rows[0]:
                    _fonts(run._r, HEI, TABLE)


def signature(doc: Any, *lines: str) -> None:
    para(doc, "", "顶格")
    for line in lines:
        para(doc, line, "落款")


def case_line(doc: Any, text: str = "{{ case_no }}") -> None:
    para(doc, text, "案号")


def statement_of_defence(doc: Any) -> None:
    para(doc, "行政答辩状", "公文标题")
    case_line(doc)
    para(doc, "答辩人：{{ respondent }}，住所地：{{ respondent_address }}。")
    para(doc, "法定代表人：{{ representative }}，职务：{{ representative_position }}。")
    agent = "委托诉讼代理人：{{ a.name }}，{{ a.kind }}，工作单位：{{ a.work_unit }}，职务：{{ a.position }}。"
    loop(doc, "for a in agents", agent)
    para(doc, "被答辩人（原告）：{{ plaintiff }}。")
    para(doc, "答辩人因被答辩人{{ plaintiff }}诉{{ respondent }}{{ cause }}一案，现提出答辩意见如下：")
    loop(doc, "for text in statement", "{{ text }}")
    para(doc, "此致")
    para(doc, "{{ court }}", "顶格")
    signature(doc, "答辩人：{{ respondent }}（盖章）", "法定代表人（签字）：{{ blank }}", "{{ today }}")
    para(doc, "", "顶格")
    para(doc, "附：1. 本答辩状副本{{ blank }}份；", "顶格")
    para(doc, "2. 作出行政行为的法律依据：", "正文")
    loop(doc, "for b in legal_basis", "（{{ b.number }}）{{ b.name }}{{ b.provisions }}；")
    para(doc, "3. 证据清单：", "正文")
    table(
        doc,
        ["序号", "证据名称", "证据种类", "证据来源", "证明目的", "页数"],
        ["{{ e.number }}", "{{ e.name }}", "{{ e.kind }}", "{{ e.source }}", "{{ e.purpose }}", "{{ e.pages }}"],
        "for e in evidence",
        [12, 34, 22, 28, 46, 14],
    )
    para(doc, "4. 其他材料：{{ other_materials }}。", "正文")


def legal_representative_certificate(doc: Any) -> None:
    para(doc, "法定代表人身份证明书", "公文标题")
    case_line(doc)
    para(doc, "{{ representative }}，在{{ organ }}任{{ representative_position }}职务，系我单位法定代表人。")
    para(doc, "本证明书用于{{ court }}审理的{{ plaintiff }}诉{{ organ }}{{ cause }}一案。")
    para(doc, "特此证明。")
    signature(doc, "{{ organ }}（盖章）", "{{ today }}")


def power_of_attorney(doc: Any) -> None:
    para(doc, "授权委托书", "公文标题")
    case_line(doc)
    para(doc, "委托人：{{ principal }}。")
    para(doc, "法定代表人：{{ representative }}，职务：{{ representative_position }}。")
    para(doc, "受委托人（诉讼代理人）：")
    table(
        doc,
        ["姓名", "代理人身份", "工作单位", "职务", "居民身份证号码", "联系电话"],
        ["{{ a.name }}", "{{ a.kind }}", "{{ a.work_unit }}", "{{ a.position }}", "{{ a.id_number }}", "{{ a.phone }}"],
        "for a in agents",
        [17, 22, 33, 22, 40, 22],
    )
    para(doc, "现委托上列受委托人在{{ plaintiff }}诉{{ principal }}{{ cause }}一案中，作为我方诉讼代理人。")
    para(doc, "代理事项：{{ matters }}")
    para(doc, "代理权限：{{ scope }}")
    loop(doc, "for power in powers", "{{ power }}")
    para(doc, "受委托人应当在委托权限范围内进行诉讼活动，并及时报告诉讼过程中的重大问题。")
    para(doc, "此致")
    para(doc, "{{ court }}", "顶格")
    signature(doc, "委托人：{{ principal }}（盖章）", "法定代表人（签字）：{{ blank }}", "{{ today }}")


def head_absence_statement(doc: Any) -> None:
    para(doc, "行政机关负责人不能出庭应诉情况说明", "公文标题")
    case_line(doc)
    para(doc, "{{ court }}：", "顶格")
    para(
        doc,
        "贵院受理的{{ plaintiff }}诉{{ defendant }}{{ cause }}一案，定于{{ hearing }}开庭审理。"
        "{{ unit_name }}负责人{{ head }}因下列正当理由不能出庭应诉：",
    )
    loop(doc, "for text in reasons", "{{ text }}")
    para(doc, "不能出庭的相关证明材料附后。")
    para(
        doc,
        "根据《中华人民共和国行政诉讼法》第三条第三款和《最高人民法院关于行政机关负责人出庭应诉若干问题的规定》，"
        "本机关委托下列具体行使行政职权的工作人员出庭应诉：",
    )
    table(
        doc,
        ["姓名", "代理人身份", "工作单位", "职务", "联系电话"],
        ["{{ a.name }}", "{{ a.kind }}", "{{ a.work_unit }}", "{{ a.position }}", "{{ a.phone }}"],
        "for a in agents",
        [22, 28, 46, 30, 30],
    )
    para(doc, "特此说明。")
    signature(doc, "{{ unit_name }}（盖章）", "主要负责人（签字）：{{ blank }}", "{{ today }}")


def loss_analysis_report(doc: Any) -> None:
    para(doc, "关于{{ case_no }}行政诉讼案件的败诉分析报告", "公文标题")
    para(doc, "区人民政府：", "顶格")
    para(
        doc,
        "{{ plaintiff }}诉{{ defendant }}{{ cause }}一案，{{ court }}作出的{{ decision_kind }}已于{{ effective_on }}"
        "发生法律效力，本案行政机关败诉。根据《包头市石拐区人民政府行政应诉工作办法》第七条规定，现将有关情况报告如下：",
    )
    para(doc, "一、诉讼案件的基本案情", "一级标题")
    loop(doc, "for text in facts", "{{ text }}")
    para(doc, "二、人民法院的判决结果", "一级标题")
    loop(doc, "for text in ruling", "{{ text }}")
    para(doc, "三、有关的工作建议、意见及整改落实措施", "一级标题")
    para(doc, "（一）败诉原因分析", "二级标题")
    loop(doc, "for text in causes", "{{ text }}")
    para(doc, "（二）工作建议、意见", "二级标题")
    loop(doc, "for text in suggestions", "{{ text }}")
    para(doc, "（三）整改落实措施", "二级标题")
    table(
        doc,
        ["序号", "整改措施", "责任单位（人）", "完成时限"],
        ["{{ m.number }}", "{{ m.measure }}", "{{ m.responsible }}", "{{ m.due_on }}"],
        "for m in measures",
        [14, 78, 36, 28],
    )
    para(doc, "四、其他需要说明的事项", "一级标题")
    loop(doc, "for text in other", "{{ text }}")
    para(doc, "特此报告。")
    signature(doc, "{{ units }}（盖章）", "{{ today }}")
    para(doc, "", "顶格")
    para(doc, "抄送：石拐区司法局。", "版记")


def appeal_opinion(doc: Any) -> None:
    para(doc, "关于{{ case_no }}行政案件的上诉意见", "公文标题")
    para(doc, "区人民政府：", "顶格")
    para(
        doc,
        "{{ plaintiff }}诉{{ defendant }}{{ cause }}一案，{{ court }}作出{{ decision_kind }}（{{ outcome }}），"
        "本单位于{{ served_on }}收到。本单位对该{{ decision_kind }}不服，要求上诉。根据《包头市石拐区人民政府"
        "行政应诉工作办法》第八条规定，现将上诉意见报送如下：",
    )
    para(doc, "一、上诉请求", "一级标题")
    loop(doc, "for text in claims", "{{ text }}")
    para(doc, "二、上诉的事实和理由", "一级标题")
    loop(doc, "for text in grounds", "{{ text }}")
    para(doc, "三、其他说明", "一级标题")
    loop(doc, "for text in notes", "{{ text }}")
    para(doc, "以上意见妥否，请区人民政府审议决定。")
    signature(doc, "{{ units }}（盖章）", "{{ today }}")


def suggestion_reply(doc: Any) -> None:
    para(doc, "关于{{ document_no }}{{ kind }}的回复", "公文标题")
    para(doc, "{{ issuer }}：", "顶格")
    para(
        doc,
        "贵院{{ kind }}书（{{ document_no }}）已于{{ received_on }}收悉。区人民政府高度重视，指定{{ unit_name }}"
        "研究办理。根据《包头市石拐区人民政府行政应诉工作办法》第十一条规定，现将有关情况回复如下：",
    )
    para(doc, "一、办理情况", "一级标题")
    loop(doc, "for text in reply", "{{ text }}")
    para(doc, "二、整改落实措施", "一级标题")
    loop(doc, "for text in measures", "{{ text }}")
    para(doc, "特此回复。")
    signature(doc, "包头市石拐区人民政府（盖章）", "{{ today }}")


TEMPLATES: dict[str, tuple[str, Callable[[Any], None]]] = {
    "statement_of_defence": ("行政答辩状", statement_of_defence),
    "legal_representative_certificate": ("法定代表人身份证明书", legal_representative_certificate),
    "power_of_attorney": ("授权委托书", power_of_attorney),
    "head_absence_statement": ("行政机关负责人不能出庭应诉情况说明", head_absence_statement),
    "loss_analysis_report": ("败诉分析报告", loss_analysis_report),
    "appeal_opinion": ("上诉意见", appeal_opinion),
    "suggestion_reply": ("司法建议、检察建议的回复", suggestion_reply),
}


def _fixed_zip(data: bytes) -> bytes:
    """The same bytes for the same content: fixed member times, in a fixed order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist()):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return out.getvalue()


def build(name: str) -> bytes:
    """The template `name` as .docx bytes."""
    title, write = TEMPLATES[name]
    doc = new_document(title)
    write(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue())


def main() -> None:
    for name in TEMPLATES:
        (HERE / f"{name}.docx").write_bytes(build(name))
        print(f"documents/{name}.docx")


if __name__ == "__main__":
    main()
