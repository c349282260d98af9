"""A completion that passed its "is it yours" check but meets a claim that landed meanwhile is refused whole. The
window exists on PostgreSQL: the task is read with its case's lock, and should that lock wait for a colleague's
claim, the case is read anew but the task may come as it was before the claim."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, update

from workflow_host.engine import Runtime
from workflow_host.host import Host
from workflow_host.models import AuditEvent, InboxTask, User
from workflow_host.services import instances, steps, task_completion, task_reading
from workflow_host.services.errors import Conflict, Forbidden

INTAKE = {"case_no": "(2026)蒙0205行初9号", "defendant": "unit", "defendant_unit": "land_bureau"}


def start_intake(deployed: Host) -> tuple[int, dict[str, Any]]:
    """A new six_steps case started by the clerk, and its first task (intake) as the clerk's inbox lists it."""
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        case_id = int(instances.start_instance(session, deployed.runtime, clerk, "six_steps", {})["id"])
        [task] = task_reading.list_tasks(session, clerk)
    return case_id, task


def test_a_claim_that_landed_before_the_case_was_locked_wins(deployed: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id, task = start_intake(deployed)

    def case_after_a_colleague_claimed(session: Any, *args: Any, **kwargs: Any) -> steps.Case:
        # what the row holds once another clerk's claim committed while the check waited for the lock
        session.execute(update(InboxTask).where(InboxTask.id == task["id"]).values(claimed_by="clerk2"))
        return steps.case_of(session, *args, **kwargs)

    monkeypatch.setattr(task_completion, "case_of", case_after_a_colleague_claimed)
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        with pytest.raises(Conflict, match="claimed"):
            task_completion.complete_task(session, deployed.runtime, clerk, task["id"], INTAKE)
        session.rollback()  # as the request's transaction does on the error
    with deployed.database.transaction() as session:
        row = session.get(InboxTask, task["id"])
        assert row is not None
        assert (row.status, row.claimed_by) == ("ready", None)  # the whole attempt rolled back
        kinds = session.scalars(select(AuditEvent.type).where(AuditEvent.instance_id == case_id)).all()
        assert "task_completed" not in kinds


def _waiting_for_a_lock(deployed: Host) -> bool:
    if deployed.database.engine.dialect.name != "postgresql":
        return True  # SQLite has no view of waiters: the test checks the order of the two transactions instead
    with deployed.database.engine.connect() as conn:
        query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        return bool(conn.exec_driver_sql(query).scalar())


def test_a_completion_that_waited_for_the_case_lock_finds_the_task_done(deployed: Host) -> None:
    """The task is read with its case's lock; while the lock waits for a colleague's completion of the same task,
    PostgreSQL reads the case anew but gives the task as it was: the step must still see it done (409)."""
    case_id, task = start_intake(deployed)
    outcome: list[BaseException | None] = []
    starting, began = threading.Event(), []

    def second_clerk() -> None:
        starting.set()
        with deployed.database.transaction() as session:
            clerk = session.get(User, "clerk")  # SQLite: BEGIN IMMEDIATE, which waits for the first commit
            began.append(time.monotonic())
            assert clerk is not None
            try:
                # a process with no warm copy
                task_completion.complete_task(session, Runtime(), clerk, task["id"], INTAKE)
                outcome.append(None)
            except (Conflict, Forbidden) as err:
                outcome.append(err)
                session.rollback()

    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        task_completion.complete_task(session, deployed.runtime, clerk, task["id"], INTAKE)
        waiting = threading.Thread(target=second_clerk)
        waiting.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock(deployed) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting_for_a_lock(deployed)
        assert starting.wait(10)
        time.sleep(0.2)  # SQLite: time for the second step to reach its BEGIN
        committing = time.monotonic()
    waiting.join(timeout=60)
    if deployed.database.engine.dialect.name == "sqlite":  # (PostgreSQL: seen waiting in pg_stat_activity above)
        assert began[0] > committing, "the second step did not wait for the first one's transaction"
    assert len(outcome) == 1
    assert isinstance(outcome[0], Conflict), outcome
    with deployed.database.transaction() as session:
        kinds = session.scalars(select(AuditEvent.type).where(AuditEvent.instance_id == case_id)).all()
        assert kinds.count("task_completed") == 1
