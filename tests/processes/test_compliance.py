"""Art. 15 performance of the effective decision (processes/compliance.bpmn) run on its own over the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Api
from tests.processes.support import SignIn, at, start_case, submit, tasks
from workflow_host.engine import FixedClock

DIAGRAMS = ("compliance.bpmn",)
NOW = "2026-10-22T09:00"
CASE = {
    "case_no": "(2026)蒙02行终45号",
    "outcome": "ordered_to_act_again",
    "effective_on": "2026-10-20",
    "handling_units": ["land_bureau", "wudangzhao"],
}
URGING = {"head_name": "张某某", "position": "局长", "urged_on": "2026-10-21", "instructions": "限期重新作出决定"}
FIRST = {
    "obligations": "撤销责令限期拆除决定，并于判决生效之日起六十日内重新作出行政行为。",
    "performance_due_on": "2026-12-19",
    "actions": [{"action": "停止执行原决定", "done_on": "2026-10-22", "evidence": "停止执行通知书"}],
    "head_urging": URGING,
    "performance_status": "in_progress",
    "remaining": "重新调查后作出行政行为",
    "next_report_on": "2026-11-20",
}
SECOND_ACTION = {
    "action": "重新作出责令限期拆除决定并送达",
    "done_on": "2026-11-18",
    "evidence": "石自然资决〔2026〕88号及送达回证",
}


def start(api: Api, **changes: Any) -> int:
    return start_case(api, "compliance", {**CASE, **changes})


def test_the_unit_records_its_progress_until_the_decision_is_performed_in_full(
    sign_in: SignIn, clock: FixedClock
) -> None:
    jb, land, town = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer")
    case_id = start(jb)
    [task] = tasks(land, "record_performance")
    assert task["due_at"] is None
    assert [t["instance_id"] for t in tasks(town, "record_performance")] == [case_id]  # either handling unit
    detail = land.get(f"/tasks/{task['id']}").get_json()
    assert detail["data"]["performance_kind"] == "在判决确定的期限内重新作出行政行为"
    assert "第十五条" in detail["instructions"]
    assert detail["form"]["schema"]["title"] == "履行生效裁判文书情况"

    assert submit(land, "record_performance", FIRST).status_code == 200
    [again] = tasks(land, "record_performance")  # performance under way: the unit reports again
    assert datetime.fromisoformat(again["due_at"]) == at("2026-11-20T23:59:59")
    shown = land.get(f"/tasks/{again['id']}").get_json()["data"]
    assert shown["actions"] == FIRST["actions"]  # the form opens with what was recorded so far

    clock.set(at("2026-11-19T10:00"))
    town = sign_in("town_officer")
    finished = {**FIRST, "actions": [*FIRST["actions"], SECOND_ACTION], "performance_status": "performed"}
    assert submit(town, "record_performance", finished).status_code == 200

    case = sign_in("jb_staff").get(f"/instances/{case_id}").get_json()
    assert case["status"] == "completed"
    record = case["data"]["compliance_record"]
    assert record["units"] == ["land_bureau", "wudangzhao"]
    assert (record["outcome"], record["effective_on"]) == ("ordered_to_act_again", "2026-10-20")
    assert record["obligations"].startswith("撤销责令限期拆除决定")
    assert [a["done_on"] for a in record["actions"]] == ["2026-10-22", "2026-11-18"]
    assert record["performed_on"] == "2026-11-18"
    assert record["head_urging"] == URGING
    assert [(h["round"], h["status"], h["recorded_on"]) for h in record["history"]] == [
        (1, "in_progress", "2026-10-22"),
        (2, "performed", "2026-11-19"),
    ]
    assert record["history"][0]["remaining"] == "重新调查后作出行政行为"
    assert "actions" not in case["data"]
    assert sign_in("jb_staff").post(f"/instances/{case_id}/verify").get_json()["ok"] is True


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"remaining": ""}, "/remaining"),  # still performing: what remains must be said
        ({"actions": []}, "/actions"),  # something was done, with its date and evidence
        ({"head_urging": {"head_name": "张某某", "position": "局长"}}, "/head_urging"),  # Art. 15: who urged, when
        ({"actions": [{"action": "停止执行原决定", "done_on": "2026-10-22"}]}, "/actions/0"),
    ],
)
def test_the_form_refuses_a_record_without_what_art_15_asks(sign_in: SignIn, change: dict[str, Any], path: str) -> None:
    start(sign_in("jb_staff"))
    land = sign_in("land_officer")
    refused = submit(land, "record_performance", {**FIRST, **change})
    assert refused.status_code == 422
    assert path in {e["path"] for e in refused.get_json()["errors"]}
    partial = {k: v for k, v in FIRST.items() if k != "next_report_on"}
    assert submit(land, "record_performance", partial).status_code == 422
    assert len(tasks(land, "record_performance")) == 1
