"""A case that ends before its hearing (processes/litigation_case.bpmn, ALL Art. 62): the plaintiff withdraws, or
the court dismisses the suit, before any hearing. The unit says so where it would record the hearing notice; the
case goes straight to the decision, and the Art. 19 report counts the case but no hearing."""

from __future__ import annotations

from tests.processes.test_litigation_case import (  # noqa: F401  (NOW and desk are the fixtures' module values)
    NOW,
    CaseDesk,
    archive,
    defend,
    desk,
    open_case,
)
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
