"""Fire due timers: find instances through the indexed next-due column, step each in its own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..db import Database, is_postgres
from ..engine import EngineError, FixedClock, Runtime, use_clock
from ..models import Instance
from .audit import append_events
from .steps import load_case, save_case

__all__ = ["fire_due_timers"]

BATCH = 50


def _claim_due(session: Session, at: datetime, done: list[int]) -> int | None:
    query = (
        select(Instance.id)
        .where(Instance.status == "running", Instance.next_due_at.is_not(None), Instance.next_due_at < at)
        .where(Instance.id.not_in(done))
        .order_by(Instance.next_due_at)
        .limit(1)
    )
    if is_postgres(session.get_bind().engine):
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def _fire_one(database: Database, runtime: Runtime, at: datetime, done: list[int]) -> int | None:
    with database.transaction() as session:
        instance_id = _claim_due(session, at, done)
        if instance_id is None:
            return None
        case = load_case(session, runtime, instance_id)
        if case.row.status != "running" or case.row.next_due_at is None or case.row.next_due_at >= at:
            return instance_id  # another worker fired it between our look and our lock
        try:
            case.engine.run()
        except EngineError as err:
            _record_error(session, case.row, case.version.content_hash, err, at)
            return instance_id
        due = case.row.next_due_at
        save_case(session, case, [("timer_fired", None, {"due_at": due.isoformat() if due else None})])
    return instance_id


def _record_error(session: Session, row: Instance, version_hash: str, err: EngineError, at: datetime) -> None:
    # The failed step is not kept: the instance stays as it was, marked as in error for a person to look at.
    session.execute(
        update(Instance)
        .where(Instance.id == row.id)
        .values(status="error", error_message=err.message, next_due_at=None, revision=row.revision + 1)
        .execution_options(synchronize_session=False)
    )
    payload = {"message": err.message, "element_id": err.element_id}
    append_events(session, row, [("instance_errored", None, payload)], at, version_hash)


def fire_due_timers(database: Database, runtime: Runtime, at: datetime, limit: int = 10_000) -> list[int]:
    """Fire every timer due at `at`, one instance per transaction; returns the instances stepped."""
    fired: list[int] = []
    with use_clock(FixedClock(at)):
        while len(fired) < limit:
            instance_id = _fire_one(database, runtime, at, fired)
            if instance_id is None:
                break
            fired.append(instance_id)
    return fired
