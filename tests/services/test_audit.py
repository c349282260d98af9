"""The audit log is append-only in the database, and a tampered event is found by verification."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services import instances
from workflow_host.services.audit import verify_chain


def _case(host: Host) -> int:
    with host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        return int(instances.start_instance(session, host.runtime, clerk, "six_steps", {"note": "原始"})["id"])


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"])
def test_the_database_refuses_to_change_or_delete_events(deployed: Host, statement: str) -> None:
    case_id = _case(deployed)
    with pytest.raises(DatabaseError, match="append-only"), deployed.database.transaction() as session:
        session.execute(text(statement))
    with deployed.database.transaction() as session:
        assert verify_chain(session, case_id) == {"ok": True, "events_checked": 1}


def test_verification_names_the_event_that_was_altered_behind_the_triggers(deployed: Host) -> None:
    case_id = _case(deployed)
    engine = deployed.database.engine
    tampered = "UPDATE audit_event SET payload_json = replace(payload_json, '原始', '篡改')"
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
            conn.execute(text(tampered))
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
            conn.execute(text(tampered))
    with deployed.database.transaction() as session:
        result = verify_chain(session, case_id)
    assert result["ok"] is False
    assert result["mismatch"] == {"seq": 1, "reason": "hash does not match the event's content"}
