"""Terminating a case: stopping it for good, with a reason, for a reason the diagram does not know.

A case registered by mistake (the wrong process, a court notice registered twice, a test entry) or one that must
stop for a reason outside the diagram leaves every inbox, fires no timer, sends no reminder and is counted in no
report; its history stays, with one `instance_terminated` event that says who stopped it and why. The workflow's
own state is left as it was (replay changes nothing at that event, and the stored state still matches).

Who may: an administrator; and the person who registered the case, while nobody has completed a step of it (a
registration made by mistake, before anyone acted on it). Either must be able to see the case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from ..engine import now
from ..models import AuditEvent, CaseDeadline, InboxTask, Instance, ProcessVersion, User
from .audit import append_events
from .errors import Conflict, Forbidden, Invalid, NotFound
from .inbox_sync import close_open_tasks
from .instances import instance_view
from .permissions import can_view_instance, require_view_instance

__all__ = [
    "REASON_LENGTH",
    "TERMINABLE",
    "TERMINATORS",
    "Termination",
    "may_terminate",
    "require_terminable",
    "terminate_case",
    "termination_of",
]

TERMINATORS = {"admin"}
TERMINABLE = {"running", "error"}  # a closed case is finished; a terminated one is already stopped
REASON_LENGTH = (2, 500)  # characters, once trimmed


@dataclass(frozen=True)
class Termination:
    """Who terminated a case, when and why (its `instance_terminated` event)."""

    at: datetime
    actor: str | None
    reason: str


def _has_completed_step(session: Session, instance_id: int) -> bool:
    done = exists().where(InboxTask.instance_id == instance_id, InboxTask.status == "completed")
    return bool(session.scalar(select(done)))


def _may_terminate(session: Session, user: User, row: Instance) -> bool:
    """The rule without the view check: an administrator, or the registrant before any step was completed (the
    row's `created_by` is the actor of its `instance_created` event: both are written by the same start)."""
    if user.role_names & TERMINATORS:
        return True
    return row.created_by == user.username and not _has_completed_step(session, row.id)


def may_terminate(session: Session, user: User, row: Instance) -> bool:
    """Whether `user` may terminate this case now (the case page offers the action only then)."""
    return row.status in TERMINABLE and can_view_instance(session, user, row) and _may_terminate(session, user, row)


def _reason(reason: Any) -> str:
    low, high = REASON_LENGTH
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid("'reason' is required: say why the case is terminated", field="reason", kind="required")
    text = reason.strip()
    if not low <= len(text) <= high:
        raise Invalid(
            f"the reason must be {low} to {high} characters long (it has {len(text)})",
            field="reason",
            kind="length",
            length=len(text),
        )
    return text


def _refuse_status(row: Instance) -> None:
    if row.status == "terminated":
        raise Conflict("this case was already terminated", case_status=row.status)
    if row.status == "completed":
        raise Conflict("this case is closed: a closed case cannot be terminated", case_status=row.status)
    if row.status not in TERMINABLE:
        raise Conflict(f"a case that is {row.status} cannot be terminated", case_status=row.status)


def _close_deadlines(session: Session, instance_id: int, user: User, at: datetime) -> None:
    """Open deadlines are closed and send nothing more; one already missed stays missed, the others are
    cancelled (neither met nor missed)."""
    for deadline in session.scalars(
        select(CaseDeadline).where(CaseDeadline.instance_id == instance_id, CaseDeadline.closed_at.is_(None))
    ):
        deadline.status = "missed" if deadline.status == "missed" else "cancelled"
        deadline.closed_at, deadline.closed_by, deadline.next_notice_at = at, user.username, None
    session.flush()


def require_terminable(session: Session, user: User, instance_id: int) -> Instance:
    """The case's row, locked, if `user` may terminate it now: NotFound, Forbidden or Conflict otherwise."""
    row = session.scalar(
        select(Instance).where(Instance.id == instance_id).with_for_update().execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound(f"case {instance_id} does not exist")
    require_view_instance(session, user, row)
    if not _may_terminate(session, user, row):
        raise Forbidden(
            "only an administrator may terminate this case (its registrant may, until a step of it is completed)"
        )
    _refuse_status(row)
    return row


def terminate_case(session: Session, user: User, instance_id: int, reason: Any) -> dict[str, Any]:
    """Terminate a running (or stopped by an error) case with a reason, under its row lock; returns the case as
    GET /instances/{id} shows it."""
    row = require_terminable(session, user, instance_id)
    text = _reason(reason)
    version = session.get(ProcessVersion, row.version_id)
    assert version is not None  # a case's version is never deleted
    at = now()
    close_open_tasks(session, row.id, at)
    _close_deadlines(session, row.id, user, at)
    session.execute(
        update(Instance)
        .where(Instance.id == row.id)
        .values(status="terminated", next_due_at=None, revision=row.revision + 1, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    append_events(session, row, [("instance_terminated", user.username, {"reason": text})], at, version.content_hash)
    session.refresh(row)
    return instance_view(session, row, version=version)


def termination_of(session: Session, row: Instance) -> Termination | None:
    """How a terminated case was terminated; None for any other case."""
    if row.status != "terminated":
        return None
    event = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.instance_id == row.id, AuditEvent.type == "instance_terminated")
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    if event is None:
        return None
    reason = json.loads(event.payload_json).get("reason")
    return Termination(event.at, event.actor, reason if isinstance(reason, str) else "")
