"""Art. 8-9 appeal (processes/appeal.bpmn) run over the JSON API by the people its lanes name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.processes.support import (
    DECIDERS_AND_UNITS,
    PROCESSES,
    Desk,
    at,
    check_strict_layout,
    complete,
    holders,
    inbox,
    only_task,
    refusal,
    refused,
    start_case,
)
from workflow_host.services.calendar import load_calendar_year
from workflow_host.services.notices import fire_due_notices
from workflow_host.services.recompute import recompute_provisional

DIAGRAMS = ("appeal.bpmn",)
NOW = "2026-09-22T09:00"  # the day after the judgment was served, unless a test moves the clock
EVERYONE = DECIDERS_AND_UNITS
# A first-instance judgment served on Monday 21 September 2026: the 5 days end on Sat 26 Sep, inside the
# Mid-Autumn holiday (25-27 Sep), so on Mon 28 Sep; the 15 days end on 6 Oct, inside National Day (1-7 Oct),
# so on Thu 8 Oct.
CASE = {
    "case_no": "(2026)蒙0205行初31号",
    "court": "包头市石拐区人民法院",
    "instance_level": "first",
    "decision_form": "judgment",
    "outcome": "revoked",
    "lost": True,
    "decision_served_on": "2026-09-21",
    "handling_units": ["land_bureau"],
    "significance": "ordinary",
}
OPINION = {
    "unit_appeal_opinion": True,
    "appeal_grounds": "一审判决认定原告已取得土地使用权证据不足，适用法律错误。",
    "appeal_claims": "撤销一审判决，驳回原告诉讼请求。",
}
NO_OPINION = {"unit_appeal_opinion": False, "opinion_note": "服从一审判决。"}
APPEAL = {"government_decides_appeal": True, "government_appeal_opinion": "同意上诉。"}
NO_APPEAL = {"government_decides_appeal": False, "government_appeal_opinion": "一审判决并无不当，不上诉。"}
FILING = {"appeal_court": "包头市中级人民法院", "appeal_filed_through": "original_court"}


def start(desk: Desk, **changes: Any) -> int:
    return start_case(desk("clerk"), "appeal", {**CASE, **changes})


def outputs(data: dict[str, Any]) -> tuple[Any, ...]:
    keys = ("unit_appeal_opinion", "government_decides_appeal", "appeal_filed", "plaintiff_appealed")
    return tuple(data[k] for k in keys)


def test_a_unit_that_accepts_the_judgment_records_the_day_it_took_effect_after_the_appeal_period(desk: Desk) -> None:
    case_id = start(desk, outcome="dismissed_claim", lost=False)  # not a loss: the unit is still asked (Art. 8)
    assert holders(desk, EVERYONE) == ["land_officer"]
    task = only_task(desk("land_officer"), "submit_appeal_opinion")
    assert (task["unit"], task["lane"]) == ("land_bureau", "handling_unit")
    assert datetime.fromisoformat(task["due_at"]) == at("2026-09-28T23:59:59")
    shown = desk("land_officer").get(f"/tasks/{task['id']}").get_json()
    assert shown["form"]["schema"]["title"] == "报送上诉意见"
    assert "5日内" in shown["instructions"]
    assert desk("town_officer").post(f"/tasks/{task['id']}/complete", json={"data": NO_OPINION}).status_code == 403
    complete(desk("land_officer"), "submit_appeal_opinion", NO_OPINION)

    assert holders(desk, EVERYONE) == ["land_officer"]  # nothing reaches the district government
    assert refused(desk("land_officer"), "record_outcome", {"plaintiff_appealed": False}) == {"/"}
    desk.at("2026-10-12T10:00")
    for wrong, reason in (
        ("2026-10-08", "裁判生效日期须在上诉期限届满（2026-10-08）之后"),  # on the last day of the appeal period
        ("2026-10-13", "裁判生效日期不能晚于今天"),  # in the future
    ):
        said = refusal(desk("land_officer"), "record_outcome", {"plaintiff_appealed": False, "effective_on": wrong})
        assert said.startswith(reason), said
    assert "effective_on" not in desk.case(case_id)["data"]  # the wrong dates were not kept
    complete(desk("land_officer"), "record_outcome", {"plaintiff_appealed": False, "effective_on": "2026-10-09"})

    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert outputs(done["data"]) == (False, None, False, False)  # the government was never asked
    assert done["data"]["effective_on"] == "2026-10-09"
    events = desk("clerk").get(f"/instances/{case_id}/events").get_json()["events"]
    recorded = [e for e in events if e["type"] == "task_completed" and e["payload"]["name"] == "record_outcome"]
    assert len(recorded) == 1  # the history lists the record once, not once per wrong date
    [opinion_deadline] = done["deadlines"]
    assert opinion_deadline["variable"] == "appeal_opinion_deadline"
    assert (opinion_deadline["title"], opinion_deadline["rule"]) == ("上诉意见报送期限（第八条）", "5 日")
    assert (opinion_deadline["due_on"], opinion_deadline["status"]) == ("2026-09-28", "met")
    assert desk("clerk").post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_the_end_of_an_appeal_period_in_an_unknown_year_moves_when_the_year_is_loaded(desk: Desk) -> None:
    # served on Sun 20 December 2026: the 15 days end on Mon 4 January 2027, a weekday, so provisionally that day;
    # the (test) notice for 2027 makes 4-5 January a holiday, so the period ends on Wed 6 January
    desk.at("2026-12-21T09:00")
    case_id = start(desk, decision_served_on="2026-12-20", outcome="dismissed_claim", lost=False)
    complete(desk("land_officer"), "submit_appeal_opinion", NO_OPINION)
    data = desk.case(case_id)["data"]
    assert (data["appeal_period_ends_on"], data["appeal_period_ends_on_provisional"]) == ("2027-01-04", True)

    desk.at("2026-12-28T09:00")
    with desk.host.database.transaction() as session:
        load_calendar_year(session, (FIXTURES / "calendar/2027-test.yaml").read_text(encoding="utf-8"), "admin")
    desk.host.calendar.invalidate()
    moved = recompute_provisional(desk.host.database, desk.host.runtime, desk.host.calendar.current(), "admin")
    assert moved == ["appeal_period_ends_on"]
    data = desk.case(case_id)["data"]
    assert (data["appeal_period_ends_on"], data["appeal_period_ends_on_provisional"]) == ("2027-01-06", False)

    desk.at("2027-01-07T10:00")  # 5 January was inside the period as it now ends: not the day it took effect
    early = {"plaintiff_appealed": False, "effective_on": "2027-01-05"}
    assert "（2027-01-06）" in refusal(desk("land_officer"), "record_outcome", early)
    complete(desk("land_officer"), "record_outcome", {"plaintiff_appealed": False, "effective_on": "2027-01-07"})
    assert desk.case(case_id)["data"]["effective_on"] == "2027-01-07"
    assert desk("clerk").post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_the_district_government_may_decide_not_to_appeal_and_the_plaintiff_appeals(desk: Desk) -> None:
    case_id = start(desk)
    assert refused(desk("land_officer"), "submit_appeal_opinion", {"unit_appeal_opinion": True}) == {"/"}
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)

    assert holders(desk, EVERYONE) == ["li_vice"]  # the vice head in charge of the land bureau, nobody else
    task = only_task(desk("li_vice"), "decide_appeal")
    assert (task["lane"], task["unit"]) == ("vice_head_in_charge", "land_bureau")
    assert datetime.fromisoformat(task["due_at"]) == at("2026-10-08T23:59:59")  # leave time to file
    shown = desk("li_vice").get(f"/tasks/{task['id']}").get_json()
    assert shown["data"]["appeal_grounds"] == OPINION["appeal_grounds"]
    assert refused(desk("li_vice"), "decide_appeal", {"government_decides_appeal": False}) == {"/"}
    complete(desk("li_vice"), "decide_appeal", NO_APPEAL)

    assert holders(desk, EVERYONE) == ["land_officer"]
    assert refused(desk("land_officer"), "record_outcome", {"plaintiff_appealed": True}) == {"/"}
    both = {"plaintiff_appealed": True, "appellant": "plaintiff", "effective_on": "2026-10-09"}
    assert refused(desk("land_officer"), "record_outcome", both) == {"/"}  # no effective date when appealed
    appealed = {"plaintiff_appealed": True, "appellant": "plaintiff", "appeal_copy_received_on": "2026-10-09"}
    complete(desk("land_officer"), "record_outcome", appealed)

    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert outputs(done["data"]) == (True, False, False, True)
    assert "effective_on" not in done["data"]
    assert done["data"]["handling_units"] == ["land_bureau"]  # Art. 9: the same unit handles the appeal case
    assert done["data"]["government_appeal_opinion"] == NO_APPEAL["government_appeal_opinion"]
    assert [d["variable"] for d in done["deadlines"]] == ["appeal_opinion_deadline"]  # no appeal deadline


@pytest.mark.parametrize(
    ("form", "served", "rule", "due"),
    [
        ("judgment", "2026-09-21", "15 日", "2026-10-08"),  # 6 Oct is in the National Day holiday
        ("judgment", "2026-09-24", "15 日", "2026-10-09"),
        ("ruling", "2026-09-24", "10 日", "2026-10-08"),  # 4 Oct is in the National Day holiday
    ],
)
def test_an_appeal_decided_by_the_government_is_filed_within_the_statutory_period(
    desk: Desk, form: str, served: str, rule: str, due: str
) -> None:
    desk.at(f"{served}T16:00")
    case_id = start(desk, decision_form=form, decision_served_on=served)
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)
    complete(desk("li_vice"), "decide_appeal", APPEAL)

    assert holders(desk, EVERYONE) == ["land_officer"]
    filing = only_task(desk("land_officer"), "file_appeal")
    assert datetime.fromisoformat(filing["due_at"]) == at(f"{due}T23:59:59")
    deadline = {d["variable"]: d for d in desk.case(case_id)["deadlines"]}["appeal_deadline"]
    assert deadline["title"] == "上诉期限（行政诉讼法第八十五条）"
    assert (deadline["rule"], deadline["start_on"]) == (rule, served)
    assert (deadline["due_on"], deadline["status"], deadline["provisional"]) == (due, "open", False)

    desk.at(f"{due}T17:00")
    complete(desk("land_officer"), "file_appeal", {**FILING, "appeal_filed_on": due})
    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert outputs(done["data"]) == (True, True, True, None)  # nobody was asked whether the other side appealed too
    assert done["data"]["appeal_filed_on"] == due
    deadline = {d["variable"]: d for d in done["deadlines"]}["appeal_deadline"]
    assert (deadline["status"], deadline["closed_by"]) == ("met", "land_officer")


def test_a_filing_after_the_appeal_period_is_recorded_as_missed(desk: Desk) -> None:
    case_id = start(desk)
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)
    complete(desk("li_vice"), "decide_appeal", APPEAL)
    desk.at("2026-10-09T09:00")
    complete(desk("land_officer"), "file_appeal", {**FILING, "appeal_filed_on": "2026-10-09"})
    deadline = {d["variable"]: d for d in desk.case(case_id)["deadlines"]}["appeal_deadline"]
    assert deadline["status"] == "missed"


def test_a_major_matter_is_decided_by_the_principal_head(desk: Desk) -> None:
    start(desk, significance="major")
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)
    assert holders(desk, EVERYONE) == ["district_head"]
    assert only_task(desk("district_head"), "decide_appeal")["lane"] == "district_head"
    complete(desk("district_head"), "decide_appeal", APPEAL)
    assert inbox(desk("land_officer")) == ["file_appeal"]


def test_the_units_of_the_case_alone_see_its_tasks(desk: Desk) -> None:
    start(desk, handling_units=["wudangzhao"])
    assert holders(desk, EVERYONE) == ["town_officer"]
    task = only_task(desk("town_officer"), "submit_appeal_opinion")
    assert desk("land_officer").post(f"/tasks/{task['id']}/complete", json={"data": OPINION}).status_code == 403
    complete(desk("town_officer"), "submit_appeal_opinion", OPINION)
    assert holders(desk, EVERYONE) == ["li_vice"]  # supervises the township too
    complete(desk("li_vice"), "decide_appeal", APPEAL)
    assert holders(desk, EVERYONE) == ["town_officer"]


@pytest.mark.parametrize("outcome", ["mediated", "withdrawn"])
def test_a_decision_that_cannot_be_appealed_is_effective_without_an_opinion(desk: Desk, outcome: str) -> None:
    case_id = start(desk, outcome=outcome, lost=False, decision_form="ruling")
    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert holders(desk, EVERYONE) == []
    assert (done["data"]["effective_on"], done["deadlines"]) == ("2026-09-21", [])
    assert outputs(done["data"]) == (None, None, False, None)  # nobody was asked anything


def messages(desk: Desk, username: str) -> list[str]:
    response = desk(username).get("/notifications")
    assert response.status_code == 200, response.get_json()
    return [n["message"] for n in response.get_json()["notifications"]]


def test_an_opinion_not_submitted_in_five_days_is_escalated_and_still_taken(desk: Desk) -> None:
    case_id = start(desk)
    database = desk.host.database
    # the last working day before the due day (Mon 28 Sep) is Thu 24 Sep, before the Mid-Autumn holiday
    assert fire_due_notices(database, at("2026-09-24T08:59")) == []
    assert len(fire_due_notices(database, at("2026-09-24T09:00"))) == 1
    [reminder] = messages(desk, "land_officer")
    assert reminder.startswith("提醒")
    assert "上诉意见报送期限（第八条）" in reminder
    assert messages(desk, "town_officer") == []

    assert fire_due_notices(database, at("2026-09-28T23:59")) == []
    fire_due_notices(database, at("2026-09-29T00:00"))
    assert desk.case(case_id)["deadlines"][0]["status"] == "missed"
    assert messages(desk, "land_head")[0].startswith("逾期")  # the head of the handling unit
    assert messages(desk, "zhao") == []
    fire_due_notices(database, at("2026-09-29T09:00"))
    assert messages(desk, "zhao")[0].startswith("督办")  # the justice bureau
    assert messages(desk, "li_vice") == []
    fire_due_notices(database, at("2026-09-30T09:00"))
    assert "分管副区长" in messages(desk, "li_vice")[0]

    desk.at("2026-09-30T10:00")  # the appeal period still runs: a late opinion goes on to the decision
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)
    [deadline] = desk.case(case_id)["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("missed", "land_officer")
    assert inbox(desk("li_vice")) == ["decide_appeal"]
    assert fire_due_notices(database, at("2026-10-30T09:00")) == []


def test_the_diagram_is_drawn_lane_by_lane_and_every_element_names_its_article() -> None:
    check_strict_layout(PROCESSES / "appeal.bpmn")
