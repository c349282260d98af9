"""Replay: a case rebuilt from its version and audit events alone reaches the recorded state at every step;
forged events, removed events and altered stored state are each named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from workflow_host.cli import main
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services import instances, task_claims, task_completion, task_reading
from workflow_host.services.audit import GENESIS, _hash
from workflow_host.services.calendar import load_calendar_year
from workflow_host.services.recompute import recompute_provisional
from workflow_host.services.timers import fire_due_timers
from workflow_host.services.verification import verify_instance

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
INTAKE = {"case_no": "(2026)蒙0205行初5号", "defendant": "unit", "defendant_unit": "land_bureau"}


def _start(host: Host, process_id: str, data: dict[str, Any], at: datetime | None = None) -> int:
    with use_clock(FixedClock(at or datetime(2026, 12, 1, tzinfo=UTC))), host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        return int(instances.start_instance(session, host.runtime, clerk, process_id, data)["id"])


def _complete(host: Host, username: str, data: dict[str, Any], name: str | None = None) -> None:
    with host.database.transaction() as session:
        user = session.get(User, username)
        assert user is not None
        [task] = [t for t in task_reading.list_tasks(session, user) if name is None or t["name"] == name]
        task_completion.complete_task(session, host.runtime, user, task["id"], data)


def _verify(host: Host, case_id: int) -> dict[str, Any]:
    with host.database.transaction() as session:
        return verify_instance(session, host.runtime, case_id)


def _six_steps_with_a_send_back(host: Host) -> int:
    case_id = _start(host, "six_steps", {})
    _complete(host, "clerk", INTAKE, "intake")
    _complete(host, "clerk", {}, "check")
    _complete(host, "jb_staff", {})
    with host.database.transaction() as session:
        officer = session.get(User, "land_officer")
        assert officer is not None
        task_claims.claim_task(session, officer, task_reading.list_tasks(session, officer)[0]["id"])
    _complete(host, "land_officer", {})
    _complete(host, "director_wang", {"approve_ok": False})  # back to the unit: a gateway loop
    _complete(host, "land_officer", {"revised": True})
    _complete(host, "director_wang", {"approve_ok": True})
    _complete(host, "clerk", {}, "file")
    return case_id


def test_complete_cases_replay_step_by_step(deployed: Host) -> None:
    six = _six_steps_with_a_send_back(deployed)
    loop = _start(deployed, "loop_case", {"done": False})
    for round_no in range(1, 71):
        _complete(deployed, "clerk", {"done": round_no == 70})
    timer = _start(deployed, "hearing_timer", {})
    _complete(deployed, "clerk", {"hearing_on": "2026-12-15T09:30:00+08:00"})
    fire_due_timers(deployed.database, deployed.runtime, datetime(2026, 12, 16, tzinfo=UTC))
    for case_id, steps in ((six, 11), (loop, 72), (timer, 3)):
        result = _verify(deployed, case_id)
        assert result["ok"] is True, result
        assert result["steps_replayed"] >= steps


def test_a_case_whose_deadline_was_recomputed_replays(deployed: Host) -> None:
    case_id = _start(
        deployed, "defence_deadline", {"complaint_served_on": "2026-12-20"}, datetime(2026, 12, 21, tzinfo=UTC)
    )
    with use_clock(FixedClock(datetime(2026, 12, 22, tzinfo=UTC))):  # the notice comes out after the case began
        with deployed.database.transaction() as session:
            load_calendar_year(session, (FIXTURES / "calendar/2027-test.yaml").read_text(encoding="utf-8"), "admin")
        deployed.calendar.invalidate()
        assert recompute_provisional(deployed.database, deployed.runtime, deployed.calendar.current(), "admin")
    fire_due_timers(deployed.database, deployed.runtime, datetime(2027, 1, 7, tzinfo=UTC))
    result = _verify(deployed, case_id)
    assert result["ok"] is True, result


def _rewrite(host: Host, statement: str, **params: Any) -> None:
    """Change the database behind the application's back, triggers off, as an intruder with SQL would."""
    engine = host.database.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_event_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_event_no_delete"))
        conn.execute(text(statement), params)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))


def _forge_chain(host: Host, case_id: int, seq: int, change: Any) -> None:
    """Alter one event's payload and recompute every hash after it: the chain itself then checks out."""
    with host.database.engine.connect() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(text("SELECT * FROM audit_event WHERE instance_id = :i ORDER BY seq"), {"i": case_id})
        ]
    prev = GENESIS
    for row in rows:
        if row["seq"] == seq:
            row["payload_json"] = json.dumps(
                change(json.loads(row["payload_json"])), ensure_ascii=False, sort_keys=True
            )
        row["prev_hash"] = prev
        at = row["at"] if isinstance(row["at"], datetime) else datetime.fromisoformat(row["at"])
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        row["hash"] = prev = _hash(prev, {**row, "at": at})
        _rewrite(
            host,
            "UPDATE audit_event SET payload_json = :p, prev_hash = :ph, hash = :h WHERE id = :id",
            p=row["payload_json"],
            ph=row["prev_hash"],
            h=row["hash"],
            id=row["id"],
        )
    _rewrite(host, "UPDATE instance SET audit_head = :h WHERE id = :i", h=prev, i=case_id)


def test_a_forged_event_with_a_rebuilt_chain_is_caught_by_replay(deployed: Host) -> None:
    case_id = _six_steps_with_a_send_back(deployed)

    def other_answer(payload: dict[str, Any]) -> dict[str, Any]:
        return {**payload, "data": {**payload["data"], "approve_ok": True}}

    _forge_chain(deployed, case_id, 7, other_answer)  # the director's first decision, "send back", made "approve"
    result = _verify(deployed, case_id)
    assert result["ok"] is False
    assert result["events_checked"] > 7
    assert result["mismatch"]["seq"] == 7


def test_a_removed_event_is_named(deployed: Host) -> None:
    case_id = _six_steps_with_a_send_back(deployed)
    _rewrite(deployed, "DELETE FROM audit_event WHERE instance_id = :i AND seq = 5", i=case_id)
    result = _verify(deployed, case_id)
    assert result["ok"] is False
    assert result["mismatch"] == {"seq": 6, "reason": "event 5 is missing"}


@pytest.mark.parametrize("field", ["approve_ok"])
def test_stored_state_altered_behind_the_application_is_named(deployed: Host, field: str) -> None:
    case_id = _start(deployed, "six_steps", {})
    _complete(deployed, "clerk", INTAKE, "intake")
    with deployed.database.engine.begin() as conn:
        conn.execute(
            text("UPDATE instance_state_row SET body = replace(body, :a, :b) WHERE instance_id = :i"),
            {"a": "land_bureau", "b": "other_unit", "i": case_id},
        )
    deployed.runtime.live.clear()
    result = _verify(deployed, case_id)
    assert result["ok"] is False
    assert "stored state differs" in result["mismatch"]["reason"]


def test_the_audit_verify_command_fails_for_a_case_that_does_not_exist(
    deployed: Host, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case_id = _six_steps_with_a_send_back(deployed)
    monkeypatch.setenv("DATABASE_URL", deployed.database.url)
    assert main(["audit", "verify", "--instance", str(case_id)]) == 0
    assert "1 of 1 instance(s) verified, 0 failed" in capsys.readouterr().out

    assert main(["audit", "verify", "--instance", str(case_id + 1000)]) == 1  # not "1 of 1 verified"
    printed = capsys.readouterr()
    assert f"there is no case {case_id + 1000}" in printed.err
    assert "verified" not in printed.out
