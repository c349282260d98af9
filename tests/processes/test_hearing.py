"""Art. 14 and 17 hearing (processes/hearing.bpmn) run over the JSON API by the people its lanes name."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from tests.conftest import Api
from tests.processes.support import PROCESSES, SignIn, check_layout, complete_task, instance, start_case, tasks
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import FixedClock
from workflow_host.host import Host
from workflow_host.services.timers import fire_due_timers

DIAGRAMS = ("hearing.bpmn",)
NOW = "2026-11-01T09:00"  # three weeks before the hearing, unless a test moves the clock
HEARING = "2026-11-20T09:30:00+08:00"
LATER = "2026-12-03T14:30:00+08:00"
ART16_PLAN = {
    "defendant": "district_government",
    "instance_level": "first",
    "article": 16,
    "appearance_reasons": [],
    "heads": [{"role": "unit_head", "name": "张某某", "position": "局长", "unit": "land_bureau"}],
    "agents": [],
    "units": [],
    "head_absence_statements": [],
}
ART13_PLAN = {
    **ART16_PLAN,
    "article": 13,
    "appearance_reasons": [4],
    "heads": [
        {"role": "vice_head_in_charge", "name": "李某某", "position": "副区长", "unit": None},
        {"role": "justice_bureau_head", "name": "赵某某", "position": "区司法局局长", "unit": "justice_bureau"},
    ],
}
CASE = {
    "case_no": "(2026)蒙0205行初12号",
    "defendant": "district_government",
    "instance_level": "first",
    "handling_units": ["land_bureau"],
    "hearing_on": HEARING,
    "head_appeared_first_instance": False,
    "appearance_plan": ART16_PLAN,
}
ATTEND = {"attendance": "attend", "preparation_note": "证据目录、质证意见和答辩提纲已准备"}
REASONS = "承办人员因突发疾病住院治疗，开庭当日确实不能出庭。"
POSTPONE = {
    "attendance": "postpone",
    "postponement_reasons": REASONS,
    "court_informed_on": "2026-11-10",
    "postponement_applied_on": "2026-11-10",
}


def person(name: str, role: str, spoke: bool = True, **more: Any) -> dict[str, Any]:
    return {"name": name, "role": role, "spoke": spoke, **more}


RECORD = {
    "attended_on_time": True,
    "attendees": [
        person("张某某", "unit_head", unit="land_bureau", speech_summary="陈述作出行政行为的事实和依据"),
        person("法制员1", "staff", spoke=False, unit="land_bureau"),
    ],
    "hearing_summary": "法庭调查、举证质证、法庭辩论均已进行，原告当庭未提出新的诉讼请求。",
    "fact_finding_note": "当庭提交现场检查笔录原件供核对",
    "mediation_attempted": True,
    "mediation_result": "no_agreement",
    "mediation_note": "负责人当庭释明补偿标准，原告不接受",
    "has_major_issues": False,
}


def start(api: Api, **changes: Any) -> int:
    return start_case(api, "hearing", {**CASE, **changes})


def when(text: str) -> datetime:
    """A time as the API writes it, with its offset."""
    return datetime.fromisoformat(text)


def hold_hearing(host: Host, clock: FixedClock, sign_in: SignIn, hearing_on: str) -> Api:
    """Move past the hearing and fire the timers due then; the handling unit's officer signed in at that time."""
    clock.set(when(hearing_on) + timedelta(minutes=1))
    fire_due_timers(host.database, host.runtime, clock.now())
    return sign_in("land_officer")


def test_the_case_waits_for_the_hearing_then_the_unit_records_it(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    land, town = sign_in("land_officer"), sign_in("town_officer")
    case_id = start(land)
    [prepare] = tasks(land, "prepare_hearing")
    assert (prepare["unit"], prepare["lane"]) == ("land_bureau", "handling_unit")
    assert when(prepare["due_at"]) == when(HEARING)
    assert tasks(town, "prepare_hearing") == []  # another unit's user does not see it
    assert town.post(f"/tasks/{prepare['id']}/complete", json={"data": ATTEND}).status_code == 403
    complete_task(land, prepare, ATTEND)

    waiting = instance(land, case_id)
    assert (waiting["tasks"], when(waiting["next_due_at"])) == ([], when(HEARING))
    assert fire_due_timers(host.database, host.runtime, when(HEARING) - timedelta(minutes=1)) == []
    assert tasks(land, "record_hearing") == []
    assert fire_due_timers(host.database, host.runtime, when(HEARING) + timedelta(minutes=1)) == [case_id]
    clock.set(when(HEARING) + timedelta(hours=3))
    land = sign_in("land_officer")
    [record] = tasks(land, "record_hearing")
    assert tasks(sign_in("town_officer"), "record_hearing") == []
    complete_task(land, record, RECORD)

    case = instance(land, case_id)
    assert case["status"] == "completed"
    data = case["data"]
    # the land bureau's head appeared, but in a suit against the district government the organ's head is the
    # government's principal head or head in charge (Art. 13 item 2 reads this at second instance)
    assert (data["head_appeared"], data["head_appeared_first_instance"]) == (False, False)
    record = data["hearing_record"]
    assert record["unit_heads_appeared"] == ["张某某"]
    assert (record["speakers"], record["head_spoke"]) == (["张某某"], True)
    assert (record["mediation_attempted"], record["mediation_result"]) == (True, "no_agreement")
    assert (record["hearing_on"], record["planned_article"], record["postponements"]) == (HEARING, 16, [])
    assert data["hearing_preparation"]["attendance"] == "attend"
    assert data["postponements"] == []
    assert not {"attendees", "hearing_summary", "major_issues", "postponement_reasons"} & set(data)
    assert land.post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_a_postponement_loops_until_the_agents_attend_at_the_new_time(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    land = sign_in("land_officer")
    case_id = start(land)
    [prepare] = tasks(land, "prepare_hearing")
    refused = land.post(f"/tasks/{prepare['id']}/complete", json={"data": {"attendance": "postpone"}})
    assert refused.status_code == 422  # Art. 17: the court told in advance, with the reasons
    fields = {e["field"] for e in refused.get_json()["errors"]}
    assert {"/postponement_reasons", "/court_informed_on", "/postponement_applied_on"} <= fields
    complete_task(land, prepare, POSTPONE)

    [answer] = tasks(land, "record_court_answer")
    no_date = {"court_decision": "granted", "court_answered_on": "2026-11-12"}
    assert land.post(f"/tasks/{answer['id']}/complete", json={"data": no_date}).status_code == 422
    complete_task(land, answer, {**no_date, "new_hearing_on": LATER, "court_answer_note": "准许延期开庭"})
    data = instance(land, case_id)["data"]
    assert data["hearing_on"] == LATER
    [again] = tasks(land, "prepare_hearing")
    assert when(again["due_at"]) == when(LATER)

    complete_task(land, again, {**POSTPONE, "court_informed_on": "2026-11-25", "postponement_applied_on": "2026-11-25"})
    [answer] = tasks(land, "record_court_answer")
    complete_task(land, answer, {"court_decision": "refused", "court_answered_on": "2026-11-26"})
    assert instance(land, case_id)["data"]["hearing_on"] == LATER  # refused: the hearing stays as notified
    [third] = tasks(land, "prepare_hearing")
    complete_task(land, third, ATTEND)

    assert when(instance(land, case_id)["next_due_at"]) == when(LATER)
    assert fire_due_timers(host.database, host.runtime, when(HEARING) + timedelta(hours=1)) == []
    land = hold_hearing(host, clock, sign_in, LATER)
    [record] = tasks(land, "record_hearing")
    complete_task(land, record, RECORD)

    data = instance(land, case_id)["data"]
    assert [(p["hearing_on"], p["court_decision"], p["new_hearing_on"]) for p in data["postponements"]] == [
        (HEARING, "granted", LATER),
        (LATER, "refused", None),
    ]
    assert data["postponements"][0]["reasons"] == REASONS
    assert data["postponements"][0]["court_informed_on"] == "2026-11-10"
    assert data["hearing_record"]["hearing_on"] == LATER
    assert len(data["hearing_record"]["postponements"]) == 2
    assert not {"court_decision", "new_hearing_on", "postponement_application"} & set(data)


def test_a_postponement_to_a_time_not_later_than_the_hearing_is_refused_and_nothing_is_kept(sign_in: SignIn) -> None:
    land = sign_in("land_officer")
    case_id = start(land)
    complete_task(land, tasks(land, "prepare_hearing")[0], POSTPONE)
    [answer] = tasks(land, "record_court_answer")
    granted = {"court_decision": "granted", "court_answered_on": "2026-11-12", "court_answer_note": "准许延期开庭"}
    for earlier in ("2026-11-18T09:30:00+08:00", HEARING, "2026-11-20T01:30:00Z"):  # the last: 09:30 Beijing time
        refused = land.post(f"/tasks/{answer['id']}/complete", json={"data": {**granted, "new_hearing_on": earlier}})
        assert refused.status_code == 422
        assert refused.get_json()["reason"] == (
            "延期开庭的新开庭时间须晚于原定开庭时间（2026-11-20 09:30），请核对人民法院的延期通知。"
        )
    data = instance(land, case_id)["data"]
    assert (data["hearing_on"], data["postponements"]) == (HEARING, [])
    assert [t["id"] for t in instance(land, case_id)["tasks"]] == [answer["id"]]

    complete_task(land, answer, {**granted, "new_hearing_on": LATER})
    assert instance(land, case_id)["data"]["hearing_on"] == LATER


def test_under_article_13_a_missing_head_needs_a_reason_and_head_appeared_is_recorded(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    land = sign_in("land_officer")
    case_id = start(land, appearance_plan=ART13_PLAN)
    complete_task(land, tasks(land, "prepare_hearing")[0], ATTEND)
    land = hold_hearing(host, clock, sign_in, HEARING)

    vice_only = {**RECORD, "attendees": [person("李某某", "vice_head_in_charge"), person("法制员1", "staff")]}
    [record] = tasks(land, "record_hearing")
    refused = land.post(f"/tasks/{record['id']}/complete", json={"data": vice_only})
    # the head of the legal-affairs organ is missing, with no reason: refused in place, saying so (it used to go
    # back to the same step, with the reason in the case data and nowhere on the page)
    assert refused.status_code == 422
    assert refused.get_json()["reason"] == (
        "第十三条规定必须出庭的法制机构负责人未出庭，请在“负责人未出庭原因”中说明原因，或核对出庭人员。"
    )
    assert [t["id"] for t in tasks(land, "record_hearing")] == [record["id"]]
    assert "hearing_record" not in instance(land, case_id)["data"]
    complete_task(
        land, record, {**vice_only, "head_absence_explanation": "赵某某当日参加市级执法检查，经法院同意未出庭"}
    )

    data = instance(land, case_id)["data"]
    assert (data["head_appeared"], data["head_appeared_first_instance"]) == (True, True)
    assert data["hearing_record"]["planned_article"] == 13


def test_at_second_instance_the_first_instance_appearance_is_left_alone(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    land = sign_in("land_officer")
    case_id = start(land, instance_level="second", appearance_plan={**ART13_PLAN, "instance_level": "second"})
    complete_task(land, tasks(land, "prepare_hearing")[0], ATTEND)
    land = hold_hearing(host, clock, sign_in, HEARING)
    both = [person("区长", "district_head"), person("赵某某", "justice_bureau_head", spoke=False)]
    complete_task(land, tasks(land, "record_hearing")[0], {**RECORD, "attendees": both})

    data = instance(land, case_id)["data"]
    assert (data["head_appeared"], data["head_appeared_first_instance"]) == (True, False)
    assert data["hearing_record"]["instance_level"] == "second"


def test_a_unit_defendant_s_head_counts_as_the_head_who_appeared(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    land = sign_in("land_officer")
    case_id = start(land, defendant="unit", defendant_unit="land_bureau")
    complete_task(land, tasks(land, "prepare_hearing")[0], ATTEND)
    land = hold_hearing(host, clock, sign_in, HEARING)
    complete_task(land, tasks(land, "record_hearing")[0], RECORD)
    data = instance(land, case_id)["data"]
    assert (data["head_appeared"], data["head_appeared_first_instance"]) == (True, True)


def test_the_record_page_does_not_send_a_major_issue_row_once_there_are_none(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    """The page shows 重大问题及书面报告 only under 有重大问题 (ui:showWhen); a row typed before answering 否 was sent
    all the same and the record refused beside a field the page no longer shows. The page now leaves it out, with or
    without its script; the API still sends what it is given, and the schema refuses it."""
    land = sign_in("land_officer")
    case_id = start(land)
    complete_task(land, tasks(land, "prepare_hearing")[0], ATTEND)
    land = hold_hearing(host, clock, sign_in, HEARING)
    [record] = tasks(land, "record_hearing")
    issue = {"issue": "原告当庭申请追加第三人", "reported_to": "district_government", "reported_on": "2026-11-20"}
    refused = land.post(f"/tasks/{record['id']}/complete", json={"data": {**RECORD, "major_issues": [issue]}})
    assert refused.status_code == 422

    web = Web(create_app({"TESTING": True, "HOST": host}), "land_officer")
    web.get(f"/tasks/{record['id']}")
    attendees = RECORD["attendees"]
    form = {
        "action": "complete",
        "f.ended_before_hearing": "false",  # the page opens with 否 chosen: the hearing took place
        "f.attended_on_time": "true",
        "n.attendees": str(len(attendees)),
        "f.hearing_summary": RECORD["hearing_summary"],
        "f.mediation_attempted": "false",
        "f.mediation_result": "no_agreement",  # chosen before the answer 否: hidden, not kept
        "f.has_major_issues": "false",
        "n.major_issues": "1",
        **{f"f.major_issues.0.{key}": value for key, value in issue.items()},
    }
    for i, one in enumerate(attendees):
        form.update({f"f.attendees.{i}.{key}": str(value).lower() for key, value in one.items()})
    response = web.post(f"/tasks/{record['id']}", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    kept = instance(land, case_id)["data"]["hearing_record"]
    assert (kept["mediation_attempted"], kept.get("mediation_result")) == (False, None)
    assert kept.get("major_issues", []) == []


def test_major_issues_are_reported_in_writing_to_the_district_government(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    land, clerk = sign_in("land_officer"), sign_in("clerk")
    case_id = start(land)
    complete_task(land, tasks(land, "prepare_hearing")[0], ATTEND)
    land = hold_hearing(host, clock, sign_in, HEARING)
    [record] = tasks(land, "record_hearing")
    flagged = {**RECORD, "has_major_issues": True}
    refused = land.post(f"/tasks/{record['id']}/complete", json={"data": flagged})
    assert refused.status_code == 422  # a major issue flagged must be listed with its written report
    assert instance(land, case_id)["tasks"][0]["id"] == record["id"]
    issue = {
        "issue": "原告当庭提出追加行政赔偿请求，数额较大",
        "reported_to": "district_government",
        "reported_on": "2026-11-20",
    }
    complete_task(land, record, {**flagged, "major_issues": [issue]})

    assert instance(land, case_id)["status"] == "running"
    clerk = sign_in("clerk")
    [receipt] = tasks(clerk, "receive_major_issue_report")
    assert tasks(land, "receive_major_issue_report") == []
    complete_task(clerk, receipt, {"report_received_on": "2026-11-21", "handling_opinion": "呈分管副区长阅示"})

    case = instance(clerk, case_id)
    assert case["status"] == "completed"
    record_data = case["data"]["hearing_record"]
    assert record_data["major_issues"] == [issue]
    assert record_data["major_issue_report"] == {"received_on": "2026-11-21", "handling_opinion": "呈分管副区长阅示"}


def test_the_diagram_is_drawn_lane_by_lane_and_cites_its_articles() -> None:
    check_layout(PROCESSES / "hearing.bpmn")


def test_a_case_waiting_for_its_hearing_says_so_with_the_time_in_the_list_and_on_its_page(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    land = sign_in("land_officer")
    case_id = start(land)
    complete_task(land, tasks(land, "prepare_hearing")[0], ATTEND)
    web = Web(create_app({"TESTING": True, "HOST": host}), "land_officer")

    listed = web.get("/cases").get_data(as_text=True)
    row = re.search(rf'<tr>\s*<td><a href="/cases/{case_id}">.*?</tr>', listed, re.S)
    assert row is not None
    assert "等待开庭（2026-11-20 09:30）" in row.group(0)  # the 当前环节 column was blank
    page = web.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "等待开庭（2026-11-20 09:30）" in page
    assert "没有待办环节" not in page
    hearing = re.search(r'<tr class="deadline-open" id="hearing-time">(.*?)</tr>', page, re.S)
    assert hearing is not None  # the hearing time stands in the 期限 table
    assert "2026-11-20 09:30" in hearing.group(1)

    hold_hearing(host, clock, sign_in, HEARING)
    web = Web(create_app({"TESTING": True, "HOST": host}), "land_officer")  # signed in anew, three weeks later
    page = web.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "记录庭审情况" in page
    assert "等待开庭" not in page  # once the hearing is due, its record is the open step
    assert "记录庭审情况" in web.get("/cases").get_data(as_text=True)
