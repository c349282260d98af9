"""A completion that passed its "is it yours" check but meets a claim that landed before the case was locked (the
window exists on PostgreSQL, where the check reads without a lock) is refused whole."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from workflow_host.host import Host
from workflow_host.models import AuditEvent, InboxTask, User
from workflow_host.services import instances, steps, tasks
from workflow_host.services.errors import Conflict

INTAKE = {"case_no": "(2026)蒙0205行初9号", "defendant": "unit", "defendant_unit": "land_bureau"}


def test_a_claim_that_landed_before_the_case_was_locked_wins(deployed: Host, monkeypatch: pytest.MonkeyPatch) -> None:
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        case_id = int(instances.start_instance(session, deployed.runtime, clerk, "six_steps", {})["id"])
        [task] = tasks.list_tasks(session, clerk)

    def load_after_a_colleague_claimed(session: Any, *args: Any, **kwargs: Any) -> steps.Case:
        # what the row holds once another clerk's claim committed between the check and the lock
        session.execute(update(InboxTask).where(InboxTask.id == task["id"]).values(claimed_by="clerk2"))
        return steps.load_case(session, *args, **kwargs)

    monkeypatch.setattr(tasks, "load_case", load_after_a_colleague_claimed)
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        with pytest.raises(Conflict, match="claimed"):
            tasks.complete_task(session, deployed.runtime, clerk, task["id"], INTAKE)
        session.rollback()  # as the request's transaction does on the error
    with deployed.database.transaction() as session:
        row = session.get(InboxTask, task["id"])
        assert row is not None
        assert (row.status, row.claimed_by) == ("ready", None)  # the whole attempt rolled back
        kinds = session.scalars(select(AuditEvent.type).where(AuditEvent.instance_id == case_id)).all()
        assert "task_completed" not in kinds
