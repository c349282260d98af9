"""The case list: each user finds the cases they may see, newest first, a page at a time; a case by part of its
number, its plaintiff or what it is about, and by status; with its parties and the step it waits at. An auditor,
whose inbox is empty, reaches any case from it."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import Web
from workflow_host.services import case_list

INTAKE = {"defendant": "unit"}


def registered(app: Flask, case_no: str, unit: str, **more: str) -> int:
    clerk = Api(app.test_client(), "clerk", PASSWORDS["clerk"])
    case_id = int(clerk.post("/instances", json={"process_id": "six_steps", "data": {}}).get_json()["id"])
    [task] = [t for t in clerk.get("/tasks").get_json()["tasks"] if t["instance_id"] == case_id]
    data = {**INTAKE, "case_no": case_no, "defendant_unit": unit, **more}
    assert clerk.post(f"/tasks/{task['id']}/complete", json={"data": data}).status_code == 200
    return case_id


def listed(web: Web, query: str = "") -> list[str]:
    page = web.get("/cases" + (f"?q={query}" if query else "")).get_data(as_text=True)
    return re.findall(r'<td><a href="/cases/\d+">([^<]+)</a>', page)


def test_each_user_lists_the_cases_they_may_see_and_finds_one_by_its_number(app: Flask) -> None:
    registered(app, "(2026)蒙0205行初12号", "land_bureau")
    registered(app, "(2026)蒙0205行初13号", "wudangzhao")
    auditor = Web(app, "auditor")
    assert listed(auditor) == ["(2026)蒙0205行初13号", "(2026)蒙0205行初12号"]  # newest first
    assert listed(auditor, "初12") == ["(2026)蒙0205行初12号"]
    assert listed(auditor, "%") == []  # searched as text, not as a pattern
    assert listed(Web(app, "land_officer")) == ["(2026)蒙0205行初12号"]  # a unit sees its own
    assert listed(Web(app, "town_officer")) == ["(2026)蒙0205行初13号"]
    assert "案号、原告或案由包含" in auditor.get("/cases").get_data(as_text=True)


def test_a_full_list_shows_the_newest_the_user_may_see(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_list, "CASE_LIST", 2)  # a list of two, read two cases at a time
    for number in range(1, 6):
        registered(app, f"(2026)蒙0205行初{number}号", "land_bureau" if number % 2 else "wudangzhao")
    assert listed(Web(app, "auditor")) == ["(2026)蒙0205行初5号", "(2026)蒙0205行初4号"]
    assert listed(Web(app, "land_officer")) == ["(2026)蒙0205行初5号", "(2026)蒙0205行初3号"]
    assert listed(Web(app, "town_officer"), "行初2") == ["(2026)蒙0205行初2号"]


def pages(web: Web, url: str) -> list[list[str]]:
    """Every page of a list, following 更早的案件 to the end."""
    found: list[list[str]] = []
    while url:
        page = web.get(url).get_data(as_text=True)
        found.append(re.findall(r'<td><a href="/cases/\d+">([^<]+)</a>', page))
        older = re.search(r'<a class="button" rel="next" href="([^"]+)"', page)
        url = older.group(1).replace("&amp;", "&") if older else ""
    return found


def test_older_cases_are_a_page_away_each_once(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_list, "CASE_LIST", 2)
    for number in range(1, 6):
        registered(app, f"(2026)蒙0205行初{number}号", "land_bureau" if number % 2 else "wudangzhao")
    auditor = Web(app, "auditor")
    assert pages(auditor, "/cases") == [
        ["(2026)蒙0205行初5号", "(2026)蒙0205行初4号"],
        ["(2026)蒙0205行初3号", "(2026)蒙0205行初2号"],
        ["(2026)蒙0205行初1号"],
    ]
    assert pages(Web(app, "land_officer"), "/cases") == [
        ["(2026)蒙0205行初5号", "(2026)蒙0205行初3号"],
        ["(2026)蒙0205行初1号"],
    ]
    assert pages(auditor, "/cases?q=行初&status=running")[1] == ["(2026)蒙0205行初3号", "(2026)蒙0205行初2号"]


def test_a_case_is_found_by_its_plaintiff_or_subject_and_shows_its_parties_and_step(app: Flask) -> None:
    registered(app, "(2026)蒙0205行初12号", "land_bureau", plaintiff="张某某", cause="不服房屋征收补偿决定")
    registered(app, "(2026)蒙0205行初13号", "wudangzhao", plaintiff="李某", cause="不服行政处罚决定")
    auditor = Web(app, "auditor")
    assert listed(auditor, "张某") == ["(2026)蒙0205行初12号"]
    assert listed(auditor, "行政处罚") == ["(2026)蒙0205行初13号"]
    assert listed(auditor, "王某") == []
    page = auditor.get("/cases?q=张某").get_data(as_text=True)
    parties = re.search(r'<td class="parties">(.*?)</td>', page, re.S)
    assert parties is not None
    words = re.sub(r"<[^>]+>", " ", parties.group(1)).split()
    assert words == ["原告", "张某某", "被告", "石拐区自然资源局"]
    row = re.search(r"<tr>\s*<td><a href=\"/cases/\d+\">.*?</tr>", page, re.S)
    assert row is not None
    assert "核对材料" in row.group(0)  # six_steps waits at its second step


def test_the_list_narrows_to_one_status_and_refuses_what_it_never_offers(app: Flask) -> None:
    registered(app, "(2026)蒙0205行初12号", "land_bureau")
    auditor = Web(app, "auditor")
    assert listed(auditor, "") == ["(2026)蒙0205行初12号"]
    running = auditor.get("/cases?status=running").get_data(as_text=True)
    assert re.findall(r'<td><a href="/cases/\d+">([^<]+)</a>', running) == ["(2026)蒙0205行初12号"]
    closed = auditor.get("/cases?status=completed").get_data(as_text=True)
    assert "没有找到案件" in closed or "No case found" in closed
    for bad in ("/cases?status=deleted", "/cases?before=yesterday", "/cases?before=1_x", f"/cases?before={10**19}_1"):
        response = auditor.get(bad)
        assert response.status_code == 400, bad
        assert "从最新的案件重新查看" in response.get_data(as_text=True)


def test_the_api_lists_the_same_cases_a_page_at_a_time(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_list, "CASE_LIST", 2)
    for number in range(1, 4):
        registered(app, f"(2026)蒙0205行初{number}号", "land_bureau", plaintiff=f"原告{number}")
    registered(app, "(2026)蒙0205行初9号", "wudangzhao")
    officer = Api(app.test_client(), "land_officer", PASSWORDS["land_officer"])
    first = officer.get("/instances").get_json()
    assert [case["case_no"] for case in first["instances"]] == ["(2026)蒙0205行初3号", "(2026)蒙0205行初2号"]
    assert first["instances"][0]["plaintiff"] == "原告3"
    assert first["instances"][0]["defendant_unit"] == "land_bureau"
    assert first["instances"][0]["open_steps"] == ["核对材料"]
    assert first["instances"][0]["case_numbers"] == []  # six_steps keeps no instance_level
    second = officer.get(f"/instances?before={first['next']}").get_json()
    assert [case["case_no"] for case in second["instances"]] == ["(2026)蒙0205行初1号"]
    assert second["next"] is None
    assert [c["case_no"] for c in officer.get("/instances?q=原告2").get_json()["instances"]] == ["(2026)蒙0205行初2号"]
    refused = officer.get("/instances?status=gone")
    assert refused.status_code == 400
    assert refused.get_json()["error"] == "bad_request"


def test_a_search_with_a_control_character_finds_nothing_instead_of_failing(app: Flask) -> None:
    registered(app, "(2026)蒙0205行初12号", "land_bureau", plaintiff="张某某")
    auditor = Web(app, "auditor")
    page = auditor.get("/cases?q=%00")
    assert page.status_code == 200
    assert "没有找到案件" in page.get_data(as_text=True) or "No case found" in page.get_data(as_text=True)
    officer = Api(app.test_client(), "land_officer", PASSWORDS["land_officer"])
    found = officer.get("/instances?q=%E5%BC%A0%00")
    assert found.status_code == 200
    assert found.get_json()["instances"] == []
