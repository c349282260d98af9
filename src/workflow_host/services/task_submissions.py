"""What was submitted the last time a step was done in a case, by the same unit: a step done again (sent back)
starts from it (`startFromLastSubmission`), and a later instance's step may start from the first instance's."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, InboxTask

__all__ = ["earlier_instance_submission", "previous_submission"]


def previous_submission(session: Session, task: InboxTask) -> dict[str, Any] | None:
    """What was submitted the last time this step was done in this case, by the same unit: a step done again
    (materials sent back for supplement, a hearing record sent back) whose user task says
    `startFromLastSubmission` starts from it instead of a blank form.
    {"task_id", "data", "completed_at", "completed_by"}, or None when the step is done for the first time."""
    found = _last_submission(session, task)
    return None if found is None or found[1] else found[0]


def earlier_instance_submission(session: Session, task: InboxTask) -> dict[str, Any] | None:
    """What the same unit submitted the last time it did this step before the case went on elsewhere: at a later
    instance, the first instance's (as previous_submission), or None."""
    found = _last_submission(session, task)
    return found[0] if found is not None and found[1] else None


def _last_submission(session: Session, task: InboxTask) -> tuple[dict[str, Any], bool] | None:
    """The last submission of this step by the same unit, and whether the case did another process's step since
    (a later instance's step, not one sent back)."""
    same_unit = InboxTask.unit.is_(None) if task.unit is None else InboxTask.unit == task.unit
    earlier = {
        row.id: row
        for row in session.execute(
            select(InboxTask.id, InboxTask.completed_at, InboxTask.completed_by).where(
                InboxTask.instance_id == task.instance_id,
                InboxTask.process_id == task.process_id,
                InboxTask.element_id == task.element_id,
                InboxTask.status == "completed",
                InboxTask.id != task.id,
                same_unit,
            )
        )
    }
    if not earlier:
        return None
    # the last of them in the case's own order (completion times may be equal under a fixed clock)
    events = session.scalars(
        select(AuditEvent.payload_json)
        .where(
            AuditEvent.instance_id == task.instance_id,
            AuditEvent.type == "task_completed",
            AuditEvent.payload_json.contains(task.element_id),
        )
        .order_by(AuditEvent.seq.desc())
    )
    for payload in map(json.loads, events):
        found = earlier.get(payload.get("task_id"))
        if found is not None and isinstance(payload.get("data"), dict):
            submitted = {
                "task_id": found.id,
                "data": payload["data"],
                "completed_at": found.completed_at.isoformat() if found.completed_at else None,
                "completed_by": found.completed_by,
            }
            return submitted, _left_since(session, task, found.completed_at)
    return None


def _left_since(session: Session, task: InboxTask, since: Any) -> bool:
    """Whether the case did a step of another process after `since`: a send-back stays inside the step's own
    process (defence, hearing, sign-off…), while the same step in a later instance comes after others."""
    if since is None:
        return True
    other = select(InboxTask.id).where(
        InboxTask.instance_id == task.instance_id,
        InboxTask.status == "completed",
        InboxTask.process_id != task.process_id,
        InboxTask.completed_at > since,
    )
    return session.scalar(select(exists(other))) or False
