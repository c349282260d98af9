"""A case whose work happens inside a called process: tasks reach the inbox, data flows back, history verifies."""

from __future__ import annotations

from typing import Any

from tests.web.test_api_flow import INTAKE, complete


def run_six_steps(clerk: Any, jb: Any, land: Any, director: Any) -> None:
    complete(clerk, "intake", INTAKE)
    complete(clerk, "check", {})
    complete(jb, "review", {})
    complete(land, "prepare", {})
    complete(director, "approve", {"approve_ok": True})
    complete(clerk, "file", {})


def test_a_called_process_runs_twice_and_its_data_returns_to_the_parent(login: Any) -> None:
    clerk, jb, land, director = login("clerk"), login("jb_staff"), login("land_officer"), login("director_wang")
    started = clerk.post("/instances", json={"process_id": "call_parent", "data": {}})
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["id"]
    assert [t["name"] for t in started.get_json()["tasks"]] == ["intake"]

    run_six_steps(clerk, jb, land, director)
    case = clerk.get(f"/instances/{case_id}").get_json()
    assert case["data"]["rounds"] == 1
    assert case["data"]["handling_units"] == ["land_bureau"]
    assert [t["name"] for t in case["tasks"]] == ["intake"]

    run_six_steps(clerk, jb, land, director)
    complete(clerk, "wrap_up", {})
    case = clerk.get(f"/instances/{case_id}").get_json()
    assert case["status"] == "completed"
    assert case["data"]["rounds"] == 2
    verified = clerk.post(f"/instances/{case_id}/verify").get_json()
    assert verified["ok"] is True, verified
