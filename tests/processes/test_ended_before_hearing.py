"""A case that ends before its hearing (processes/litigation_case.bpmn, ALL Art. 62): the plaintiff withdraws, or
the court dismisses the suit, before any hearing. The unit says so where it would record the hearing notice, or,
when the hearing time was already known, where it would record the hearing (hearing.bpmn); the case goes on to the
decision, and the Art. 19 report counts the case but no hearing."""

from __future__ import annotations

from typing import Any

from tests.processes.test_litigation_case import (  # noqa: F401  (NOW and desk are the fixtures' module values)
    ATTEND,
    LAND_BUREAU_SUED,
    NOW,
    UNIT_HEAD_APPEARS,
    CaseDesk,
    archive,
    attendee,
    defend,
    desk,
    hearing_record,
    open_case,
    second_hearing_arranged,
)
from tests.web.test_pages import Web
from tests.web.test_yes_no import rows
from workflow_host import create_app
from workflow_host.models import User
from workflow_host.services.reports import Figures, annual_report

UNIT_SUED = {
    "defendant": "unit",
    "defendant_unit": "land_bureau",
    "notice_received_on": "2026-03-02",
    "complaint_served_on": "2026-03-02",
}


def district(desk: CaseDesk) -> Figures:  # noqa: F811
    with desk.host.database.transaction() as session:
        reader = session.get(User, "jb_staff")
        assert reader is not None
        return annual_report(session, reader, 2026).total


def test_a_suit_withdrawn_before_the_hearing_goes_to_the_decision_and_the_archive_with_no_hearing(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = open_case(desk, **UNIT_SUED)
    defend(desk, "2026-03-10")
    notice = desk.task("land_officer", "record_hearing_notice")
    without_time = desk("land_officer").post(f"/tasks/{notice['id']}/complete", json={"data": {}})
    assert without_time.status_code == 422  # a hearing still to come needs its time
    assert desk.task("land_officer", "record_hearing_notice")["id"] == notice["id"]

    # the land bureau corrected its act and the plaintiff withdrew: no summons ever came
    desk.at("2026-03-25T10:00")
    desk.complete("land_officer", "record_hearing_notice", {"ended_before_hearing": True})
    assert desk.holders() == {"land_officer": ["record_judgment"], "land_head": ["record_judgment"]}
    withdrawn = {"decision_form": "ruling", "outcome": "withdrawn", "decision_served_on": "2026-03-25"}
    desk.complete("land_officer", "record_judgment", withdrawn)

    assert desk.holders() == {"land_officer": ["file_case_records"], "land_head": ["file_case_records"]}
    archive(desk, "2026-03-30")
    case = desk.case(case_id)
    assert case["status"] == "completed"
    data = case["data"]
    assert "hearing_record" not in data
    assert "appearance_plan" not in data
    [entry] = data["instance_history"]
    assert (entry["outcome"], entry["effective_on"], entry["hearing_held"]) == ("withdrawn", "2026-03-25", False)
    assert (entry["head_appeared"], entry["unit_head_appeared"]) == (False, False)

    total = district(desk)
    assert (total.cases, total.decided, total.won, total.lost) == (1, 1, 1, 0)
    assert (total.hearings, total.heads_appeared, total.appearance_rate) == (0, 0, None)


def hearing_day_passed(desk: CaseDesk, hearing_on: str) -> dict[str, Any]:  # noqa: F811
    """The agents confirmed attendance, the time the court had set passed; the unit's record of the hearing."""
    desk.complete("land_officer", "prepare_hearing", ATTEND)
    desk.fire_timers(hearing_on + ":01")
    desk.at(hearing_on[:10] + "T16:00")
    return desk.task("land_officer", "record_hearing")


WITHDRAWN = "原告于开庭前以被诉行为已改变为由申请撤诉，人民法院裁定准许撤诉，本案未开庭。"


def test_a_suit_withdrawn_before_the_hearing_set_at_intake_is_recorded_at_the_hearing_with_no_hearing_held(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = open_case(desk, **LAND_BUREAU_SUED)  # the summons came with the notice: no hearing notice step
    defend(desk, "2026-03-10")
    desk.complete("land_officer", "arrange_appearance", UNIT_HEAD_APPEARS)
    record = hearing_day_passed(desk, "2026-04-14T09:30")
    held = desk("land_officer").post(f"/tasks/{record['id']}/complete", json={"data": {"ended_before_hearing": False}})
    assert held.status_code == 422  # a hearing that took place is recorded in full
    missing = {e["field"] for e in held.get_json()["errors"]}
    assert missing == {
        "/attended_on_time",
        "/attendees",
        "/hearing_summary",
        "/mediation_attempted",
        "/has_major_issues",
    }
    assert desk.task("land_officer", "record_hearing")["id"] == record["id"]  # nothing kept

    desk.complete(
        "land_officer", "record_hearing", {"ended_before_hearing": True, "ended_before_hearing_note": WITHDRAWN}
    )
    assert desk.holders() == {"land_officer": ["record_judgment"], "land_head": ["record_judgment"]}
    withdrawn = {"decision_form": "ruling", "outcome": "withdrawn", "decision_served_on": "2026-04-14"}
    desk.complete("land_officer", "record_judgment", withdrawn)
    archive(desk, "2026-04-20")

    case = desk.case(case_id)
    assert case["status"] == "completed"
    data = case["data"]
    assert data["hearing_record"] == {
        "hearing_held": False,
        "instance_level": "first",
        "ended_before_hearing_note": WITHDRAWN,
        "recorded_on": "2026-04-14",
    }
    assert (data["head_appeared"], data["head_appeared_first_instance"]) == (False, False)
    [entry] = data["instance_history"]
    assert (entry["outcome"], entry["hearing_held"], entry["head_must_appear"]) == ("withdrawn", False, None)
    assert (entry["head_appeared"], entry["unit_head_appeared"]) == (False, False)
    total = district(desk)
    assert (total.cases, total.decided, total.won, total.lost) == (1, 1, 1, 0)
    assert (total.hearings, total.heads_appeared, total.appearance_rate) == (0, 0, None)

    # the case page says no hearing was held, and shows no empty attendance, attendees or mediation for one
    page = Web(create_app({"TESTING": True, "HOST": desk.host}), "clerk").get(f"/cases/{case_id}")
    shown = rows(page.get_data(as_text=True))
    record_lines = shown["庭审情况"].splitlines()
    assert "已开庭审理：否" in record_lines
    assert f"未开庭审结情况：{WITHDRAWN}" in record_lines
    assert not [
        line for line in record_lines if line.startswith(("出庭人员", "按人民法院通知准时出庭", "人民法院组织调解"))
    ]
    assert "已开庭审理：否" in [line.strip() for line in shown["各审级办理情况"].splitlines()]


def test_a_second_instance_ended_before_its_hearing_needs_no_article_13_head_and_counts_no_hearing(
    desk: CaseDesk,  # noqa: F811
) -> None:
    """At second instance after a loss, Art. 13 item 1 required the heads at the hearing; the plaintiff withdrew the
    suit before the day, so nobody appeared, and the record is not refused for the heads' absence."""
    case_id = second_hearing_arranged(desk)
    record = hearing_day_passed(desk, "2026-06-16T09:30")
    agents_only = hearing_record(attendee("法制员1", "staff", "land_bureau"))
    refused = desk("land_officer").post(f"/tasks/{record['id']}/complete", json={"data": agents_only})
    assert refused.status_code == 422
    assert refused.get_json()["reason"].startswith("第十三条规定必须出庭的")  # a hearing held without them

    withdrawn = "被上诉人（原审原告）于二审开庭前申请撤回起诉，二审法院裁定准许并撤销一审判决。"
    desk.complete(
        "land_officer", "record_hearing", {"ended_before_hearing": True, "ended_before_hearing_note": withdrawn}
    )
    assert desk.holders() == {"land_officer": ["record_judgment"], "land_head": ["record_judgment"]}
    final = {"decision_form": "ruling", "outcome": "withdrawn", "decision_served_on": "2026-06-16"}
    desk.complete("land_officer", "record_judgment", final)

    first, second = desk.case(case_id)["data"]["instance_history"]
    assert (first["hearing_held"], first["head_must_appear"], first["unit_head_appeared"]) == (True, False, True)
    assert (second["instance_level"], second["hearing_held"], second["head_must_appear"]) == ("second", False, None)
    assert (second["head_appeared"], second["unit_head_appeared"]) == (False, False)
    total = district(desk)
    # the first instance's hearing, at which the unit's head appeared; no Art. 13 hearing at all
    assert (total.hearings, total.heads_appeared, total.art13_hearings, total.art13_heads_appeared) == (1, 1, 0, 0)
