"""Claiming and unclaiming a ready task, and a unit head assigning one to a colleague: each one conditional
update under the case's lock, recorded in the case's audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..engine import now
from ..models import InboxCandidate, InboxTask, Instance, ProcessVersion, Unit, User
from .assignment import keys_for_user
from .audit import EventSpec, append_events
from .case_keys import key_list
from .errors import Conflict, Forbidden, Invalid
from .task_reading import inbox_row, is_candidate, require_ready, task_summary

__all__ = ["assign_task", "assignable_users", "claim_task", "unclaim_task"]


def _headed_units(session: Session, user: User, task: InboxTask) -> set[str]:
    """The units of the task (every unit of a joint act's) that the user heads."""
    units = key_list(task.units) or ([task.unit] if task.unit else [])
    return set(session.scalars(select(Unit.id).where(Unit.head == user.username, Unit.id.in_(units))))


def assignable_users(session: Session, user: User, task: InboxTask) -> list[User]:
    """The colleagues a unit head may hand this task to: active users of the task's units the head heads who may
    take it."""
    headed = _headed_units(session, user, task)
    if not headed:
        return []
    colleagues = session.scalars(select(User).where(User.unit_id.in_(headed), User.active).order_by(User.username))
    candidates = set(session.scalars(select(InboxCandidate.key).where(InboxCandidate.task_id == task.id)))
    return [c for c in colleagues if set(keys_for_user(c)) & candidates]


def assign_task(session: Session, user: User, task_id: str, assignee: Any) -> dict[str, Any]:
    """A unit head hands one of the unit's ready tasks to a colleague (claimed in the colleague's name)."""
    if not isinstance(assignee, str) or not assignee:
        raise Invalid("'assignee' is required")
    task, instance = _locked_task(session, task_id)
    if not _headed_units(session, user, task):
        raise Forbidden("only the head of the task's unit may assign it")
    chosen = next((u for u in assignable_users(session, user, task) if u.username == assignee), None)
    if chosen is None:
        raise Invalid(f"{assignee} cannot take this task")
    result = session.execute(
        update(InboxTask)
        .where(InboxTask.id == task.id, InboxTask.status == "ready")
        .values(claimed_by=chosen.username)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("someone else changed this task a moment ago")
    payload = {"task_id": task.id, "name": task.element_id, "title": task.title, "assignee": chosen.username}
    _record(session, instance, ("task_assigned", user.username, payload))
    session.refresh(task)
    return task_summary(task)


def _locked_task(session: Session, task_id: str) -> tuple[InboxTask, Instance]:
    """A ready task and its case's row, locked in the order every step takes them (the case, then its tasks):
    the other order deadlocks against a completion of the same case on PostgreSQL."""
    task = inbox_row(session, task_id)
    locked = select(Instance).where(Instance.id == task.instance_id).with_for_update()
    instance = session.scalar(locked.execution_options(populate_existing=True))  # its audit head as stored now
    assert instance is not None
    session.refresh(task)  # as it is now that the case is ours: a step may have closed it meanwhile
    return require_ready(task, task_id), instance


def _set_claim(session: Session, user: User, task_id: str, claim: bool) -> dict[str, Any]:
    """Claim or unclaim in one conditional UPDATE, record it, and return the task."""
    task, instance = _locked_task(session, task_id)
    if not is_candidate(session, user, task):
        raise Forbidden("this task is not yours")
    if claim and task.claimed_by == user.username:
        return task_summary(task)
    expected = None if claim else user.username
    if task.claimed_by != expected:
        who = task.claimed_by
        raise Conflict(f"this task is claimed by {who}" if who else "this task is not claimed")
    owner_is = InboxTask.claimed_by.is_(None) if claim else InboxTask.claimed_by == expected
    result = session.execute(
        update(InboxTask)
        .where(InboxTask.id == task.id, owner_is)
        .values(claimed_by=user.username if claim else None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("someone else changed this task a moment ago")
    payload = {"task_id": task.id, "name": task.element_id, "title": task.title}
    _record(session, instance, ("task_claimed" if claim else "task_unclaimed", user.username, payload))
    session.refresh(task)
    return task_summary(task)


def _record(session: Session, instance: Instance, event: EventSpec) -> None:
    version = session.get(ProcessVersion, instance.version_id)
    assert version is not None
    append_events(session, instance, [event], now(), version.content_hash)


def claim_task(session: Session, user: User, task_id: str) -> dict[str, Any]:
    """Take a task so that nobody else works on it."""
    return _set_claim(session, user, task_id, claim=True)


def unclaim_task(session: Session, user: User, task_id: str) -> dict[str, Any]:
    """Give a claimed task back to its candidates."""
    return _set_claim(session, user, task_id, claim=False)
