"""The whole case (processes/litigation_case.bpmn) with every diagram and form of the measures deployed, driven
over the JSON API by the people each step names."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.processes.support import NO_ART13_ITEM, Desk, SignIn, answered_as_read, at, id_number, inbox, tasks
from tests.web.test_pages import Web
from tests.web.test_yes_no import rows
from workflow_host import create_app
from workflow_host.engine import FixedClock
from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services import deployment, versions
from workflow_host.services.migration import check_migrations, migrate_cases
from workflow_host.services.reports import annual_report
from workflow_host.services.timers import fire_due_timers

NOW = "2026-03-02T10:00"
EVERYONE = [
    "clerk",
    "office_deputy",
    "director_wang",
    "li_vice",
    "exec_vice",
    "district_head",
    "zhao",
    "jb_staff",
    "jb_head",
    "land_officer",
    "land_head",
    "town_officer",
]
NOTICE = {
    "case_no": "(2026)蒙0205行初12号",
    "court": "包头市石拐区人民法院",
    "plaintiff": "张某",
    "cause": "不服区自然资源局作出的责令限期拆除决定",
    "acting_units": ["land_bureau"],
    "reconsideration": "none",
    "significance": "ordinary",
}
UNIT_HEAD_APPEARS = {"unit_head_appears": True, "unit_head": {"name": "张某某", "position": "局长"}}
SEALED = ["statement_of_defence", "legal_representative_certificate", "power_of_attorney"]
ATTEND = {"attendance": "attend", "preparation_note": "证据目录、质证意见和答辩提纲已准备"}


def attendee(name: str, role: str, unit: str) -> dict[str, Any]:
    return {"name": name, "role": role, "unit": unit, "spoke": True, "speech_summary": "陈述答辩意见"}


def hearing_record(*attendees: dict[str, Any]) -> dict[str, Any]:
    return {
        "attended_on_time": True,
        "attendees": list(attendees),
        "hearing_summary": "法庭调查、举证质证、法庭辩论均已进行，双方均发表了最后陈述意见。",
        "mediation_attempted": False,
        "has_major_issues": False,
    }


def materials(organ: str) -> dict[str, Any]:
    """Art. 6 defence materials (1)-(3), the legal-representative certificate and the power of attorney."""
    return {
        "statement_of_defence": f"{organ}答辩状（代拟稿）：被诉行政行为认定事实清楚，程序合法，请求驳回诉讼请求。",
        "legal_basis": [{"name": "中华人民共和国土地管理法", "provisions": "第八十三条"}],
        "evidence": [{"name": "现场检查笔录", "kind": "inspection_record", "purpose": "证明违法事实"}],
        "legal_representative_certificate": {"organ": organ, "name": "张某某", "position": "局长"},
        "power_of_attorney": {
            "principal": organ,
            "agents": [
                {
                    "name": "法制员1",
                    "agent_type": "staff",
                    "work_unit": organ,
                    "position": "法制股股长",
                    "id_number": id_number("19800101", 1),
                }
            ],
            "entrusted_matters": "代理本机关参加本案诉讼",
            "authority_scope": "general",
        },
    }


class CaseDesk(Desk):
    """The API as any directory user at the test's clock, with every diagram deployed, and the timer worker."""

    def fire_timers(self, text: str) -> list[int]:
        """Move the clock to a local time and fire the timers due then; the cases they moved."""
        self.at(text)
        return fire_due_timers(self.host.database, self.host.runtime, self.clock.now())

    def inbox(self, username: str) -> list[str]:
        """The names of the tasks in the user's inbox."""
        return inbox(self(username))

    def holders(self) -> dict[str, list[str]]:
        """Who has what in their inbox."""
        return {u: names for u in EVERYONE if (names := self.inbox(u))}

    def task(self, username: str, name: str) -> dict[str, Any]:
        """The user's one task named `name`."""
        found = tasks(self(username), name)
        assert len(found) == 1, (username, name, self.holders())
        return dict(found[0])

    def complete(self, username: str, name: str, data: dict[str, Any]) -> dict[str, Any]:
        """Complete the user's one task named `name` with `data`, which is accepted; the task."""
        task = self.task(username, name)
        response = self(username).post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == 200, (name, response.get_json())
        answered_as_read(self(username), response.get_json())
        return task


@pytest.fixture
def desk(measures: Host, measures_api: SignIn, clock: FixedClock) -> CaseDesk:
    """Override: every diagram and form of the measures deployed, not the module's own diagrams."""
    return CaseDesk(measures, measures_api, clock)


# the land bureau sued over its own act: no sign-off, the hearing date known from the summons
LAND_BUREAU_SUED = {
    "defendant": "unit",
    "defendant_unit": "land_bureau",
    "notice_received_on": "2026-03-02",
    "complaint_served_on": "2026-03-02",
    "hearing_on": "2026-04-14T09:30:00+08:00",
}


def open_case(desk: CaseDesk, **intake: Any) -> int:
    """The office starts a case and registers the response notice."""
    started = desk("clerk").post("/instances", json={"process_id": "litigation_case", "data": {}})
    assert started.status_code == 201, started.get_json()
    assert [t["name"] for t in started.get_json()["tasks"]] == ["intake"]
    assert started.get_json() == desk("clerk").get(f"/instances/{started.get_json()['id']}").get_json()
    desk.complete("clerk", "intake", {**NOTICE, **intake})
    return int(started.get_json()["id"])


def defend(desk: CaseDesk, filed_on: str) -> None:
    """Art. 6: the land bureau prepares, the justice bureau reviews, the office seals, the bureau files."""
    task = desk.task("land_officer", "prepare_defence")
    # a later instance's defence is a new one, not the first instance's sent back: its form starts blank
    assert desk("land_officer").get(f"/tasks/{task['id']}").get_json()["previous"] is None
    desk.complete("land_officer", "prepare_defence", materials("石拐区自然资源局"))
    desk.complete("jb_staff", "formal_review", {"materials_complete": True, "review_opinion": "材料及手续齐备"})
    desk.at(f"{filed_on}T09:00")  # sealed and filed that day: a filing date may not lie ahead of the clock
    seal = {
        "seal_affixed": True,
        "sealed_on": filed_on,
        "sealed_documents": SEALED,
        "seal_register_no": f"用印{filed_on}",
    }
    desk.complete("clerk", "affix_seal", seal)
    desk.complete(
        "jb_staff",
        "file_defence",
        {
            "filed_on": filed_on,
            "filed_by": "司法局干部",
            "filing_method": "in_person",
            "court_receipt_no": f"收{filed_on}",
        },
    )


def hold_hearing(desk: CaseDesk, case_id: int, hearing_on: str, record: dict[str, Any]) -> None:
    """Art. 17: the agents confirm attendance, the case waits for the hearing, then the unit records it."""
    desk.complete("land_officer", "prepare_hearing", ATTEND)
    assert desk.case(case_id)["next_due_at"] is not None  # waiting for the hearing
    assert desk.fire_timers(hearing_on[:16]) == []
    assert desk.fire_timers((datetime.fromisoformat(hearing_on) + timedelta(minutes=1)).isoformat()[:16]) == [case_id]
    desk.at(hearing_on[:10] + "T16:00")
    desk.complete("land_officer", "record_hearing", record)


def archive(desk: CaseDesk, archived_on: str) -> None:
    volume = {
        "volume_no": "自然资源-2026-诉-07",
        "archived_on": archived_on,
        "documents": ["response_notice", "complaint", "defence_materials", "hearing_records", "court_decisions"],
        "pages": 120,
        "retention_period": "30_years",
        "archivist": "档案员刘某",
    }
    desk.complete("land_officer", "file_case_records", volume)


def test_a_suit_against_a_unit_won_at_first_instance_is_archived_after_the_judgment_takes_effect(
    desk: CaseDesk,
) -> None:
    case_id = open_case(desk, **LAND_BUREAU_SUED)
    assert desk.holders() == {"land_officer": ["prepare_defence"], "land_head": ["prepare_defence"]}  # no sign-off
    data = desk.case(case_id)["data"]
    assert (data["handling_units"], data["justice_bureau_reconsideration_part"]) == (["land_bureau"], False)
    # nothing decided yet: no answer, rather than a "no" the case page would show as a fact
    assert (data["instance_level"], data["lost_first_instance"], data["head_appeared_first_instance"]) == (
        "first",
        None,
        None,
    )
    case_page = Web(create_app({"TESTING": True, "HOST": desk.host}), "clerk").get(f"/cases/{case_id}")
    shown = rows(case_page.get_data(as_text=True))
    undecided = ("败诉", "一审败诉", "一审负责人已出庭", "已提起上诉")
    assert [shown.get(title, "—") for title in undecided] == ["—"] * 4  # not 否 before any judgment
    offered = re.findall(r"/documents/(\w+)", case_page.get_data(as_text=True))
    assert set(offered) == {"statement_of_defence", "legal_representative_certificate", "power_of_attorney"}
    defend(desk, "2026-03-10")

    arrange = desk.task("land_officer", "arrange_appearance")  # Art. 16: a unit defendant, no Art. 13 assessment
    assert datetime.fromisoformat(arrange["due_at"]) == at("2026-04-14T09:30")
    desk.complete("land_officer", "arrange_appearance", UNIT_HEAD_APPEARS)
    hold_hearing(
        desk,
        case_id,
        "2026-04-14T09:30:00+08:00",
        hearing_record(attendee("张某某", "unit_head", "land_bureau")),
    )

    desk.at("2026-04-28T10:00")
    judgment = {"decision_form": "judgment", "outcome": "dismissed_claim", "decision_served_on": "2026-04-28"}
    record = desk.task("land_officer", "record_judgment")
    ahead = {**judgment, "decision_served_on": "2026-04-29"}  # a day ahead: the appeal could never be filed after it
    refused = desk("land_officer").post(f"/tasks/{record['id']}/complete", json={"data": ahead})
    assert refused.status_code == 422
    assert refused.get_json()["reason"] == "收到裁判文书日期不能晚于今天，请在收到裁判文书后登记。"
    assert desk.task("land_officer", "record_judgment")["id"] == record["id"]  # nothing kept
    desk.complete("land_officer", "record_judgment", judgment)
    assert desk.case(case_id)["data"]["lost"] is False
    desk.complete("land_officer", "submit_appeal_opinion", {"unit_appeal_opinion": False, "opinion_note": "服从判决"})
    desk.at("2026-05-15T10:00")  # the 15 days ran out on 13 May with no appeal
    desk.complete("land_officer", "record_outcome", {"plaintiff_appealed": False, "effective_on": "2026-05-14"})

    assert desk.holders() == {"land_officer": ["file_case_records"], "land_head": ["file_case_records"]}
    archive(desk, "2026-05-20")
    case = desk.case(case_id)
    assert case["status"] == "completed"
    data = case["data"]
    assert (data["outcome"], data["effective_on"], data["lost"]) == ("dismissed_claim", "2026-05-14", False)
    assert not {"loss_report", "compliance_record", "signoff_records"} & set(data)
    assert [(h["instance_level"], h["outcome"], h["effective_on"]) for h in data["instance_history"]] == [
        ("first", "dismissed_claim", None)
    ]
    assert [u["unit"] for u in data["archive_record"]["units"]] == ["land_bureau"]
    assert {d["variable"]: d["status"] for d in case["deadlines"]} == {
        "defence_deadline": "met",
        "appeal_opinion_deadline": "met",
    }
    assert desk("clerk").post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def reported(desk: CaseDesk) -> tuple[int, int, int, float | None, int]:
    """The district's Art. 19 figures of 2026 as the justice bureau reads them: decided, lost, won, loss rate, and
    the decisions not yet in effect."""
    with desk.host.database.transaction() as session:
        reader = session.get(User, "jb_staff")
        assert reader is not None
        total = annual_report(session, reader, 2026).total
    return total.decided, total.lost, total.won, total.loss_rate, getattr(total, "pending", 0)


def test_a_first_instance_loss_counts_as_a_loss_only_once_the_decision_that_stands_took_effect(
    desk: CaseDesk,
) -> None:
    first_hearing, second_hearing = "2026-04-14T09:30:00+08:00", "2026-06-16T09:30:00+08:00"
    unit = {"defendant": "unit", "defendant_unit": "land_bureau", "hearing_on": first_hearing}
    case_id = open_case(desk, notice_received_on="2026-03-02", complaint_served_on="2026-03-02", **unit)
    defend(desk, "2026-03-10")
    desk.complete("land_officer", "arrange_appearance", UNIT_HEAD_APPEARS)
    hold_hearing(desk, case_id, first_hearing, hearing_record(attendee("张某某", "unit_head", "land_bureau")))
    desk.at("2026-04-28T10:00")
    lost = {"decision_form": "judgment", "outcome": "revoked", "decision_served_on": "2026-04-28"}
    desk.complete("land_officer", "record_judgment", lost)
    assert reported(desk) == (1, 0, 0, None, 1)  # lost at first instance, the appeal period runs: not yet a loss

    appeal(desk)
    desk.at("2026-05-20T10:00")
    desk.complete("land_officer", "register_instance", {**SECOND, "hearing_on": second_hearing})
    assert reported(desk) == (1, 0, 0, None, 1)  # the appeal is pending: still not a loss

    defend(desk, "2026-05-28")
    desk.complete("land_officer", "arrange_appearance", UNIT_HEAD_APPEARS)
    hold_hearing(desk, case_id, second_hearing, hearing_record(attendee("张某某", "unit_head", "land_bureau")))
    desk.at("2026-06-30T10:00")
    desk.complete("land_officer", "record_judgment", {**lost, "decision_served_on": "2026-06-30"})
    assert reported(desk) == (1, 1, 0, 1.0, 0)  # the second-instance judgment is final and upholds the loss


def test_a_suit_the_government_defends_as_co_defendant_after_upholding_the_act_is_signed_off(desk: CaseDesk) -> None:
    # Art. 3 ¶3 with ALL Art. 26 ¶2: the reconsideration upheld the act, so the district government is sued beside
    # the land bureau: Art. 4's sign-off applies, then both parts are prepared (the act's and the reconsideration's)
    dates = {"notice_received_on": "2026-03-02", "complaint_served_on": "2026-03-02"}
    case_id = open_case(desk, defendant="district_government", reconsideration="upheld", **dates)
    assert desk.holders() == {"clerk": ["submit_for_signoff"]}
    desk.complete("clerk", "submit_for_signoff", {"submission_note": "复议维持，区人民政府为共同被告。"})
    for signer in ("office_deputy", "director_wang", "li_vice"):
        desk.complete(signer, "sign", {"signoff_decision": "agree", "signoff_opinion": "同意"})
    desk.at("2026-03-03T09:00")  # forwarded the next morning
    desk.complete("clerk", "forward_notice", {"forwarded_on": "2026-03-03"})
    data = desk.case(case_id)["data"]
    assert (data["handling_units"], data["justice_bureau_reconsideration_part"]) == (["land_bureau"], True)


def appealed(desk: CaseDesk, hearing_notice: dict[str, str] | None = None) -> int:
    """A suit against the district government: signed off, lost at first instance, appealed; the second instance
    waits to be registered. `hearing_notice`: what the first instance's summons gave besides the hearing time."""
    government = {"notice_received_on": "2026-03-02", "complaint_served_on": "2026-03-02"}
    case_id = open_case(desk, defendant="district_government", **government)

    # Art. 4-5: sign-off by the office deputy director, the director and the vice head in charge, then forwarding;
    # the intake registered the notice, so the office submits at once, 2 days from the receipt the intake recorded
    assert desk.holders() == {"clerk": ["submit_for_signoff"]}
    [signoff] = desk.case(case_id)["deadlines"]
    assert (signoff["variable"], signoff["start_on"], signoff["due_on"]) == (
        "signoff_deadline",
        "2026-03-02",
        "2026-03-04",
    )
    desk.complete("clerk", "submit_for_signoff", {"submission_note": "拟请区自然资源局会同区司法局办理。"})
    for signer in ("office_deputy", "director_wang", "li_vice"):
        desk.complete(signer, "sign", {"signoff_decision": "agree", "signoff_opinion": "同意"})
    desk.at("2026-03-03T09:00")  # forwarded the next morning
    desk.complete("clerk", "forward_notice", {"forwarded_on": "2026-03-03"})
    assert desk.case(case_id)["data"]["handling_units"] == ["land_bureau"]

    # first instance: the summons came after the notice, so the unit records the hearing time
    defend(desk, "2026-03-12")
    notice = {"hearing_on": "2026-04-14T09:30:00+08:00", **(hearing_notice or {})}
    desk.complete("land_officer", "record_hearing_notice", notice)
    desk.complete("jb_staff", "assess_art13", NO_ART13_ITEM)
    data = desk.case(case_id)["data"]
    assert (data["appearance_reasons"], data["head_must_appear"]) == ([], False)
    desk.complete("land_officer", "arrange_appearance", UNIT_HEAD_APPEARS)
    hold_hearing(
        desk,
        case_id,
        "2026-04-14T09:30:00+08:00",
        hearing_record(attendee("张某某", "unit_head", "land_bureau")),
    )
    desk.at("2026-04-28T10:00")
    lost = {"decision_form": "judgment", "outcome": "revoked", "decision_served_on": "2026-04-28"}
    desk.complete("land_officer", "record_judgment", lost)
    appeal(desk)
    return case_id


def appeal(desk: CaseDesk) -> None:
    """Art. 8 after a first-instance loss served on 28 April: the unit's opinion, the government's decision to
    appeal, the appeal filed in time (8 May)."""
    opinion = {
        "unit_appeal_opinion": True,
        "appeal_grounds": "一审判决认定事实不清。",
        "appeal_claims": "撤销一审判决。",
    }
    desk.complete("land_officer", "submit_appeal_opinion", opinion)
    desk.complete("li_vice", "decide_appeal", {"government_decides_appeal": True, "government_appeal_opinion": "同意"})
    filing = {
        "appeal_filed_on": "2026-05-08",
        "appeal_court": "包头市中级人民法院",
        "appeal_filed_through": "original_court",
    }
    desk.at("2026-05-08T10:00")
    desk.complete("land_officer", "file_appeal", filing)


SECOND = {
    "case_no": "(2026)蒙02行终45号",
    "court": "包头市中级人民法院",
    "complaint_served_on": "2026-05-20",
    "hearing_on": "2026-06-16T09:30:00+08:00",
}


def second_hearing_arranged(desk: CaseDesk) -> int:
    """A suit against the district government: signed off, lost at first instance, appealed, the second instance
    defended and its heads' appearance confirmed; the agents' preparation for the hearing waits."""
    case_id = appealed(desk)

    # second instance, same handling unit (Art. 9)
    data = desk.case(case_id)["data"]
    assert (data["instance_level"], data["lost_first_instance"], data["head_appeared_first_instance"]) == (
        "second",
        True,
        False,
    )
    desk.at("2026-05-20T10:00")
    desk.complete("land_officer", "register_instance", SECOND)
    defend(desk, "2026-05-28")
    desk.complete("jb_staff", "assess_art13", NO_ART13_ITEM)
    data = desk.case(case_id)["data"]
    # Art. 13 item 1: lost at first instance, heard at second instance: the heads must appear
    assert (data["appearance_reasons"], data["head_must_appear"]) == ([1], True)
    assert desk.inbox("land_officer") == []  # no Art. 16 arrangement
    head = {"role": "vice_head_in_charge", "name": "李某某", "position": "副区长"}
    desk.complete("li_vice", "confirm_head_appearance", {"government_head": head, "head_appearance_confirmed": True})
    legal = {
        "legal_affairs_head": {"name": "赵某某", "position": "区司法局局长"},
        "legal_head_appearance_confirmed": True,
    }
    desk.complete("zhao", "confirm_legal_head_appearance", legal)
    assert desk.case(case_id)["data"]["appearance_plan"]["article"] == 13
    return case_id


def heard_twice(desk: CaseDesk) -> int:
    """A suit against the district government: signed off, lost at first instance, appealed, heard at second
    instance; the second instance's decision waits to be recorded."""
    case_id = second_hearing_arranged(desk)
    hold_hearing(
        desk,
        case_id,
        "2026-06-16T09:30:00+08:00",
        hearing_record(
            attendee("李某某", "vice_head_in_charge", "district_government"),
            attendee("赵某某", "justice_bureau_head", "justice_bureau"),
        ),
    )
    return case_id


def lost_twice(desk: CaseDesk) -> int:
    """A suit against the district government: signed off, lost at first instance, appealed, lost again."""
    case_id = heard_twice(desk)
    desk.at("2026-06-30T10:00")
    upheld = {"decision_form": "judgment", "outcome": "revoked", "decision_served_on": "2026-06-30"}
    desk.complete("land_officer", "record_judgment", upheld)
    return case_id


def report_loss(desk: CaseDesk) -> None:
    """Art. 7: the land bureau writes the loss report on 10 July; the justice bureau and the office register it."""
    report = {
        "basic_facts": "原告张某不服区自然资源局作出的责令限期拆除决定，以区人民政府为被告提起行政诉讼。",
        "court_ruling": "一审判决撤销被诉决定，二审判决驳回上诉、维持原判。",
        "suggestions": "加强执法程序审核。",
        "rectification_measures": [
            {"measure": "开展执法程序培训", "responsible": "区自然资源局", "due_on": "2026-08-31"}
        ],
    }
    desk.at("2026-07-10T10:00")
    desk.complete("land_officer", "write_loss_report", report)
    desk.complete("jb_staff", "register_loss_report_copy", {"justice_bureau_registered_on": "2026-07-10"})
    desk.complete("clerk", "receive_loss_report", {"government_received_on": "2026-07-10"})


def test_a_suit_against_the_district_government_lost_twice_runs_to_the_archive(desk: CaseDesk) -> None:
    case_id = lost_twice(desk)

    # the final decision took effect on service: the loss report is due 30 days later (Art. 7), and the unit is
    # asked at the same time whether it considers the final decision wrong (Art. 10)
    case = desk.case(case_id)
    assert (case["data"]["effective_on"], case["data"]["lost"]) == ("2026-06-30", True)
    loss = {d["variable"]: d for d in case["deadlines"]}["loss_report_deadline"]
    assert (loss["start_on"], loss["due_on"], loss["status"]) == ("2026-06-30", "2026-07-30", "open")
    write = desk.task("land_officer", "write_loss_report")
    assert datetime.fromisoformat(write["due_at"]) == at("2026-07-30T23:59:59")
    desk.complete("land_officer", "report_retrial", {"retrial_requested": False})
    report_loss(desk)

    # Art. 15: the decision is performed; Art. 12: archived
    performed = {
        "obligations": "撤销责令限期拆除决定。",
        "actions": [{"action": "撤销原决定并通知原告", "done_on": "2026-07-15", "evidence": "撤销决定书及送达回证"}],
        "head_urging": {"head_name": "张某某", "position": "局长", "urged_on": "2026-07-01"},
        "performance_status": "performed",
    }
    desk.at("2026-07-16T10:00")
    desk.complete("land_officer", "record_performance", performed)
    archive(desk, "2026-07-20")

    case = desk.case(case_id)
    assert case["status"] == "completed"
    assert desk.holders() == {}
    data = case["data"]
    assert [(h["instance_level"], h["case_no"], h["lost"], h["effective_on"]) for h in data["instance_history"]] == [
        ("first", "(2026)蒙0205行初12号", True, None),
        ("second", "(2026)蒙02行终45号", True, "2026-06-30"),
    ]
    assert (data["appeal_filed"], data["retrial_requested"], data["retrial_filed"]) == (True, False, False)
    assert data["loss_report"]["late"] is False
    assert data["loss_report"]["government_received_on"] == "2026-07-10"
    assert data["compliance_record"]["performed_on"] == "2026-07-15"
    assert data["archive_record"]["archived_on"] == "2026-07-20"
    statuses = {d["variable"]: d["status"] for d in case["deadlines"] if d["variable"] != "defence_deadline"}
    assert statuses == {
        "signoff_deadline": "met",
        "appeal_opinion_deadline": "met",
        "appeal_deadline": "met",
        "loss_report_deadline": "met",
    }
    assert [d["status"] for d in case["deadlines"] if d["variable"] == "defence_deadline"] == ["met", "met"]
    verified = desk("clerk").post(f"/instances/{case_id}/verify").get_json()
    assert verified["ok"] is True, verified
    # Art. 19: the land bureau's head appeared at first instance (Art. 16), the vice head at second (Art. 13)
    with desk.host.database.transaction() as session:
        reader = session.get(User, "jb_staff")
        assert reader is not None
        total = annual_report(session, reader, 2026).total
    assert (total.hearings, total.heads_appeared, total.art13_hearings, total.art13_heads_appeared) == (2, 2, 1, 1)


def test_a_loss_report_finished_before_the_retrial_question_waits_for_it(desk: CaseDesk) -> None:
    # the two Art. 7 and Art. 10 branches run side by side; the retrial one runs in a call activity, which
    # SpiffWorkflow's inclusive join did not wait for: the case went on to compliance and archiving, and the
    # retrial answer then failed ("task not found")
    case_id = lost_twice(desk)
    report_loss(desk)
    waiting = desk.holders()  # compliance waits for the retrial question
    assert set(map(tuple, waiting.values())) == {("report_retrial",)}, waiting
    desk.complete("land_officer", "report_retrial", {"retrial_requested": False})
    performing = desk.holders()
    assert set(map(tuple, performing.values())) == {("record_performance",)}, performing
    verified = desk("clerk").post(f"/instances/{case_id}/verify").get_json()
    assert verified["ok"] is True, verified


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"defendant_unit": None}, "/"),  # Art. 3 ¶1: a unit defendant must be named
        ({"defendant": "district_government", "defendant_unit": "land_bureau"}, "/"),
        ({"acting_units": []}, "/acting_units"),  # Art. 3 items 1-2: at least one acting unit
        ({"entrusting_unit": "land_bureau", "successor_unit": "wudangzhao"}, "/"),  # item 3 or item 4, not both
        ({"complaint_served_on": "2026-03-01"}, "收到起诉状副本日期不能早于收到应诉通知书日期"),
        ({"notice_received_on": "2026-03-03", "complaint_served_on": "2026-03-03"}, "不能晚于今天"),
        ({"hearing_on": "2026-03-01T09:30:00+08:00"}, "开庭时间不能早于"),
        ({"hearing_on": "2026-04-14 09:30"}, "/hearing_on"),
        ({"hearing_on": "2027-02-30T09:30:00+08:00"}, "/hearing_on"),  # no such day: the hearing timer could not wait
        ({"hearing_on": "2026-04-14T25:30+08:00"}, "/hearing_on"),
        ({"defendant_unit": "no_such_bureau"}, "/defendant_unit"),  # its tasks would reach nobody's inbox
        (
            {"reconsideration": "upheld"},
            "区人民政府与原行政机关为共同被告",
        ),  # so Art. 4 applies: defendant is the government
        ({"acting_units": ["land_bureau", "no_such_bureau"]}, "/acting_units"),
    ],
)
def test_the_intake_refuses_what_articles_2_and_3_do_not_allow_and_keeps_nothing(
    desk: CaseDesk, change: dict[str, Any], message: str
) -> None:
    started = desk("clerk").post("/instances", json={"process_id": "litigation_case", "data": {}})
    case_id = started.get_json()["id"]
    intake = {**NOTICE, "defendant": "unit", "defendant_unit": "land_bureau"}
    intake.update({"notice_received_on": "2026-03-02", "complaint_served_on": "2026-03-02", **change})
    intake = {k: v for k, v in intake.items() if v is not None}  # None: left out
    task = desk.task("clerk", "intake")
    response = desk("clerk").post(f"/tasks/{task['id']}/complete", json={"data": intake})
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    if message.startswith("/"):
        assert message in {e["path"] for e in body["errors"]}
    else:
        assert message in body["message"]
        assert message in body["reason"]  # the diagram's own words, alone, for the page to show
        assert not body["reason"].startswith(("ValueError", "the step"))
    assert desk.inbox("clerk") == ["intake"]
    assert desk.case(case_id)["data"] == {}


def test_a_retrial_ordered_on_the_government_s_consent_runs_as_a_third_instance(desk: CaseDesk) -> None:
    case_id = lost_twice(desk)
    retrial = {
        "retrial_requested": True,
        "retrial_grounds": ["wrong_application_of_law"],
        "retrial_reasons": "终审判决适用《土地管理法》第八十三条错误，被诉决定程序合法。",
    }
    desk.complete("land_officer", "report_retrial", retrial)
    desk.complete("li_vice", "decide_retrial", {"retrial_approved": True})
    desk.at("2026-07-20T10:00")
    desk.complete("land_officer", "apply_retrial", {"retrial_filed_on": "2026-07-20", "retrial_court": "内蒙古高院"})
    admitted = {"retrial_admitted": True, "retrial_ruling_served_on": "2026-07-27"}
    desk.at("2026-07-27T10:00")
    desk.complete("land_officer", "record_retrial_admission", admitted)
    assert desk.inbox("land_officer") == ["write_loss_report"]  # the loss report is still due (Art. 7)
    report = {
        "basic_facts": "原告张某不服区自然资源局作出的责令限期拆除决定提起行政诉讼。",
        "court_ruling": "二审判决驳回上诉、维持原判。",
        "suggestions": "已申请再审。",
        "rectification_measures": [{"measure": "复核执法程序", "responsible": "法规股", "due_on": "2026-08-31"}],
    }
    desk.complete("land_officer", "write_loss_report", report)
    desk.complete("jb_staff", "register_loss_report_copy", {"justice_bureau_registered_on": "2026-07-28"})
    desk.complete("clerk", "receive_loss_report", {"government_received_on": "2026-07-28"})

    data = desk.case(case_id)["data"]
    assert (data["instance_level"], data["retrial_filed"]) == ("retrial", True)
    assert "retrial_admitted" not in data  # consumed: the retrial decision cannot order another retrial
    retrial_instance = {
        "case_no": "(2026)蒙民申3号",
        "court": "内蒙古自治区高级人民法院",
        "complaint_served_on": "2026-08-03",
    }
    desk.at("2026-08-03T10:00")
    desk.complete("land_officer", "register_instance", retrial_instance)
    defend(desk, "2026-08-10")
    desk.complete("land_officer", "record_hearing_notice", {"hearing_on": "2026-09-08T09:30:00+08:00"})
    desk.complete("jb_staff", "assess_art13", NO_ART13_ITEM)
    assert desk.case(case_id)["data"]["head_must_appear"] is False  # items 1 and 2 are for the second instance
    desk.complete("land_officer", "arrange_appearance", UNIT_HEAD_APPEARS)
    hold_hearing(
        desk, case_id, "2026-09-08T09:30:00+08:00", hearing_record(attendee("张某某", "unit_head", "land_bureau"))
    )
    desk.at("2026-09-22T10:00")
    won = {"decision_form": "judgment", "outcome": "dismissed_claim", "decision_served_on": "2026-09-22"}
    desk.complete("land_officer", "record_judgment", won)

    assert desk.holders() == {"land_officer": ["file_case_records"], "land_head": ["file_case_records"]}
    archive(desk, "2026-09-25")
    case = desk.case(case_id)
    assert case["status"] == "completed"
    data = case["data"]
    assert [(h["instance_level"], h["outcome"], h["effective_on"]) for h in data["instance_history"]] == [
        ("first", "revoked", None),
        ("second", "revoked", "2026-06-30"),
        ("retrial", "dismissed_claim", "2026-09-22"),
    ]
    assert (data["lost"], data["effective_on"]) == (False, "2026-09-22")
    assert "compliance_record" not in data  # nothing to perform once the retrial reversed the loss
    assert desk("clerk").post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def deploy_changed(desk: CaseDesk, process_id: str, change: Any) -> int:
    """A new version with one diagram changed by `change(xml) -> xml`, as an analyst saves it; its id."""
    with desk.host.database.transaction() as session:
        name, xml = versions.version_source(session, versions.latest_version(session, process_id), process_id)
        changed = change(xml)
        assert changed != xml
        return deployment.deploy_upload(session, desk.host.runtime, process_id, {name: changed}, "analyst").version.id


def test_a_case_waiting_for_its_hearing_moves_to_a_version_that_changed_archiving_but_not_to_one_without_its_step(
    desk: CaseDesk,
) -> None:
    case_id = open_case(desk, **LAND_BUREAU_SUED)
    defend(desk, "2026-03-10")
    desk.complete("land_officer", "arrange_appearance", UNIT_HEAD_APPEARS)
    desk.complete("land_officer", "prepare_hearing", ATTEND)  # now waiting for the hearing date
    renamed = deploy_changed(
        desk, "archive", lambda xml: xml.replace('name="立卷归档"'.encode(), 'name="立卷归档（新）"'.encode())
    )
    timer_moved = deploy_changed(desk, "hearing", lambda xml: xml.replace(b"wait_for_hearing", b"await_hearing_day"))
    with desk.host.database.transaction() as session:
        analyst = session.get(User, "analyst")
        assert analyst is not None
        [stays] = check_migrations(session, desk.host.runtime, analyst, "litigation_case", timer_moved)
        assert not stays.can_move
        assert "hearing:wait_for_hearing" in stays.touched_changes
        [moves] = migrate_cases(session, desk.host.runtime, analyst, [case_id], renamed)
        assert moves.can_move, moves.reasons
    assert desk.fire_timers("2026-04-14T09:31") == [case_id]  # the hearing timer fires under the new version
    desk.at("2026-04-14T16:00")
    desk.complete("land_officer", "record_hearing", hearing_record(attendee("张某某", "unit_head", "land_bureau")))
    desk.at("2026-04-28T10:00")
    judgment = {"decision_form": "judgment", "outcome": "dismissed_claim", "decision_served_on": "2026-04-28"}
    desk.complete("land_officer", "record_judgment", judgment)
    desk.complete("land_officer", "submit_appeal_opinion", {"unit_appeal_opinion": False, "opinion_note": "服从判决"})
    desk.at("2026-05-15T10:00")
    desk.complete("land_officer", "record_outcome", {"plaintiff_appealed": False, "effective_on": "2026-05-14"})
    assert desk.task("land_officer", "file_case_records")["title"] == "立卷归档（新）"  # the new version's step
    archive(desk, "2026-05-20")
    assert desk.case(case_id)["status"] == "completed"
    assert desk("auditor").post(f"/instances/{case_id}/verify").get_json()["ok"] is True
