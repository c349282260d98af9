"""Art. 10 retrial (processes/retrial.bpmn) run over the JSON API by the people its lanes name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.conftest import FIXTURES
from tests.processes.support import (
    DECIDERS_AND_UNITS,
    PROCESSES,
    Desk,
    at,
    check_strict_layout,
    complete,
    holders,
    only_task,
    refused,
    start_case,
)
from workflow_host.services.calendar import load_calendar_year
from workflow_host.services.recompute import recompute_provisional

DIAGRAMS = ("retrial.bpmn",)
NOW = "2026-04-10T09:00"  # a week after the judgment took effect, unless a test moves the clock
EVERYONE = DECIDERS_AND_UNITS
# Effective on Fri 3 April 2026: six months on is Sat 3 October, inside the National Day holiday (1-7 Oct),
# so the period ends on Thu 8 October.
CASE = {
    "case_no": "(2026)蒙02行终8号",
    "instance_level": "second",
    "outcome": "revoked",
    "effective_on": "2026-04-03",
    "handling_units": ["land_bureau"],
    "significance": "ordinary",
}
REPORT = {
    "retrial_requested": True,
    "retrial_grounds": ["wrong_application_of_law", "new_evidence"],
    "retrial_reasons": "终审判决适用《土地管理法》第五十八条错误，且新发现的测绘报告足以推翻原判决。",
    "retrial_claims": "撤销二审判决，维持被诉决定。",
}
APPROVE = {"retrial_approved": True}
REFUSE = {"retrial_approved": False, "government_retrial_opinion": "再审理由不充分，不同意申请再审。"}
PERIOD_END = "2026-10-08"


def start(desk: Desk, **changes: Any) -> int:
    return start_case(desk("clerk"), "retrial", {**CASE, **changes})


def outputs(data: dict[str, Any]) -> tuple[Any, ...]:
    return data["retrial_requested"], data["retrial_approved"], data["retrial_filed"]


def test_an_approved_retrial_is_applied_for_within_six_months_of_effect(desk: Desk) -> None:
    case_id = start(desk)
    assert holders(desk, EVERYONE) == ["land_officer"]
    report = only_task(desk("land_officer"), "report_retrial")
    assert (report["unit"], report["lane"]) == ("land_bureau", "handling_unit")
    assert datetime.fromisoformat(report["due_at"]) == at(f"{PERIOD_END}T23:59:59")
    assert report["due_provisional"] is False  # 2026's holidays are known
    assert "第十条" in desk("land_officer").get(f"/tasks/{report['id']}").get_json()["instructions"]
    assert desk("town_officer").post(f"/tasks/{report['id']}/complete", json={"data": REPORT}).status_code == 403
    complete(desk("land_officer"), "report_retrial", REPORT)

    assert holders(desk, EVERYONE) == ["li_vice"]  # the vice head in charge of the land bureau
    decision = only_task(desk("li_vice"), "decide_retrial")
    assert (decision["lane"], decision["unit"]) == ("vice_head_in_charge", "land_bureau")
    shown = desk("li_vice").get(f"/tasks/{decision['id']}").get_json()
    assert shown["data"]["retrial_reasons"] == REPORT["retrial_reasons"]
    assert desk.case(case_id)["deadlines"] == []  # no deadline to meet until the government consents
    complete(desk("li_vice"), "decide_retrial", APPROVE)

    assert holders(desk, EVERYONE) == ["land_officer"]
    application = only_task(desk("land_officer"), "apply_retrial")
    assert datetime.fromisoformat(application["due_at"]) == at(f"{PERIOD_END}T23:59:59")
    [deadline] = desk.case(case_id)["deadlines"]
    assert deadline["variable"] == "retrial_deadline"
    assert deadline["title"] == "申请再审期限（行政诉讼法第九十条、司法解释第一百一十条）"
    assert (deadline["rule"], deadline["start_on"]) == ("6 个月", "2026-04-03")
    assert (deadline["due_on"], deadline["status"], deadline["provisional"]) == (PERIOD_END, "open", False)
    assert refused(desk("land_officer"), "apply_retrial", {"retrial_filed_on": "2026-04-31"}) == {
        "/",
        "/retrial_filed_on",
    }

    desk.at(f"{PERIOD_END}T16:00")  # the first working day after the holiday is still in time
    complete(
        desk("land_officer"),
        "apply_retrial",
        {"retrial_filed_on": PERIOD_END, "retrial_court": "内蒙古自治区高级人民法院"},
    )
    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert outputs(done["data"]) == (True, True, True)
    assert done["data"]["retrial_grounds"] == REPORT["retrial_grounds"]
    [deadline] = done["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("met", "land_officer")
    assert desk("clerk").post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_the_end_of_the_period_in_a_year_the_calendar_does_not_know_is_shown_as_provisional(desk: Desk) -> None:
    # six months from 2 September 2026 end in March 2027, before the State Council publishes 2027's holidays
    start(desk, effective_on="2026-09-02")
    report = only_task(desk("land_officer"), "report_retrial")
    assert (report["due_at"][:10], report["due_provisional"]) == ("2027-03-02", True)


def test_loading_the_year_moves_the_end_of_the_period_in_the_case_and_on_its_tasks(desk: Desk) -> None:
    # six months from 9 August 2026 end on Tue 9 February 2027: a weekday, so provisionally that day; the
    # (test) notice for 2027 then makes 8-12 February a holiday, so the period ends on Mon 15 February
    desk.at("2026-08-10T09:00")
    case_id = start(desk, effective_on="2026-08-09")
    report = only_task(desk("land_officer"), "report_retrial")
    assert (report["due_at"][:10], report["due_provisional"]) == ("2027-02-09", True)

    desk.at("2026-11-20T09:00")  # the State Council's notice for 2027 is out

    with desk.host.database.transaction() as session:
        load_calendar_year(session, (FIXTURES / "calendar/2027-test.yaml").read_text(encoding="utf-8"), "admin")
    desk.host.calendar.invalidate()
    moved = recompute_provisional(desk.host.database, desk.host.runtime, desk.host.calendar.current(), "admin")
    assert moved == ["retrial_period_ends_on"]

    report = only_task(desk("land_officer"), "report_retrial")
    assert (report["due_at"][:10], report["due_provisional"]) == ("2027-02-15", False)
    data = desk.case(case_id)["data"]
    assert (data["retrial_period_ends_on"], data["retrial_period_ends_on_provisional"]) == ("2027-02-15", False)
    assert recompute_provisional(desk.host.database, desk.host.runtime, desk.host.calendar.current(), "admin") == []
    complete(desk("land_officer"), "report_retrial", REPORT)  # the next task shows the final end too
    decide = only_task(desk("li_vice"), "decide_retrial")
    assert (decide["due_at"][:10], decide["due_provisional"]) == ("2027-02-15", False)
    verified = desk("clerk").post(f"/instances/{case_id}/verify").get_json()
    assert verified["ok"] is True, verified  # replay moves it too


def test_an_application_after_six_months_is_recorded_as_missed(desk: Desk) -> None:
    case_id = start(desk)
    complete(desk("land_officer"), "report_retrial", REPORT)
    complete(desk("li_vice"), "decide_retrial", APPROVE)
    desk.at("2026-10-09T09:00")
    complete(
        desk("land_officer"),
        "apply_retrial",
        {"retrial_filed_on": "2026-10-09", "retrial_court": "内蒙古自治区高级人民法院"},
    )
    [deadline] = desk.case(case_id)["deadlines"]
    assert deadline["status"] == "missed"


def test_without_the_governments_consent_no_retrial_is_applied_for(desk: Desk) -> None:
    case_id = start(desk)
    complete(desk("land_officer"), "report_retrial", REPORT)
    assert refused(desk("li_vice"), "decide_retrial", {"retrial_approved": False}) == {"/"}
    complete(desk("li_vice"), "decide_retrial", REFUSE)

    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert holders(desk, EVERYONE) == []
    assert outputs(done["data"]) == (True, False, False)
    assert done["data"]["government_retrial_opinion"] == REFUSE["government_retrial_opinion"]
    assert done["deadlines"] == []


def test_a_unit_that_does_not_consider_the_decision_wrong_ends_it_and_reasons_are_required_to_report(
    desk: Desk,
) -> None:
    case_id = start(desk)
    assert refused(desk("land_officer"), "report_retrial", {"retrial_requested": True}) == {"/"}
    bare = {"retrial_requested": True, "retrial_grounds": [], "retrial_reasons": "有错误"}
    assert refused(desk("land_officer"), "report_retrial", bare) == {"/retrial_grounds", "/retrial_reasons"}
    unknown = {**REPORT, "retrial_grounds": ["dislike"]}
    assert refused(desk("land_officer"), "report_retrial", unknown) == {"/retrial_grounds/0"}
    complete(desk("land_officer"), "report_retrial", {"retrial_requested": False})

    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert holders(desk, EVERYONE) == []
    assert outputs(done["data"]) == (False, None, False)  # the vice head was never asked


def test_a_major_matter_is_decided_by_the_principal_head_and_other_units_see_nothing(desk: Desk) -> None:
    start(desk, significance="major", handling_units=["wudangzhao"])
    assert holders(desk, EVERYONE) == ["town_officer"]
    complete(desk("town_officer"), "report_retrial", REPORT)
    assert holders(desk, EVERYONE) == ["district_head"]
    assert only_task(desk("district_head"), "decide_retrial")["lane"] == "district_head"
    complete(desk("district_head"), "decide_retrial", APPROVE)
    assert holders(desk, EVERYONE) == ["town_officer"]


def test_the_diagram_is_drawn_lane_by_lane_and_every_element_names_its_article() -> None:
    check_strict_layout(PROCESSES / "retrial.bpmn")
