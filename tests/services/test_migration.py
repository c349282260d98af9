"""Moving running cases to a newer version: only when nothing they ran or wait at changed; each move is an
audit event, the case goes on under the new version, and replay still verifies it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORDS, Api
from tests.web.test_api_flow import INTAKE, complete, only_task
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.models import Instance, User
from workflow_host.services import deployment, versions
from workflow_host.services.errors import Forbidden
from workflow_host.services.migration import check_migrations, migrate_cases

SOURCE = "six_steps.bpmn"


def new_version(host: Host, change: Any) -> int:
    """Deploy six_steps changed by `change(xml) -> xml`; the new version's id."""
    with host.database.transaction() as session:
        name, xml = versions.version_source(session, versions.latest_version(session, "six_steps"), "six_steps")
        deployed = deployment.deploy_upload(session, host.runtime, "six_steps", {name: change(xml)}, "analyst")
        return deployed.version.id


def user(host: Host, username: str) -> User:
    with host.database.transaction() as session:
        found = session.get(User, username)
        assert found is not None
        session.expunge(found)
        return found


def case_at_review(deployed: Host) -> tuple[Any, int]:
    client = create_app({"TESTING": True, "HOST": deployed}).test_client()
    clerk = Api(client, "clerk", PASSWORDS["clerk"])
    case_id = int(clerk.post("/instances", json={"process_id": "six_steps"}).get_json()["id"])
    complete(clerk, "intake", INTAKE)
    complete(clerk, "check", {})
    return client, case_id


RENAME_FILE = lambda xml: xml.replace('name="提交法院"'.encode(), 'name="向法院提交答辩状"'.encode())  # noqa: E731
RENAME_INTAKE = lambda xml: xml.replace('name="登记应诉通知书"'.encode(), 'name="登记应诉通知书（新）"'.encode())  # noqa: E731


def test_a_case_moves_when_only_steps_ahead_of_it_changed_and_goes_on(deployed: Host) -> None:
    client, case_id = case_at_review(deployed)
    target = new_version(deployed, RENAME_FILE)
    analyst = user(deployed, "analyst")
    with deployed.database.transaction() as session:
        [check] = check_migrations(session, deployed.runtime, analyst, "six_steps", target)
        assert (check.instance_id, check.can_move, check.reasons) == (case_id, True, [])
        [done] = migrate_cases(session, deployed.runtime, analyst, [case_id], target)
        assert done.can_move
    with deployed.database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        assert row.version_id == target
    jb, land, director, clerk = (
        Api(client, u, PASSWORDS[u]) for u in ("jb_staff", "land_officer", "director_wang", "clerk")
    )
    complete(jb, "review", {})
    complete(land, "prepare", {})
    complete(director, "approve", {"approve_ok": True})
    assert only_task(clerk, "file")["title"] == "向法院提交答辩状"  # the new version's step
    complete(clerk, "file", {})
    events = clerk.get(f"/instances/{case_id}/events").get_json()["events"]
    migrated = [e for e in events if e["type"] == "version_migrated"]
    assert [(e["actor"], e["payload"]["to_version"]) for e in migrated] == [("analyst", target)]
    assert clerk.post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def remove_review(xml: bytes) -> bytes:
    """The review step replaced by another element (as if deleted and redrawn)."""
    task = '<bpmn:userTask id="review" name="司法局审查" />'.encode()
    assert task in xml
    return (
        xml.replace(task, b'<bpmn:task id="review_gone" />')
        .replace(b'targetRef="review"', b'targetRef="review_gone"')
        .replace(b'sourceRef="review"', b'sourceRef="review_gone"')
        .replace(b"<bpmn:flowNodeRef>review</bpmn:flowNodeRef>", b"<bpmn:flowNodeRef>review_gone</bpmn:flowNodeRef>")
    )


def test_a_case_stays_when_a_step_it_ran_or_waits_at_changed(deployed: Host) -> None:
    _client, case_id = case_at_review(deployed)
    analyst = user(deployed, "analyst")
    renamed_intake = new_version(deployed, RENAME_INTAKE)
    without_review = new_version(deployed, remove_review)
    with deployed.database.transaction() as session:
        [ran] = check_migrations(session, deployed.runtime, analyst, "six_steps", renamed_intake)
        [waits] = check_migrations(session, deployed.runtime, analyst, "six_steps", without_review)
        results = migrate_cases(session, deployed.runtime, analyst, [case_id], without_review)
    assert not ran.can_move
    assert ran.touched_changes == ["six_steps:intake"]
    assert not waits.can_move
    assert "six_steps:review" in waits.touched_changes
    assert not results[0].can_move
    with deployed.database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        assert row.version_id == 1  # still on its version


def test_only_analysts_migrate(deployed: Host) -> None:
    target = new_version(deployed, RENAME_FILE)
    with deployed.database.transaction() as session, pytest.raises(Forbidden):
        check_migrations(session, deployed.runtime, user(deployed, "clerk"), "six_steps", target)
