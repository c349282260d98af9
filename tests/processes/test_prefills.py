"""What the forms after the defence start with: what the case or the signed-in person already says, editable,
and never a fact the person did not confirm (a clerk is not the head who urged performance)."""

from __future__ import annotations

import re

import pytest

from tests.processes.support import SignIn
from tests.processes.test_litigation_case import (
    ATTEND,
    LAND_BUREAU_SUED,
    SEALED,
    UNIT_HEAD_APPEARS,
    CaseDesk,
    attendee,
    hearing_record,
    materials,
    open_case,
)
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import FixedClock
from workflow_host.host import Host
from workflow_host.services.directory import load_directory

NOW = "2026-03-02T09:00"
SUMMARY = "被告石拐区自然资源局于2026年6月30日前重新作出答复；原告放弃其他诉讼请求。"


@pytest.fixture
def desk(measures: Host, measures_api: SignIn, clock: FixedClock) -> CaseDesk:
    """Every diagram and form of the measures deployed."""
    return CaseDesk(measures, measures_api, clock)


def page(desk: CaseDesk, username: str, name: str) -> str:
    task = desk.task(username, name)
    web = Web(create_app({"TESTING": True, "HOST": desk.host}), username)
    return web.get(f"/tasks/{task['id']}").get_data(as_text=True)


def value_of(html: str, name: str) -> str | None:
    found = re.search(rf'<(?:input|textarea)[^>]*name="f\.{re.escape(name)}"[^>]*?(?:value="([^"]*)"[^>]*)?>', html)
    if found is None:
        return None
    if found.group(0).startswith("<textarea"):
        text = re.search(rf'name="f\.{re.escape(name)}"[^>]*>([^<]*)</textarea>', html)
        return text.group(1).strip() if text else None
    return found.group(1)


POSTS = """users:
  - {username: land_officer, name: 自然资源局法制员, position: 科员, unit: land_bureau, roles: [handling_unit]}
  - {username: land_head, name: 自然资源局局长, position: 局长, unit: land_bureau, roles: [handling_unit]}
"""


def test_a_mediated_case_s_forms_start_with_what_the_case_and_the_person_say(desk: CaseDesk) -> None:
    with desk.host.database.transaction() as session:
        load_directory(session, POSTS)  # the directory gives the officer's and the head's posts
    open_case(desk, **LAND_BUREAU_SUED)
    desk.complete("land_officer", "prepare_defence", materials("石拐区自然资源局"))
    desk.complete("jb_staff", "formal_review", {"materials_complete": True, "review_opinion": "材料及手续齐备"})
    desk.at("2026-03-10T09:00")
    assert value_of(page(desk, "clerk", "affix_seal"), "sealed_on") == "2026-03-10"  # sealed now, at this step
    desk.complete("clerk", "affix_seal", {"seal_affixed": True, "sealed_on": "2026-03-10", "sealed_documents": SEALED})
    desk.complete(
        "jb_staff", "file_defence", {"filed_on": "2026-03-10", "filed_by": "司法局干部", "filing_method": "in_person"}
    )
    desk.complete("land_officer", "arrange_appearance", UNIT_HEAD_APPEARS)
    desk.complete("land_officer", "prepare_hearing", ATTEND)
    desk.fire_timers("2026-04-14T09:31")
    desk.at("2026-04-14T16:00")
    desk.complete("land_officer", "record_hearing", hearing_record(attendee("张某某", "unit_head", "land_bureau")))

    desk.at("2026-04-20T10:00")
    case_no = desk.task("land_officer", "record_judgment")["case_no"]
    assert value_of(page(desk, "land_officer", "record_judgment"), "decision_no") == case_no
    mediated = {
        "decision_form": "mediation_statement",
        "outcome": "mediated",
        "decision_served_on": "2026-04-20",
        "decision_no": case_no,
        "decision_summary": SUMMARY,
    }
    desk.complete("land_officer", "record_judgment", mediated)

    officer = page(desk, "land_officer", "record_performance")
    assert value_of(officer, "obligations") == SUMMARY  # the mediation statement's terms, to edit
    assert not value_of(officer, "head_urging.head_name")  # a clerk is not the head who urged
    assert not value_of(officer, "head_urging.position")  # nor is the clerk's post the head's
    head = page(desk, "land_head", "record_performance")
    assert value_of(head, "head_urging.head_name") == "自然资源局局长"
    assert value_of(head, "head_urging.position") == "局长"  # the head's post, from the directory
    performed = {
        "obligations": SUMMARY,
        "actions": [{"action": "重新作出答复", "done_on": "2026-04-25", "evidence": "答复书"}],
        "head_urging": {"head_name": "自然资源局局长", "position": "局长", "urged_on": "2026-04-21"},
        "performance_status": "performed",
    }
    desk.complete("land_head", "record_performance", performed)
    desk.at("2026-04-28T10:00")
    volume = page(desk, "land_officer", "file_case_records")
    assert value_of(volume, "archivist") == "自然资源局法制员"
    assert value_of(volume, "archived_on") == "2026-04-28"  # filed now, at this step
    offered = set(re.findall(r'name="f\.documents" value="(\w+)"', volume))
    assert {"response_notice", "court_decisions", "compliance_record"} <= offered
    assert not {"signoff_opinions", "retrial_materials", "appeal_materials", "loss_report"} & offered  # none here
