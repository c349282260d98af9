"""The case list: each user finds the cases they may see, newest first, and a case by part of its number; an
auditor, whose inbox is empty, reaches any case from it."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import Web
from workflow_host.services import case_view

INTAKE = {"defendant": "unit"}


def registered(app: Flask, case_no: str, unit: str) -> int:
    clerk = Api(app.test_client(), "clerk", PASSWORDS["clerk"])
    case_id = int(clerk.post("/instances", json={"process_id": "six_steps", "data": {}}).get_json()["id"])
    [task] = [t for t in clerk.get("/tasks").get_json()["tasks"] if t["instance_id"] == case_id]
    data = {**INTAKE, "case_no": case_no, "defendant_unit": unit}
    assert clerk.post(f"/tasks/{task['id']}/complete", json={"data": data}).status_code == 200
    return case_id


def listed(web: Web, query: str = "") -> list[str]:
    page = web.get("/cases" + (f"?q={query}" if query else "")).get_data(as_text=True)
    return re.findall(r'<td><a href="/cases/\d+">([^<]+)</a></td>', page)


def test_each_user_lists_the_cases_they_may_see_and_finds_one_by_its_number(app: Flask) -> None:
    registered(app, "(2026)蒙0205行初12号", "land_bureau")
    registered(app, "(2026)蒙0205行初13号", "wudangzhao")
    auditor = Web(app, "auditor")
    assert listed(auditor) == ["(2026)蒙0205行初13号", "(2026)蒙0205行初12号"]  # newest first
    assert listed(auditor, "初12") == ["(2026)蒙0205行初12号"]
    assert listed(auditor, "%") == []  # searched as text, not as a pattern
    assert listed(Web(app, "land_officer")) == ["(2026)蒙0205行初12号"]  # a unit sees its own
    assert listed(Web(app, "town_officer")) == ["(2026)蒙0205行初13号"]
    assert "案号包含" in auditor.get("/cases").get_data(as_text=True)


def test_a_full_list_shows_the_newest_the_user_may_see(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_view, "CASE_LIST", 2)  # a list of two, read two cases at a time
    for number in range(1, 6):
        registered(app, f"(2026)蒙0205行初{number}号", "land_bureau" if number % 2 else "wudangzhao")
    assert listed(Web(app, "auditor")) == ["(2026)蒙0205行初5号", "(2026)蒙0205行初4号"]
    assert listed(Web(app, "land_officer")) == ["(2026)蒙0205行初5号", "(2026)蒙0205行初3号"]
    assert listed(Web(app, "town_officer"), "行初2") == ["(2026)蒙0205行初2号"]
