"""A case run end to end over the JSON API by the people the lanes name."""

from __future__ import annotations

import itertools
from typing import Any

INTAKE = {"case_no": "(2026)蒙0205行初12号", "defendant": "unit", "defendant_unit": "land_bureau"}


def only_task(api: Any, name: str) -> dict[str, Any]:
    tasks = [t for t in api.get("/tasks").get_json()["tasks"] if t["name"] == name]
    assert len(tasks) == 1, tasks
    return tasks[0]


def complete(api: Any, name: str, data: dict[str, Any]) -> dict[str, Any]:
    task = only_task(api, name)
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()
    return task


def test_a_case_runs_from_intake_to_filing_by_the_right_people(login: Any) -> None:
    clerk, jb, land, director = login("clerk"), login("jb_staff"), login("land_officer"), login("director_wang")
    started = clerk.post("/instances", json={"process_id": "six_steps", "data": {}})
    assert started.status_code == 201, started.get_json()
    case_id = started.get_json()["id"]
    assert [t["name"] for t in started.get_json()["tasks"]] == ["intake"]

    complete(clerk, "intake", INTAKE)
    complete(clerk, "check", {})
    complete(jb, "review", {})
    assert only_task(land, "prepare")["unit"] == "land_bureau"
    assert login("town_officer").get("/tasks").get_json()["tasks"] == []
    complete(land, "prepare", {})
    complete(director, "approve", {"approve_ok": True})
    complete(clerk, "file", {})

    case = clerk.get(f"/instances/{case_id}").get_json()
    assert case["status"] == "completed"
    assert case["data"]["handling_units"] == ["land_bureau"]
    assert case["tasks"] == []
    events = clerk.get(f"/instances/{case_id}/events").get_json()["events"]
    assert [e["type"] for e in events].count("task_completed") == 6
    assert events[-1]["type"] == "instance_completed"
    assert all(e["prev_hash"] == p["hash"] for p, e in itertools.pairwise(events))
    verified = clerk.post(f"/instances/{case_id}/verify").get_json()
    assert verified == {"ok": True, "events_checked": len(events), "steps_replayed": len(events)}


def test_a_user_who_is_not_a_candidate_gets_403_and_nothing_changes(login: Any) -> None:
    clerk = login("clerk")
    case_id = clerk.post("/instances", json={"process_id": "six_steps"}).get_json()["id"]
    task = only_task(clerk, "intake")
    response = login("land_officer").post(f"/tasks/{task['id']}/complete", json={"data": INTAKE})
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    assert [t["name"] for t in clerk.get(f"/instances/{case_id}").get_json()["tasks"]] == ["intake"]


def test_form_errors_come_back_with_every_path_and_nothing_is_kept(login: Any) -> None:
    clerk = login("clerk")
    case_id = clerk.post("/instances", json={"process_id": "six_steps"}).get_json()["id"]
    task = only_task(clerk, "intake")
    response = clerk.post(f"/tasks/{task['id']}/complete", json={"data": {"case_no": 5, "defendant": "nobody"}})
    assert response.status_code == 422
    paths = {e["path"] for e in response.get_json()["errors"]}
    assert paths == {"/case_no", "/defendant"}
    case = clerk.get(f"/instances/{case_id}").get_json()
    assert case["revision"] == 1
    assert [t["name"] for t in case["tasks"]] == ["intake"]


def test_completing_a_task_twice_gives_409(login: Any) -> None:
    clerk = login("clerk")
    clerk.post("/instances", json={"process_id": "six_steps"})
    task = complete(clerk, "intake", INTAKE)
    again = clerk.post(f"/tasks/{task['id']}/complete", json={"data": INTAKE})
    assert again.status_code == 409
    assert again.get_json()["error"] == "conflict"
    assert "completed by clerk" in again.get_json()["message"]
    assert clerk.post("/tasks/no-such-task/complete", json={"data": {}}).status_code == 404


def test_claimed_tasks_are_hidden_from_other_candidates(login: Any) -> None:
    clerk, other = login("clerk"), login("jb_staff")
    clerk.post("/instances", json={"process_id": "six_steps"})
    complete(clerk, "intake", INTAKE)
    complete(clerk, "check", {})
    task = only_task(other, "review")
    zhao = login("zhao")
    assert zhao.post(f"/tasks/{task['id']}/claim").status_code == 200
    assert other.get("/tasks").get_json()["tasks"] == []
    assert other.post(f"/tasks/{task['id']}/claim").status_code == 409
    assert other.post(f"/tasks/{task['id']}/complete", json={"data": {}}).status_code == 403
    assert zhao.post(f"/tasks/{task['id']}/unclaim").status_code == 200
    assert only_task(other, "review")["claimed_by"] is None


def test_each_completion_answers_with_what_the_case_waits_for_next(login: Any) -> None:
    """A client can go on from the completion's answer alone: it lists the case's ready tasks as the case shows them."""
    people = {"clerk": login("clerk"), "jb_staff": login("jb_staff"), "land_officer": login("land_officer")}
    people["director_wang"] = login("director_wang")
    started = people["clerk"].post("/instances", json={"process_id": "six_steps", "data": {}}).get_json()
    steps = [
        ("clerk", "intake", INTAKE),
        ("clerk", "check", {}),
        ("jb_staff", "review", {}),
        ("land_officer", "prepare", {}),
        ("director_wang", "approve", {"approve_ok": True}),
        ("clerk", "file", {}),
    ]
    waiting = started["tasks"]
    for who, name, data in steps:
        [task] = [t for t in waiting if t["name"] == name]
        answer = people[who].post(f"/tasks/{task['id']}/complete", json={"data": data}).get_json()
        assert answer["task_id"] == task["id"]
        assert answer["tasks"] == people["clerk"].get(f"/instances/{started['id']}").get_json()["tasks"]
        assert task["id"] not in [t["id"] for t in answer["tasks"]]
        waiting = answer["tasks"]
    assert (answer["status"], waiting) == ("completed", [])
