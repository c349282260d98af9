"""The posts (职务) the directory file gives people fill what the forms and documents ask of them: the legal
representative's post on the certificate (Art. 6), the unit head an arrangement sends (Art. 16)."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document

from tests.processes.support import SignIn
from tests.processes.test_litigation_case import LAND_BUREAU_SUED, CaseDesk, materials, open_case
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import FixedClock
from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services import documents
from workflow_host.services.directory import load_directory

NOW = "2026-03-02T09:00"
POSTS = """users:
  - {username: land_head, name: 王某某, position: 局长, unit: land_bureau, roles: [handling_unit]}
  - {username: district_head, name: 刘某某, position: 代区长, roles: [district_head]}
"""


@pytest.fixture
def desk(measures: Host, measures_api: SignIn, clock: FixedClock) -> CaseDesk:
    """Every diagram and form of the measures deployed, the heads' posts in the directory."""
    with measures.database.transaction() as session:
        load_directory(session, POSTS)
    return CaseDesk(measures, measures_api, clock)


def page(desk: CaseDesk, username: str, name: str) -> tuple[str, str]:
    """The task's id and its page as `username` sees it."""
    task = desk.task(username, name)
    web = Web(create_app({"TESTING": True, "HOST": desk.host}), username)
    return str(task["id"]), web.get(f"/tasks/{task['id']}").get_data(as_text=True)


def value_of(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="f\.{re.escape(name)}"[^>]*?value="([^"]*)"', html)
    return found.group(1) if found else None


def certificate_of(html: str) -> list[str | None]:
    return [value_of(html, f"legal_representative_certificate.{f}") for f in ("organ", "name", "position")]


def printed(desk: CaseDesk, task_id: str, key: str) -> list[str]:
    with desk.host.database.transaction() as session:
        officer = session.get(User, "land_officer")
        assert officer is not None
        made = documents.prepare_for_task(session, officer, task_id, key)
    return [p.text for p in Document(io.BytesIO(made.data)).paragraphs]


def test_a_unit_head_s_post_starts_the_certificate_and_the_arrangement_and_is_printed(desk: CaseDesk) -> None:
    open_case(desk, **LAND_BUREAU_SUED)
    task_id, html = page(desk, "land_officer", "prepare_defence")
    assert certificate_of(html) == ["石拐区自然资源局", "王某某", "局长"]
    certificate = printed(desk, task_id, "legal_representative_certificate")
    assert "王某某，在石拐区自然资源局任局长职务，系我单位法定代表人。" in certificate

    desk.complete("land_officer", "prepare_defence", materials("石拐区自然资源局"))
    desk.complete("jb_staff", "formal_review", {"materials_complete": True, "review_opinion": "材料及手续齐备"})
    desk.at("2026-03-10T09:00")
    sealed = ["statement_of_defence", "legal_representative_certificate", "power_of_attorney"]
    desk.complete("clerk", "affix_seal", {"seal_affixed": True, "sealed_on": "2026-03-10", "sealed_documents": sealed})
    filed = {"filed_on": "2026-03-10", "filed_by": "司法局干部", "filing_method": "in_person"}
    desk.complete("jb_staff", "file_defence", filed)
    _task_id, html = page(desk, "land_officer", "arrange_appearance")  # Art. 16: the head who would appear
    assert (value_of(html, "unit_head.name"), value_of(html, "unit_head.position")) == ("王某某", "局长")


def test_the_district_head_s_post_in_the_directory_is_the_government_s_representative_s(desk: CaseDesk) -> None:
    open_case(desk, defendant="district_government", notice_received_on="2026-03-02", complaint_served_on="2026-03-02")
    desk.complete("clerk", "submit_for_signoff", {"submission_note": "拟请区自然资源局会同区司法局办理。"})
    for signer in ("office_deputy", "director_wang", "li_vice"):
        desk.complete(signer, "sign", {"signoff_decision": "agree", "signoff_opinion": "同意"})
    desk.at("2026-03-03T09:00")
    desk.complete("clerk", "forward_notice", {"forwarded_on": "2026-03-03"})
    task_id, html = page(desk, "land_officer", "prepare_defence")
    assert certificate_of(html) == ["包头市石拐区人民政府", "刘某某", "代区长"]  # not the constant 区长
    assert "法定代表人：刘某某，职务：代区长。" in printed(desk, task_id, "statement_of_defence")
