"""POST /api/v1/instances/{id}/terminate: the case as GET /instances/{id} gives it, now terminated; 403, 404, 409
and 422 as JSON {error, message}; the history still verifies."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import Api
from workflow_host.host import Host
from workflow_host.services.directory import load_directory

INTAKE = {"case_no": "(2026)蒙0205行初21号", "defendant": "unit", "defendant_unit": "land_bureau"}


@pytest.fixture
def admin(deployed: Host, client: FlaskClient) -> Api:
    with deployed.database.transaction() as session:
        load_directory(session, "users:\n  - {username: admin, name: 系统管理员, password: pw-admin, roles: [admin]}\n")
    return Api(client, "admin", "pw-admin")


def _case_at_check(clerk: Api) -> int:
    """A six_steps case whose intake the clerk completed: it waits at `check`, in the clerk's inbox."""
    case = clerk.post("/instances", json={"process_id": "six_steps"}).get_json()
    [intake] = case["tasks"]
    assert clerk.post(f"/tasks/{intake['id']}/complete", json={"data": INTAKE}).status_code == 200
    return int(case["id"])


def test_an_admin_terminates_a_case_and_gets_it_back_as_the_case_reads(login: Any, admin: Api) -> None:
    clerk = login("clerk")
    case_id = _case_at_check(clerk)
    assert [t["instance_id"] for t in clerk.get("/tasks").get_json()["tasks"]] == [case_id]

    answer = admin.post(f"/instances/{case_id}/terminate", json={"reason": " 重复登记的应诉通知 "})

    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["status"], body["tasks"], body["data"]["case_no"]) == ("terminated", [], INTAKE["case_no"])
    assert body == admin.get(f"/instances/{case_id}").get_json()
    assert clerk.get("/tasks").get_json()["tasks"] == []
    events = clerk.get(f"/instances/{case_id}/events").get_json()["events"]
    [ended] = [e for e in events if e["type"] == "instance_terminated"]  # then the admin's reading (case_viewed)
    assert (ended["actor"], ended["payload"]) == ("admin", {"reason": "重复登记的应诉通知"})
    assert clerk.post(f"/instances/{case_id}/verify").get_json()["ok"] is True

    again = admin.post(f"/instances/{case_id}/terminate", json={"reason": "重复登记"})
    assert again.status_code == 409
    assert again.get_json()["error"] == "conflict"
    assert "already terminated" in again.get_json()["message"]


def test_who_may_not_terminate_is_told_so_and_the_case_goes_on(login: Any, admin: Api) -> None:
    clerk = login("clerk")
    case_id = _case_at_check(clerk)
    for api, message in (
        (clerk, "its registrant may, until a step of it is completed"),  # registered it, but a step is done
        (login("land_officer"), "only an administrator may terminate"),  # the case's unit
        (login("town_officer"), "you may not see this case"),
    ):
        answer = api.post(f"/instances/{case_id}/terminate", json={"reason": "登记错误"})
        assert answer.status_code == 403
        assert answer.get_json()["error"] == "forbidden"
        assert message in answer.get_json()["message"]
    assert clerk.get(f"/instances/{case_id}").get_json()["status"] == "running"
    assert [t["instance_id"] for t in clerk.get("/tasks").get_json()["tasks"]] == [case_id]


def test_the_registrant_may_terminate_a_case_nobody_has_worked_on(login: Any) -> None:
    clerk = login("clerk")
    case_id = clerk.post("/instances", json={"process_id": "six_steps"}).get_json()["id"]
    answer = clerk.post(f"/instances/{case_id}/terminate", json={"reason": "测试录入，误登记"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["status"] == "terminated"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 422, "invalid"),
        ({"reason": 5}, 422, "invalid"),
        ({"reason": " 撤 "}, 422, "invalid"),
        ({"reason": "理" * 501}, 422, "invalid"),
        ([], 422, "invalid"),
    ],
)
def test_a_bad_reason_is_refused_and_nothing_changes(
    login: Any, admin: Api, body: Any, status: int, error: str
) -> None:
    case_id = _case_at_check(login("clerk"))
    events = len(admin.get(f"/instances/{case_id}/events").get_json()["events"])
    answer = admin.post(f"/instances/{case_id}/terminate", json=body)
    assert answer.status_code == status
    assert answer.get_json()["error"] == error
    assert answer.get_json()["message"]
    after = admin.get(f"/instances/{case_id}")
    assert after.get_json()["status"] == "running"
    # the admin's reading is recorded (case_viewed): the only events added
    kinds = [e["type"] for e in admin.get(f"/instances/{case_id}/events").get_json()["events"][events:]]
    assert set(kinds) <= {"case_viewed"}


def test_an_unknown_case_is_404(admin: Api) -> None:
    answer = admin.post("/instances/4242/terminate", json={"reason": "重复登记"})
    assert answer.status_code == 404
    assert answer.get_json()["error"] == "not_found"


def test_the_openapi_document_describes_the_operation(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/instances/{instance_id}/terminate"]["post"]
    assert set(operation["responses"]) >= {"200", "403", "404", "409", "422"}
    reason = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["reason"]
    assert (reason["minLength"], reason["maxLength"]) == (2, 500)
    assert "administrator" in operation["summary"]
