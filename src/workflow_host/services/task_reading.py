"""Reading user tasks: an inbox row as the API shows it, the user's ready tasks, a case's open tasks, one task with
its form and the case's data; and whether a user may see a task or work on it."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..models import InboxCandidate, InboxTask, Instance, ProcessVersion, User
from .assignment import keys_for_user
from .case_keys import key_list
from .catalog import catalog_of
from .errors import Conflict, Forbidden, NotFound
from .form_asked import asked_form
from .inbox_sync import OpenTask, read_open_tasks
from .permissions import READ_ALL
from .task_submissions import previous_submission
from .versions import form_file

__all__ = [
    "get_task",
    "inbox_row",
    "is_candidate",
    "list_tasks",
    "may_see_draft",
    "may_work_on",
    "next_task_for",
    "open_tasks",
    "require_ready",
    "task_summary",
]

INBOX_LIMIT = 200


# What the API shows of an inbox row: lists read just these columns (no ORM objects, nothing of the task's data).
_SUMMARY = tuple(getattr(InboxTask, name) for name in OpenTask._fields)


def task_summary(task: Any) -> dict[str, Any]:
    """An inbox row as the API shows it: an `InboxTask`, an `OpenTask`, or a row of the `_SUMMARY` columns."""
    return {
        "id": task.id,
        "instance_id": task.instance_id,
        "process_id": task.process_id,
        "name": task.element_id,
        "title": task.title,
        "lane": task.lane,
        "unit": task.unit,
        "units": key_list(task.units),
        "roles": key_list(task.roles),
        "case_no": task.case_no,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "due_kind": task.due_kind,
        "due_provisional": bool(task.due_provisional),
        "claimed_by": task.claimed_by,
        "created_at": task.created_at.isoformat(),
    }


def open_tasks(session: Session, instance_id: int) -> list[dict[str, Any]]:
    """A case's ready tasks, oldest first, as the API shows them."""
    return [task_summary(t) for t in read_open_tasks(session, instance_id)]


def list_tasks(session: Session, user: User, limit: int = INBOX_LIMIT, offset: int = 0) -> list[dict[str, Any]]:
    """The user's ready tasks: unclaimed ones they may take and those they claimed; soonest due first."""
    candidate = select(InboxCandidate.task_id).where(
        InboxCandidate.task_id == InboxTask.id, InboxCandidate.key.in_(keys_for_user(user))
    )
    query = (
        select(*_SUMMARY)
        .where(InboxTask.status == "ready", exists(candidate))
        .where((InboxTask.claimed_by.is_(None)) | (InboxTask.claimed_by == user.username))
        .order_by(InboxTask.due_at.is_(None), InboxTask.due_at, InboxTask.created_at, InboxTask.id)
        .limit(limit)
        .offset(offset)
    )
    return [task_summary(t) for t in session.execute(query)]


def inbox_row(session: Session, task_id: str) -> InboxTask:
    """A ready task; NotFound for an unknown id, Conflict for one that is already done."""
    return require_ready(session.get(InboxTask, task_id), task_id)


def require_ready(task: InboxTask | None, task_id: str) -> InboxTask:
    """The task when it is ready; NotFound when there is none, Conflict when it is already done."""
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    if task.status != "ready":
        who = f" by {task.completed_by}" if task.completed_by else ""
        raise Conflict(f"this task was already {task.status}{who}")
    return task


def is_candidate(session: Session, user: User, task: InboxTask) -> bool:
    query = select(exists().where(InboxCandidate.task_id == task.id, InboxCandidate.key.in_(keys_for_user(user))))
    return bool(session.scalar(query))


def may_work_on(session: Session, user: User, task: InboxTask) -> bool:
    """Whether the user may fill in and complete this task now."""
    return task.status == "ready" and is_candidate(session, user, task) and task.claimed_by in (None, user.username)


def next_task_for(session: Session, user: User, instance_id: int) -> str | None:
    """The id of the user's oldest ready task of this case, if any (to go on with after completing one)."""
    candidate = select(InboxCandidate.task_id).where(InboxCandidate.key.in_(keys_for_user(user)))
    return session.scalar(
        select(InboxTask.id)
        .where(InboxTask.instance_id == instance_id, InboxTask.status == "ready", InboxTask.id.in_(candidate))
        .where((InboxTask.claimed_by.is_(None)) | (InboxTask.claimed_by == user.username))
        .order_by(InboxTask.created_at, InboxTask.id)
        .limit(1)
    )


def may_see_draft(session: Session, user: User, task: InboxTask) -> bool:
    """A task's draft is work in progress of its candidates: theirs to see, and auditors' and admins'."""
    return bool(user.role_names & READ_ALL) or is_candidate(session, user, task)


def get_task(session: Session, user: User, task_id: str) -> dict[str, Any]:
    """A task with its form and the case's current data."""
    task = inbox_row(session, task_id)
    if not may_see_draft(session, user, task):
        raise Forbidden("this task is not yours")
    instance = session.get(Instance, task.instance_id)
    assert instance is not None
    version = session.get(ProcessVersion, instance.version_id)
    assert version is not None
    info = catalog_of(version).user_task(task.process_id, task.element_id)
    data = json.loads(task.data_json or instance.data_json)
    schema, ui_schema = asked_form(
        form_file(session, version, info.form_schema) if info and info.form_schema else None,
        form_file(session, version, info.ui_schema) if info and info.ui_schema else None,
        data,
    )
    return {
        **task_summary(task),
        "instructions": info.instructions if info else None,
        "form": {"schema": schema, "ui_schema": ui_schema, "start_blank": list(info.start_blank) if info else []},
        "data": data,
        "draft": json.loads(task.draft_json) if task.draft_json else None,
        "previous": previous_submission(session, task)
        if info and info.start_from_last and task.status == "ready"
        else None,
    }
