"""Two people completing the same task at the same moment: exactly one wins, the other changes nothing."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from tests.web.test_api_flow import INTAKE, only_task


def test_two_concurrent_completes_give_one_200_and_one_409(app: Flask, login: Any) -> None:
    clerk = login("clerk")
    case_id = clerk.post("/instances", json={"process_id": "six_steps"}).get_json()["id"]
    task = only_task(clerk, "intake")
    tokens = [login("clerk").headers for _ in range(2)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def complete(headers: dict[str, str]) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": INTAKE}, headers=headers)
        statuses.append(response.status_code)

    threads = [threading.Thread(target=complete, args=(h,)) for h in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(statuses) == [200, 409]
    events = clerk.get(f"/instances/{case_id}/events").get_json()["events"]
    assert [e["type"] for e in events].count("task_completed") == 1
    assert clerk.post(f"/instances/{case_id}/verify").get_json()["ok"] is True
    assert [t["name"] for t in clerk.get(f"/instances/{case_id}").get_json()["tasks"]] == ["check"]
