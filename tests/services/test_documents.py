"""Court and district documents generated from a case: opened with python-docx to find the case's values where a
reader looks for them, typeset as government documents are, recorded in the audit trail; rendered to PDF and
PNG by LibreOffice to prove they open (the pictures are kept in test-artifacts/documents/)."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree
from sqlalchemy import select

from tests.processes.support import NS, PROCESSES, at, deploy_only, diagram_files, signer, start_case, tasks
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import AuditEvent, InboxTask, Instance, User
from workflow_host.services import documents
from workflow_host.services.attachments import Upload
from workflow_host.services.audit import verify_chain
from workflow_host.services.document_catalog import catalog
from workflow_host.services.document_names import Names
from workflow_host.services.document_offers import case_offers, drafted_at, task_offers
from workflow_host.services.document_render import render
from workflow_host.services.document_text import BLANK, CELL_BLANK
from workflow_host.services.errors import Forbidden
from workflow_host.services.task_completion import save_draft

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "test-artifacts" / "documents"
CASE = {
    "case_no": "（2026）蒙0205行初12号",
    "court": "包头市石拐区人民法院",
    "plaintiff": "王某某",
    "cause": "不服责令限期拆除决定",
    "defendant": "unit",
    "defendant_unit": "land_bureau",
    "complaint_served_on": "2026-09-20",
    "handling_units": ["land_bureau"],
    "justice_bureau_reconsideration_part": False,
}
AGENTS = [
    {
        "name": "刘某",
        "agent_type": "staff",
        "work_unit": "石拐区自然资源局",
        "position": "法规科科长",
        "id_number": "150205198001011230",
        "phone": "0472-1234567",
    },
    {
        "name": "陈某",
        "agent_type": "public_lawyer",
        "work_unit": "石拐区司法局",
        "position": "公职律师",
        "id_number": "15020519850101127X",
    },
]
MATERIALS = {
    "statement_of_defence": "一、被诉决定认定事实清楚。\n二、程序合法。\n综上，请求驳回原告的诉讼请求。",
    "legal_basis": [{"name": "《中华人民共和国土地管理法》", "provisions": "第八十三条"}],
    "evidence": [{"name": "责令限期拆除决定书", "kind": "documentary", "purpose": "证明被诉行为的内容", "pages": 2}],
    "legal_representative_certificate": {"organ": "石拐区自然资源局", "name": "张某某", "position": "局长"},
    "power_of_attorney": {
        "principal": "石拐区自然资源局",
        "agents": AGENTS,
        "entrusted_matters": "代理本机关参加（2026）蒙0205行初12号行政诉讼案件第一审诉讼",
        "authority_scope": "special",
        "special_powers": ["settle_or_mediate", "appeal", "receive_documents"],
    },
}
# Everything every document reads, for the rendering test: a case far along (loss report, appeal, suggestion).
FULL = {
    **CASE,
    **MATERIALS,
    "hearing_on": "2026-11-03T09:30:00+08:00",
    "decision_form": "judgment",
    "outcome": "revoked",
    "decision_served_on": "2026-11-20",
    "effective_on": "2026-12-05",
    "unit_arrangements": {
        "land_bureau": {"head_absence_statement": "局长当日须参加自治区防汛紧急会议，无法到庭。", "agents": AGENTS}
    },
    "loss_report": {
        "basic_facts": "原告不服责令限期拆除决定，提起行政诉讼。",
        "court_ruling": "判决撤销被诉决定。",
        "loss_causes": "送达程序存在瑕疵。",
        "suggestions": "规范送达程序。",
        "rectification_measures": [
            {"measure": "修订执法文书送达规程", "responsible": "法规科", "due_on": "2027-01-31"}
        ],
        "other_matters": "",
    },
    "appeal_claims": "请求撤销一审判决，驳回原告诉讼请求。",
    "appeal_grounds": "一审判决认定送达程序违法，与事实不符。",
    "suggestion_kind": "judicial",
    "issuer": "包头市石拐区人民法院",
    "document_no": "（2026）蒙0205司建1号",
    "received_on": "2026-12-10",
    "designated_unit": "land_bureau",
    "reply_text": "已组织全面自查。",
    "rectification_measures": "修订送达规程。",
}
NAMES = Names({"land_bureau": "石拐区自然资源局", "justice_bureau": "石拐区司法局"}, {"land_bureau": "自然资源局局长"})


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(at("2026-09-21T09:00"))
    with use_clock(fixed):
        yield fixed


@pytest.fixture
def case(host: Host, clock: FixedClock) -> tuple[Host, int, str]:
    """A defence of the land bureau, its `prepare_defence` task holding a draft of the materials."""
    deploy_only(host, diagram_files("defence.bpmn"))
    officer = signer(host)("land_officer")
    case_id = start_case(signer(host)("jb_staff"), "defence", CASE)
    [task] = tasks(officer, "prepare_defence")
    with host.database.transaction() as session:
        save_draft(session, user(session, "land_officer"), task["id"], MATERIALS)
    return host, case_id, task["id"]


def user(session: Any, username: str) -> User:
    found = session.get(User, username)
    assert found is not None
    return found


def opened(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def texts(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_rows(doc: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for table in doc.tables for row in table.rows]


def test_the_task_offers_the_defence_set_for_its_unit(case: tuple[Host, int, str]) -> None:
    host, _case_id, task_id = case
    with host.database.transaction() as session:
        task = session.get(InboxTask, task_id)
        assert task is not None
        offers = task_offers(session, task)
    assert [(o.key, o.unit) for o in offers] == [
        ("statement_of_defence", "land_bureau"),
        ("legal_representative_certificate", "land_bureau"),
        ("power_of_attorney", "land_bureau"),
    ]


def generate(host: Host, task_id: str, key: str, username: str = "land_officer") -> documents.Generated:
    """A task's document, filled and its generation recorded, as a download does (in one transaction here)."""
    with host.database.transaction() as session:
        made = documents.prepare_for_task(session, user(session, username), task_id, key)
        documents.record_generation(session, user(session, username), made)
        return made


def test_the_statement_of_defence_is_filled_from_the_case_and_the_draft(case: tuple[Host, int, str]) -> None:
    host, _case_id, task_id = case
    made = generate(host, task_id, "statement_of_defence")
    assert made.filename == "答辩状（代拟稿）-石拐区自然资源局-（2026）蒙0205行初12号.docx"
    lines = texts(opened(made.data))
    assert lines[0] == "行政答辩状"
    assert lines[1] == "（2026）蒙0205行初12号"  # the case number heads the document
    assert lines[2].startswith("答辩人：石拐区自然资源局，住所地：" + BLANK)
    assert "法定代表人：张某某，职务：局长。" in lines
    assert "委托诉讼代理人：刘某，本机关工作人员，工作单位：石拐区自然资源局，职务：法规科科长。" in lines
    assert "委托诉讼代理人：陈某，公职律师，工作单位：石拐区司法局，职务：公职律师。" in lines
    assert "被答辩人（原告）：王某某。" in lines
    assert "答辩人因被答辩人王某某诉石拐区自然资源局责令限期拆除决定一案，现提出答辩意见如下：" in lines
    start = lines.index("一、被诉决定认定事实清楚。")
    assert lines[start : start + 3] == [
        "一、被诉决定认定事实清楚。",
        "二、程序合法。",
        "综上，请求驳回原告的诉讼请求。",
    ]
    assert lines[lines.index("此致") + 1] == "包头市石拐区人民法院"
    assert "2026年9月21日" in lines
    assert ["1", "责令限期拆除决定书", "书证", CELL_BLANK, "证明被诉行为的内容", "2"] in table_rows(opened(made.data))


def test_the_power_of_attorney_lists_the_agents_and_each_special_power(case: tuple[Host, int, str]) -> None:
    host, _case_id, task_id = case
    doc = opened(generate(host, task_id, "power_of_attorney").data)
    lines = texts(doc)
    assert lines[:2] == ["授权委托书", "（2026）蒙0205行初12号"]
    rows = table_rows(doc)
    assert rows[0] == ["姓名", "代理人身份", "工作单位", "职务", "居民身份证号码", "联系电话"]
    assert rows[1] == ["刘某", "本机关工作人员", "石拐区自然资源局", "法规科科长", "150205198001011230", "0472-1234567"]
    assert rows[2] == ["陈某", "公职律师", "石拐区司法局", "公职律师", "15020519850101127X", CELL_BLANK]
    assert "代理事项：代理本机关参加（2026）蒙0205行初12号行政诉讼案件第一审诉讼" in lines
    powers = lines[lines.index("代理权限：特别授权，具体如下：") + 1 :][:3]
    assert powers == ["（一）代为进行和解、参加调解；", "（二）代为提起上诉；", "（三）代为签收法律文书；"]
    assert "委托人：石拐区自然资源局（盖章）" in lines


def test_a_table_row_is_never_cut_across_a_page_and_its_header_repeats(case: tuple[Host, int, str]) -> None:
    """An agent's identity number or a measure's due date printed half on one page, half on the next, is no
    document a court or the government takes."""
    host, _case_id, task_id = case
    doc = opened(generate(host, task_id, "power_of_attorney").data)
    for row in doc.tables[0].rows:
        properties = row._tr.trPr
        assert properties is not None, row.cells[0].text
        assert properties.find(qn("w:cantSplit")) is not None, row.cells[0].text
    header = doc.tables[0].rows[0]._tr.trPr
    assert header.find(qn("w:tblHeader")) is not None
    # wide enough for an 18-digit identity number on one line
    assert doc.tables[0].columns[4].width >= Mm(46)


def test_a_general_authority_lists_no_special_power() -> None:
    general = {**MATERIALS["power_of_attorney"], "authority_scope": "general", "special_powers": []}  # type: ignore[dict-item]
    data = {**FULL, "power_of_attorney": general}
    lines = texts(opened(render("power_of_attorney", data, "land_bureau", NAMES, date(2026, 9, 21))))
    assert "代理权限：一般代理。" in lines
    assert not [line for line in lines if line.startswith("（一）")]


def test_a_departments_staff_acting_for_the_district_government_are_named_as_the_departments() -> None:
    """ALL Art. 31: an organ's own staff may act for it; the land bureau's officer acting for the district
    government is no 本机关工作人员 of the government."""
    sued = {**FULL, "defendant": "district_government", "defendant_unit": None}
    attorney = {**MATERIALS["power_of_attorney"], "principal": "包头市石拐区人民政府"}  # type: ignore[dict-item]
    doc = opened(
        render("power_of_attorney", {**sued, "power_of_attorney": attorney}, "land_bureau", NAMES, date(2026, 9, 21))
    )
    assert table_rows(doc)[1][:3] == ["刘某", "石拐区自然资源局工作人员", "石拐区自然资源局"]
    own = opened(render("power_of_attorney", FULL, "land_bureau", NAMES, date(2026, 9, 21)))
    assert table_rows(own)[1][:3] == ["刘某", "本机关工作人员", "石拐区自然资源局"]


def test_only_the_step_that_drafts_a_document_asks_to_save_the_draft_first() -> None:
    """The unit writing its appeal opinion saves its draft before downloading it; the vice head deciding on the
    appeal downloads the opinion as the unit gave it, with nothing of the decision's form in it."""

    def step(process_id: str, element_id: str) -> InboxTask:
        return InboxTask(process_id=process_id, element_id=element_id)

    assert drafted_at(step("appeal", "submit_appeal_opinion"))
    assert drafted_at(step("defence", "prepare_defence"))
    assert not drafted_at(step("appeal", "decide_appeal"))
    assert not drafted_at(step("defence", "formal_review"))


def test_the_documents_are_typeset_as_government_documents(case: tuple[Host, int, str]) -> None:
    host, _case_id, task_id = case
    doc = opened(generate(host, task_id, "legal_representative_certificate").data)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    title, body = doc.paragraphs[0], doc.paragraphs[2]
    assert title.text == "法定代表人身份证明书"
    assert (title.style.font.size, east_asia(title.style)) == (Pt(22), "方正小标宋简体")
    assert title.alignment is None
    assert title.style.paragraph_format.alignment == 1
    assert (body.style.font.size, east_asia(body.style)) == (Pt(16), "仿宋_GB2312")
    assert body.style.paragraph_format.line_spacing == Pt(28.9)
    assert body.text == "张某某，在石拐区自然资源局任局长职务，系我单位法定代表人。"
    assert east_asia(doc.styles["一级标题"]) == "黑体"
    with zipfile.ZipFile(io.BytesIO(generate(host, task_id, "power_of_attorney").data)) as package:
        fonts = package.read("word/fontTable.xml").decode()
    assert '<w:font w:name="方正小标宋简体"><w:altName w:val="宋体"/>' in fonts  # where the font is missing


def east_asia(style: Any) -> str | None:
    fonts = style.element.rPr.rFonts
    return fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_values_the_case_lacks_are_lines_to_fill_never_none() -> None:
    for key in catalog():
        doc = opened(render(key, {}, None, Names(), date(2026, 9, 21)))
        everything = "\n".join(texts(doc) + [c for row in table_rows(doc) for c in row])
        assert "None" not in everything, key
        assert "{{" not in everything, key
        assert "{%" not in everything, key
        assert BLANK in everything, key


def test_hostile_text_stays_text() -> None:
    data = {**FULL, "plaintiff": "<w:p>&amp; 王某</w:p>"}
    lines = texts(opened(render("statement_of_defence", data, "land_bureau", NAMES, date(2026, 9, 21))))
    assert "被答辩人（原告）：<w:p>&amp; 王某</w:p>。" in lines


def test_each_generation_is_an_audit_event_with_the_file_hash(case: tuple[Host, int, str]) -> None:
    host, case_id, task_id = case
    made = generate(host, task_id, "power_of_attorney")
    with host.database.transaction() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == case_id).order_by(AuditEvent.seq.desc())
        ).first()
        assert event is not None
        assert (event.type, event.actor) == ("document_generated", "land_officer")
        payload = json.loads(event.payload_json)
        assert payload["document"] == "power_of_attorney"
        assert payload["sha256"] == made.sha256
        assert payload["unit"] == "land_bureau"
        assert verify_chain(session, case_id)["ok"]


def test_the_sealed_copy_comes_back_as_a_file_of_the_case(case: tuple[Host, int, str]) -> None:
    host, case_id, _task_id = case
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    upload = Upload("授权委托书（盖章）.pdf", pdf)
    with host.database.transaction() as session:
        digest = documents.upload_signed_copy(
            session, user(session, "land_officer"), case_id, "power_of_attorney", upload
        )
        kinds = [e.type for e in session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case_id))]
    assert kinds[-1] == "document_uploaded"
    with host.database.transaction() as session, pytest.raises(Forbidden):
        documents.upload_signed_copy(session, user(session, "auditor"), case_id, "power_of_attorney", upload)
    assert len(digest) == 64


def test_the_templates_are_what_the_build_script_makes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "documents"))  # the script imports layout.py beside it
    builder = _load_builder()
    for name in builder.TEMPLATES:
        built = zipfile.ZipFile(io.BytesIO(builder.build(name)))
        committed = zipfile.ZipFile(ROOT / "documents" / f"{name}.docx")
        for part in ("word/document.xml", "word/styles.xml"):
            assert built.read(part) == committed.read(part), f"{name} {part}: run documents/build_templates.py"


def _load_builder() -> Any:
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "documents" / "build_templates.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  {aliases}
</fontconfig>
"""


def _fontconfig(tmp: Path) -> Path:
    """Without the government fonts, draw 仿宋/宋体/楷体 with a serif CJK font and 黑体 with a sans one."""
    serif, sans = "Noto Serif CJK SC", "Noto Sans CJK SC"
    families = {"仿宋_GB2312": serif, "方正小标宋简体": serif, "宋体": serif, "楷体_GB2312": serif, "黑体": sans}
    aliases = "\n  ".join(
        f'<alias binding="same"><family>{name}</family><prefer><family>{font}</family></prefer></alias>'
        for name, font in families.items()
    )
    path = tmp / "fonts.conf"
    path.write_text(FONTS_CONF.format(aliases=aliases), encoding="utf-8")
    return path


def _to_pdf(tmp_path: Path, made: dict[str, bytes]) -> None:
    """Each document of `made` (name → .docx) converted by LibreOffice to <name>.pdf in `tmp_path`."""
    soffice = shutil.which("soffice")
    if not (soffice and shutil.which("pdftoppm")):
        if os.environ.get("CI"):
            pytest.fail("CI must render the documents: install libreoffice-writer and poppler-utils")
        pytest.skip("LibreOffice (soffice) or pdftoppm is not installed")
    sources = []
    for name, data in made.items():
        path = tmp_path / f"{name}.docx"
        path.write_bytes(data)
        sources.append(str(path))
    env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(tmp_path)), "HOME": str(tmp_path)}
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    command = [soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *sources]
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=300)


def test_every_document_opens_in_libreoffice(tmp_path: Path) -> None:
    _to_pdf(
        tmp_path,
        {key: render(key, FULL, "land_bureau", NAMES, date(2026, 12, 20)) for key in catalog()},
    )
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm is not None
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for key in catalog():
        pdf = tmp_path / f"{key}.pdf"
        assert pdf.read_bytes().startswith(b"%PDF"), key
        subprocess.run([pdftoppm, "-r", "80", "-png", str(pdf), str(ARTEFACTS / key)], check=True, timeout=120)
        assert list(ARTEFACTS.glob(f"{key}-*.png")), key
        if shutil.which("pdftotext"):
            text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
            assert "包头市石拐区" in text, key


def test_the_case_page_fills_a_unit_part_from_what_the_unit_submitted(case: tuple[Host, int, str]) -> None:
    host, case_id, task_id = case
    officer = signer(host)("land_officer")
    assert officer.post(f"/tasks/{task_id}/complete", json={"data": MATERIALS}).status_code == 200
    with host.database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        offers = [(o.key, o.unit) for o in case_offers(session, row)]
        jb = user(session, "jb_staff")
        made = documents.prepare_for_case(session, jb, case_id, "statement_of_defence", None)
        [review] = session.scalars(select(InboxTask).where(InboxTask.element_id == "formal_review")).all()
        reviewed = documents.prepare_for_task(session, jb, review.id, "power_of_attorney")
        for generated in (made, reviewed):
            documents.record_generation(session, jb, generated)
    assert ("statement_of_defence", "land_bureau") in offers
    assert "二、程序合法。" in texts(opened(made.data))
    assert table_rows(opened(reviewed.data))[1][0] == "刘某"  # the reviewer's copy: the unit's submission


def test_every_task_the_catalog_names_is_a_user_task_of_the_measures() -> None:
    tasks_of = set()
    for path in PROCESSES.glob("*.bpmn"):
        for process in etree.fromstring(path.read_bytes()).iterfind("bpmn:process", NS):
            tasks_of |= {f"{process.get('id')}/{t.get('id')}" for t in process.iterfind(".//bpmn:userTask", NS)}
    named = {task for info in catalog().values() for task in info.tasks}
    assert named - tasks_of == set()
    assert {info.template for info in catalog().values()} == {path.name for path in (ROOT / "documents").glob("*.docx")}


FIRST_JUDGMENT = {
    "instance_level": "first",
    "case_no": "（2026）蒙0205行初12号",
    "court": "包头市石拐区人民法院",
    "decision_form": "judgment",
}


@pytest.mark.parametrize(
    ("appeal", "opponent", "opening"),
    [
        (
            {"appellant": "plaintiff"},
            "被答辩人（上诉人、原审原告）：王某某。",
            "答辩人因上诉人王某某不服包头市石拐区人民法院（2026）蒙0205行初12号行政判决一案，现提出答辩意见如下：",
        ),
        (
            {"appellant": "third_party"},
            f"被答辩人（上诉人、原审第三人）：{BLANK}。",
            f"答辩人因上诉人{BLANK}不服包头市石拐区人民法院（2026）蒙0205行初12号行政判决一案，现提出答辩意见如下：",
        ),
        (
            {"appellant": "plaintiff_and_third_party"},
            f"被答辩人（上诉人）：王某某、{BLANK}。",
            f"答辩人因上诉人王某某、{BLANK}不服包头市石拐区人民法院（2026）蒙0205行初12号行政判决一案，现提出答辩意见如下：",
        ),
    ],
    ids=["the plaintiff appealed", "a third party appealed", "both appealed"],
)
def test_a_second_instance_defence_answers_the_appellant_about_the_first_judgment(
    appeal: dict[str, str], opponent: str, opening: str
) -> None:
    data = {
        **FULL,
        **appeal,
        "instance_level": "second",
        "plaintiff_appealed": True,
        "case_no": "（2026）蒙02行终45号",
        "court": "包头市中级人民法院",
        "instance_history": [{**FIRST_JUDGMENT, "outcome": "dismissed_claim", "lost": False}],
    }
    lines = texts(opened(render("statement_of_defence", data, "land_bureau", NAMES, date(2026, 9, 21))))
    assert lines[1] == "（2026）蒙02行终45号"  # filed in the second instance, under its number
    assert lines[2].startswith("答辩人（被上诉人、原审被告）：石拐区自然资源局，住所地：")
    assert opponent in lines
    assert opening in lines
    assert lines[lines.index("此致") + 1] == "包头市中级人民法院"


GOVERNMENT_CASE = {
    **FULL,
    "defendant": "district_government",
    "cause": "不服石拐区人民政府作出的收回国有土地使用权决定",
    "legal_representative_certificate": {},
    "power_of_attorney": {},
}
UNIT_CASE = {**FULL, "cause": "不服区自然资源局作出的责令限期拆除决定"}
SECOND_INSTANCE = {
    "instance_level": "second",
    "case_no": "（2026）蒙02行终45号",
    "court": "包头市中级人民法院",
    "instance_history": [{**FIRST_JUDGMENT, "outcome": "revoked", "lost": True}],
}


def document_lines(key: str, data: dict[str, Any]) -> list[str]:
    return texts(opened(render(key, data, "land_bureau", NAMES, date(2026, 9, 21))))


@pytest.mark.parametrize(
    ("data", "title"),
    [
        (GOVERNMENT_CASE, "原告王某某诉包头市石拐区人民政府收回国有土地使用权决定一案"),
        (UNIT_CASE, "原告王某某诉石拐区自然资源局责令限期拆除决定一案"),
        ({**GOVERNMENT_CASE, **SECOND_INSTANCE}, "王某某诉包头市石拐区人民政府收回国有土地使用权决定上诉一案"),
        ({**UNIT_CASE, **SECOND_INSTANCE}, "王某某诉石拐区自然资源局责令限期拆除决定上诉一案"),
        (
            {**GOVERNMENT_CASE, "reconsideration": "upheld", "acting_units": ["land_bureau"]},
            "原告王某某诉石拐区自然资源局、包头市石拐区人民政府收回国有土地使用权决定一案",
        ),
        # who appealed is recorded: the case is named as the court names it, the appellant first
        (
            {**GOVERNMENT_CASE, **SECOND_INSTANCE, "appeal_filed": True},
            "上诉人包头市石拐区人民政府与被上诉人王某某收回国有土地使用权决定一案",
        ),
        (
            {**UNIT_CASE, **SECOND_INSTANCE, "plaintiff_appealed": True, "appellant": "plaintiff"},
            "上诉人王某某与被上诉人石拐区自然资源局责令限期拆除决定一案",
        ),
        (
            {**GOVERNMENT_CASE, **SECOND_INSTANCE, "plaintiff_appealed": True, "appellant": "third_party"},
            f"上诉人{BLANK}与被上诉人王某某、包头市石拐区人民政府收回国有土地使用权决定一案",
        ),
        (
            {**GOVERNMENT_CASE, **SECOND_INSTANCE, "instance_level": "retrial", "appeal_filed": True},
            "再审申请人包头市石拐区人民政府与被申请人王某某收回国有土地使用权决定一案",
        ),
    ],
    ids=[
        "government, first",
        "unit, first",
        "government, second",
        "unit, second",
        "co-defendants",
        "the government appealed",
        "the plaintiff appealed",
        "a third party appealed",
        "the government applied for a retrial",
    ],
)
def test_each_document_names_the_case_once_and_cleanly(data: dict[str, Any], title: str) -> None:
    # a clerk types the cause as the complaint words it ("不服石拐区人民政府作出的…"); the documents name the
    # defendant once and the act after it, never "诉石拐区人民政府不服石拐区人民政府作出的…"
    court = data["court"]
    assert f"本证明书用于{court}审理的{title}。" in document_lines("legal_representative_certificate", data)
    assert f"现委托上列受委托人在{title}中，作为我方诉讼代理人。" in document_lines("power_of_attorney", data)
    statement = document_lines("head_absence_statement", data)
    assert any(line.startswith(f"贵院受理的{title}，定于2026年11月3日9时30分开庭审理。") for line in statement)
    assert any(
        line.startswith(f"{title}，{court}作出的判决已于") for line in document_lines("loss_analysis_report", data)
    )
    for key in catalog():
        everything = "".join(document_lines(key, data))
        assert "诉包头市石拐区人民政府不服" not in everything, key
        assert "作出的收回国有土地使用权决定" not in everything, key
        assert "不服区自然资源局作出的" not in everything, key


def test_a_defence_names_the_parties_by_their_roles_at_each_instance() -> None:
    first = document_lines("statement_of_defence", GOVERNMENT_CASE)
    assert "被答辩人（原告）：王某某。" in first
    opening = "答辩人因被答辩人王某某诉包头市石拐区人民政府收回国有土地使用权决定一案，现提出答辩意见如下："
    assert opening in first
    # the government appealed the judgment it lost: at second instance it is the appellant, the plaintiff the appellee
    second = document_lines("statement_of_defence", {**GOVERNMENT_CASE, **SECOND_INSTANCE, "appeal_filed": True})
    assert second[2].startswith("答辩人（上诉人、原审被告）：包头市石拐区人民政府，住所地：")
    assert "被答辩人（被上诉人、原审原告）：王某某。" in second
    assert "答辩人因被答辩人王某某诉包头市石拐区人民政府收回国有土地使用权决定上诉一案，现提出答辩意见如下：" in second


def test_the_appeal_opinion_names_the_first_instance_case() -> None:
    data = {**GOVERNMENT_CASE, **SECOND_INSTANCE}
    lines = document_lines("appeal_opinion", data)
    assert any(
        line.startswith("原告王某某诉包头市石拐区人民政府收回国有土地使用权决定一案，包头市石拐区人民法院作出判决")
        for line in lines
    )


def test_a_power_of_attorney_not_yet_typed_names_the_government_s_head_and_the_matter_at_the_case_s_instance() -> None:
    names = Names(NAMES.units, NAMES.heads, "刘某")  # the directory's one district head (区长)
    first = texts(opened(render("power_of_attorney", GOVERNMENT_CASE, "land_bureau", names, date(2026, 9, 21))))
    assert "委托人：包头市石拐区人民政府。" in first
    assert "法定代表人：刘某，职务：区长。" in first
    assert "代理事项：代理本机关参加（2026）蒙0205行初12号行政诉讼案件第一审诉讼" in first
    second = {**GOVERNMENT_CASE, **SECOND_INSTANCE}
    lines = texts(opened(render("power_of_attorney", second, "land_bureau", names, date(2026, 9, 21))))
    assert "代理事项：代理本机关参加（2026）蒙02行终45号行政诉讼案件第二审诉讼" in lines
    certificate = render("legal_representative_certificate", second, "land_bureau", names, date(2026, 9, 21))
    assert "刘某，在包头市石拐区人民政府任区长职务，系我单位法定代表人。" in texts(opened(certificate))


def test_the_head_absence_statement_on_the_case_page_is_the_unit_s_planned_arrangement() -> None:
    """Once the appearance plan is made, the arrangements live in it alone: the statement printed blank reasons and
    an empty agent row from the case page."""
    arrangement = {
        "unit": "land_bureau",
        "unit_head_appears": False,
        "agents": AGENTS,
        "head_absence_statement": "局长当日须参加自治区防汛紧急会议，无法到庭。",
    }
    plan = {"article": 16, "instance_level": "first", "units": [arrangement], "heads": [], "agents": AGENTS}
    data = {k: v for k, v in FULL.items() if k != "unit_arrangements"}
    data |= {"instance_level": "first", "appearance_plan": plan}
    lines = document_lines("head_absence_statement", data)
    assert "局长当日须参加自治区防汛紧急会议，无法到庭。" in lines
    doc = opened(render("head_absence_statement", data, "land_bureau", NAMES, date(2026, 9, 21)))
    assert [row[0] for row in table_rows(doc)[1:]] == ["刘某", "陈某"]
    # at the next instance, before the unit arranges again, the earlier plan is not this hearing's
    later = document_lines("head_absence_statement", {**data, **SECOND_INSTANCE})
    assert "局长当日须参加自治区防汛紧急会议，无法到庭。" not in later


def test_the_loss_report_states_the_ruling_the_court_recorded() -> None:
    """The 判决结果 printed a blank line although record_judgment kept the decision's operative part."""
    summary = "一、撤销被告作出的收回国有土地使用权决定；\n二、案件受理费50元由被告负担。"
    decided = {**FIRST_JUDGMENT, "outcome": "revoked", "decision_summary": summary, "lost": True}
    data = {**GOVERNMENT_CASE, "instance_history": [decided]}
    data.pop("loss_report")
    lines = document_lines("loss_analysis_report", data)
    heading = lines.index("二、人民法院的判决结果")
    assert lines[heading + 1 : heading + 3] == summary.splitlines()
    # what the unit writes in its report stands
    typed = document_lines("loss_analysis_report", {**data, "loss_report": FULL["loss_report"]})
    assert typed[typed.index("二、人民法院的判决结果") + 1] == "判决撤销被诉决定。"


def test_a_blank_in_a_table_cell_fits_its_column() -> None:
    """A value the case lacks printed as six full-width underscores in every cell: in the narrow columns (页数,
    证据种类, 姓名) the line wrapped onto two or three, making an empty row three lines high."""
    margins = 2 * Mm(1.9)  # Word's default cell margins, left and right
    for key in catalog():
        doc = opened(render(key, {}, None, Names(), date(2026, 9, 21)))
        for grid in doc.tables:
            widths = [int(c.get(qn("w:w"))) * 635 for c in grid._tbl.tblGrid.findall(qn("w:gridCol"))]  # EMU
            for row in grid.rows[1:]:
                for width, cell in zip(widths, row.cells, strict=True):
                    if cell.text and set(cell.text) == {"＿"}:
                        assert len(cell.text) * Pt(10.5) <= width - margins, (key, cell.text, width)
