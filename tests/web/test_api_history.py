"""Auditors export a case's history with its chain head, and every auditor look is itself recorded."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.web.test_api_flow import INTAKE, complete


def _case(login: Any) -> int:
    clerk = login("clerk")
    case_id = int(clerk.post("/instances", json={"process_id": "six_steps"}).get_json()["id"])
    complete(clerk, "intake", INTAKE)
    return case_id


def test_the_json_export_carries_every_event_and_the_chain_head(login: Any) -> None:
    case_id = _case(login)
    auditor = login("auditor")
    response = auditor.get(f"/instances/{case_id}/export?format=json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_json()
    assert body["head_hash"] == body["events"][-1]["hash"]
    assert [e["type"] for e in body["events"]] == ["instance_created", "task_completed", "case_viewed"]
    assert body["events"][1]["payload"]["data"]["case_no"] == INTAKE["case_no"]


def test_the_csv_export_opens_in_a_spreadsheet(login: Any) -> None:
    case_id = _case(login)
    text = login("auditor").get(f"/instances/{case_id}/export?format=csv").get_data(as_text=True)
    head, table = text.split("\n", 1)
    rows = list(csv.DictReader(io.StringIO(table)))
    assert head.startswith(f"# instance {case_id}")
    assert rows[-1]["hash"] in head
    assert INTAKE["case_no"] in rows[1]["payload"]


def test_auditor_views_are_recorded_and_the_case_still_verifies(login: Any) -> None:
    case_id = _case(login)
    auditor, clerk = login("auditor"), login("clerk")
    auditor.get(f"/instances/{case_id}")
    auditor.get(f"/instances/{case_id}/events")
    clerk.get(f"/instances/{case_id}")  # people working on the case are not "viewing" it
    events = clerk.get(f"/instances/{case_id}/events").get_json()["events"]
    viewed = [e for e in events if e["type"] == "case_viewed"]
    assert [(e["actor"], e["payload"]["what"]) for e in viewed] == [("auditor", "case"), ("auditor", "events")]
    assert clerk.post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_an_export_in_another_format_is_refused(login: Any) -> None:
    case_id = _case(login)
    response = login("auditor").get(f"/instances/{case_id}/export?format=xlsx")
    assert response.status_code == 422
    assert login("town_officer").get(f"/instances/{case_id}/export").status_code == 403
