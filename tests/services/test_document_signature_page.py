"""A signed document never ends on a page holding only its closing and signature: a page with 此致, the seal and
the date but none of the text they sign is no signature a court takes (GB/T 9704-2012 7.3.5). Nor does a heading end
a page apart from what it heads."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from tests.services.test_documents import AGENTS, FULL, MATERIALS, NAMES, _to_pdf
from workflow_host.services.document_render import render

# the walk's case: two agents, a general authority, a cause as long as a penalty decision's number makes it
WALKED = {
    **FULL,
    "cause": "不服石拐区自然资源局作出的石自然资罚〔2026〕12号行政处罚决定",
    "power_of_attorney": {
        **MATERIALS["power_of_attorney"],  # type: ignore[dict-item]
        "authority_scope": "general",
        "special_powers": [],
        "agents": [AGENTS[0], {**AGENTS[1], "agent_type": "legal_adviser", "work_unit": "内蒙古某某律师事务所"}],
    },
    "unit_arrangements": {
        "land_bureau": {
            "head_absence_statement": "本机关负责人因同日须参加自治区自然资源厅召开的全区耕地保护专项督察会议，"
            "不能出庭应诉，特委托本机关工作人员刘某和法律顾问陈某出庭应诉。",
            "agents": AGENTS,
        }
    },
}


def pages(tmp_path: Path, key: str, data: dict[str, Any]) -> list[str]:
    _to_pdf(tmp_path, {key: render(key, data, "land_bureau", NAMES, date(2026, 10, 13))})
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    text = subprocess.run(["pdftotext", str(tmp_path / f"{key}.pdf"), "-"], capture_output=True, check=True).stdout
    return [page for page in text.decode().split("\f") if page.strip()]


# with one agent the power of attorney's 委托人（盖章） and 法定代表人（签字） fell on a page of their own, after 此致
ONE_AGENT = {**FULL, "power_of_attorney": {**MATERIALS["power_of_attorney"], "agents": AGENTS[:1]}}  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("key", "data", "signed", "text_before"),
    [
        ("power_of_attorney", WALKED, "法定代表人（签字）", "受委托人应当在委托权限范围内进行诉讼活动"),
        ("power_of_attorney", ONE_AGENT, "法定代表人（签字）", "此致"),
        ("head_absence_statement", WALKED, "主要负责人（签字）", "特此说明。"),
    ],
    ids=["two-agents", "one-agent", "head-absence"],
)
def test_the_signature_page_holds_the_end_of_the_text_it_signs(
    tmp_path: Path, key: str, data: dict[str, Any], signed: str, text_before: str
) -> None:
    printed = pages(tmp_path, key, data)
    [signature] = [page for page in printed if signed in page]
    assert text_before in signature.replace("\n", ""), f"{key}: {len(printed)} pages, the signature alone on the last"


def test_a_heading_keeps_with_what_it_heads() -> None:
    """A walk found the loss report's （三）整改落实措施 at the foot of page 1 and its table on page 2."""
    doc = Document(io.BytesIO(render("loss_analysis_report", FULL, "land_bureau", NAMES, date(2026, 12, 20))))
    headings = [p for p in doc.paragraphs if p.style.name in ("一级标题", "二级标题")]
    assert [p.text for p in headings][:3] == [
        "一、诉讼案件的基本案情",
        "二、人民法院的判决结果",
        "三、有关的工作建议、意见及整改落实措施",
    ]
    assert all(p.style.paragraph_format.keep_with_next for p in headings)
