"""Art. 7 loss analysis report (processes/loss_report.bpmn) run on its own over the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Api
from tests.processes.support import SignIn, at, complete, start_case, submit, tasks
from workflow_host.engine import FixedClock
from workflow_host.host import Host
from workflow_host.services.timers import fire_due_timers

DIAGRAMS = ("loss_report.bpmn",)
NOW = "2026-09-07T09:00"  # two days after the judgment took effect, unless a test moves the clock
CASE = {
    "case_no": "(2026)蒙0205行初31号",
    "outcome": "revoked",
    "decision_form": "judgment",
    "effective_on": "2026-09-05",
    "handling_units": ["land_bureau"],
}
REPORT = {
    "basic_facts": "原告张某不服区自然资源局作出的责令限期拆除决定，向区人民法院提起行政诉讼。",
    "court_ruling": "判决撤销被诉责令限期拆除决定，责令被告重新作出行政行为。",
    "loss_causes": "作出决定前未告知陈述、申辩权利，程序违法。",
    "suggestions": "加强执法程序培训，重大执法决定前由法制机构审核。",
    "rectification_measures": [
        {"measure": "组织执法人员行政程序培训", "responsible": "区自然资源局法规股", "due_on": "2026-10-30"},
        {"measure": "依法重新作出行政行为", "responsible": "区自然资源局执法大队", "due_on": "2026-11-30"},
    ],
}


def start(api: Api, **changes: Any) -> int:
    return start_case(api, "loss_report", {**CASE, **changes})


def deliver(sign_in: SignIn) -> None:
    """The district government office and the justice bureau register the report and its copy."""
    assert tasks(sign_in("clerk"), "receive_loss_report")
    complete(sign_in("jb_staff"), "register_loss_report_copy", {"justice_bureau_registered_on": "2026-09-29"})
    assert tasks(sign_in("jb_staff"), "register_loss_report_copy") == []
    complete(
        sign_in("clerk"), "receive_loss_report", {"government_received_on": "2026-09-29", "government_opinion": "阅"}
    )


def test_the_unit_reports_within_30_days_to_the_government_with_a_copy_to_the_justice_bureau(
    sign_in: SignIn, clock: FixedClock
) -> None:
    jb, land, town = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer")
    case_id = start(jb)

    [deadline] = jb.get(f"/instances/{case_id}").get_json()["deadlines"]
    assert (deadline["variable"], deadline["title"]) == ("loss_report_deadline", "败诉分析报告提交期限（第七条）")
    # 30 days from 5 September end on 5 October, inside the National Day holiday: the period ends on the 8th
    assert (deadline["start_on"], deadline["rule"], deadline["due_on"]) == ("2026-09-05", "30 日", "2026-10-08")
    [task] = tasks(land, "write_loss_report")
    assert (task["unit"], task["lane"]) == ("land_bureau", "handling_unit")
    assert datetime.fromisoformat(task["due_at"]) == at("2026-10-08T23:59:59")
    assert tasks(town, "write_loss_report") == []  # only the case's handling unit
    detail = land.get(f"/tasks/{task['id']}").get_json()
    assert detail["form"]["schema"]["title"] == "败诉分析报告"
    assert "30日内" in detail["instructions"]
    assert "抄送区司法局" in detail["instructions"]

    clock.set(at("2026-09-28T16:00"))
    jb = sign_in("jb_staff")  # a new day: a fresh token
    complete(sign_in("land_officer"), "write_loss_report", REPORT)
    [deadline] = jb.get(f"/instances/{case_id}").get_json()["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("met", "land_officer")
    deliver(sign_in)

    case = jb.get(f"/instances/{case_id}").get_json()
    assert case["status"] == "completed"
    report = case["data"]["loss_report"]
    assert report["units"] == ["land_bureau"]
    assert (report["outcome"], report["effective_on"]) == ("revoked", "2026-09-05")
    assert report["submitted_on"] == "2026-09-28"
    assert report["court_ruling"] == REPORT["court_ruling"]
    assert report["rectification_measures"] == REPORT["rectification_measures"]
    assert (report["other_matters"], report["late"], report["delay_reason"]) == ("", False, "")
    assert (report["government_received_on"], report["justice_bureau_registered_on"]) == ("2026-09-29", "2026-09-29")
    assert "basic_facts" not in case["data"]  # the report's items are kept together, not loose in the case
    assert jb.post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_a_report_not_submitted_in_30_days_is_taken_over_as_overdue_with_its_reason(
    sign_in: SignIn, host: Host, clock: FixedClock
) -> None:
    jb = sign_in("jb_staff")
    case_id = start(jb)
    assert fire_due_timers(host.database, host.runtime, at("2026-10-08T23:59")) == []
    assert fire_due_timers(host.database, host.runtime, at("2026-10-09T00:00:01")) == [case_id]

    clock.set(at("2026-10-12T10:00"))
    jb, land = sign_in("jb_staff"), sign_in("land_officer")
    assert tasks(land, "write_loss_report") == []
    refused = submit(land, "overdue_loss_report", REPORT)
    assert refused.status_code == 422  # the reason for the delay is required
    assert {e["path"] for e in refused.get_json()["errors"]} == {"/"}
    complete(land, "overdue_loss_report", {**REPORT, "delay_reason": "国庆假期后承办人员调整，报告未及时审定。"})

    [deadline] = jb.get(f"/instances/{case_id}").get_json()["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("missed", "land_officer")
    deliver(sign_in)
    report = jb.get(f"/instances/{case_id}").get_json()["data"]["loss_report"]
    assert (report["late"], report["submitted_on"]) == (True, "2026-10-12")
    assert report["delay_reason"].startswith("国庆假期后")
    assert jb.post(f"/instances/{case_id}/verify").get_json()["ok"] is True


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"rectification_measures": []}, "/rectification_measures"),  # Art. 7 (3): at least one measure
        ({"court_ruling": ""}, "/court_ruling"),  # Art. 7 (2)
        ({"rectification_measures": [{"measure": "培训执法人员", "responsible": "法规股", "due_on": "下月"}]},
         "/rectification_measures/0/due_on"),
    ],
)  # fmt: skip
def test_the_report_form_refuses_a_report_missing_an_item_of_article_7(
    sign_in: SignIn, change: dict[str, Any], path: str
) -> None:
    case_id = start(sign_in("jb_staff"))
    land = sign_in("land_officer")
    refused = submit(land, "write_loss_report", {**REPORT, **change})
    assert refused.status_code == 422
    assert path in {e["path"] for e in refused.get_json()["errors"]}
    missing = {k: v for k, v in REPORT.items() if k != "basic_facts"}
    assert submit(land, "write_loss_report", missing).status_code == 422  # Art. 7 (1)
    assert [t["instance_id"] for t in tasks(land, "write_loss_report")] == [case_id]
