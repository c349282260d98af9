"""A step saves only over the revision it loaded. The case row is locked from load to commit, so no other step can
save in between; were one to, its audit events hold the sequence numbers this step would append, and the step is
refused whole. The check runs inside the step's writes (one pipeline on PostgreSQL), not as a round trip before."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from tests.services.test_claim_race import INTAKE, start_intake
from workflow_host.db import table_of
from workflow_host.host import Host
from workflow_host.models import AuditEvent, InboxTask, Instance, User
from workflow_host.services import steps, task_completion


def _save_by_another_step(session: Any, case_id: int) -> None:
    """What the rows hold had another step of the case been saved after this one loaded it."""
    row = session.execute(select(Instance.revision, Instance.audit_seq).where(Instance.id == case_id)).one()
    last = session.execute(
        select(AuditEvent).where(AuditEvent.instance_id == case_id, AuditEvent.seq == row.audit_seq)
    ).scalar_one()
    session.execute(  # a Core update: the loaded row object keeps what this step read
        update(table_of(Instance))
        .where(table_of(Instance).c.id == case_id)
        .values(revision=row.revision + 1, audit_seq=row.audit_seq + 1, audit_head="f" * 64)
    )
    columns = ("instance_id", "type", "actor", "at", "version_hash", "payload_json", "state_hash")
    values = {name: getattr(last, name) for name in columns}
    session.execute(insert(AuditEvent).values(**values, seq=row.audit_seq + 1, prev_hash=last.hash, hash="f" * 64))


def test_a_step_over_a_revision_saved_meanwhile_is_refused_whole(
    deployed: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id, task = start_intake(deployed)

    def load_then_someone_saves(session: Any, *args: Any, **kwargs: Any) -> steps.Case:
        case = steps.case_of(session, *args, **kwargs)
        _save_by_another_step(session, case_id)
        return case

    monkeypatch.setattr(task_completion, "case_of", load_then_someone_saves)
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        with pytest.raises(IntegrityError):  # the web layer answers 409
            task_completion.complete_task(session, deployed.runtime, clerk, task["id"], INTAKE)
        session.rollback()  # as the request's transaction does on the error
    with deployed.database.transaction() as session:
        row = session.get(InboxTask, task["id"])
        assert row is not None
        assert row.status == "ready"
        case = session.get(Instance, case_id)
        assert case is not None
        assert case.revision == 1
        kinds = session.scalars(select(AuditEvent.type).where(AuditEvent.instance_id == case_id)).all()
        assert kinds == ["instance_created"]
