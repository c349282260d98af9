"""Inbox rows follow the engine: one row per ready user task, with its candidates and due instant."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from ..db import table_of
from ..engine import LOCAL_TZ, EngineError, ReadyTask, UserTaskInfo
from ..models import InboxCandidate, InboxTask
from .assignment import candidates_for
from .case_deadlines import OpenDue, open_deadline_due
from .catalog import Catalog
from .errors import Conflict

__all__ = ["due_instant", "sync_inbox"]

# Built once (building a statement costs several times running it): the inbox side of every step.
_TASKS, _CANDIDATES = table_of(InboxTask), table_of(InboxCandidate)
_OPEN_TASKS = select(_TASKS.c.id, _TASKS.c.due_at, _TASKS.c.due_kind, _TASKS.c.due_provisional).where(
    _TASKS.c.instance_id == bindparam("instance_id"), _TASKS.c.status == "ready"
)
_DROP_CANDIDATES = delete(_CANDIDATES).where(_CANDIDATES.c.task_id.in_(bindparam("task_ids", expanding=True)))
_COMPLETE_TASK = (  # only if nobody else claimed it after the completer's check, before the case was locked
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("task_id"))
    .where(or_(_TASKS.c.claimed_by.is_(None), _TASKS.c.claimed_by == bindparam("by")))
    .values(status="completed", completed_by=bindparam("by"), completed_at=bindparam("at"))
)
_CANCEL_TASKS = (
    update(_TASKS)
    .where(_TASKS.c.id.in_(bindparam("task_ids", expanding=True)))
    .values(status="cancelled", completed_at=bindparam("at"))
)


def due_instant(value: Any) -> datetime | None:
    """A due date from task data: an ISO datetime, or a date meaning the end of that day in Beijing time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            day = datetime.fromisoformat(value).date()
            return datetime.combine(day, time(23, 59, 59), LOCAL_TZ)
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=LOCAL_TZ)


def _close_tasks(session: Session, gone: list[str], at: datetime, completed: tuple[str, str] | None) -> None:
    """Tasks that are no longer ready leave the inbox and become history: completed by someone, or cancelled."""
    conn = session.connection()
    conn.execute(_DROP_CANDIDATES, {"task_ids": gone})
    done = completed[0] if completed and completed[0] in gone else None
    if done is not None and completed is not None:
        if conn.execute(_COMPLETE_TASK, {"task_id": done, "by": completed[1], "at": at}).rowcount != 1:
            raise Conflict("someone else claimed this task a moment ago")
    cancelled = [task_id for task_id in gone if task_id != done]
    if cancelled:
        conn.execute(_CANCEL_TASKS, {"task_ids": cancelled, "at": at})


Deadlines = dict[str, OpenDue]
Due = tuple[datetime | None, str | None, bool | None]


def _task_due(info: UserTaskInfo | None, data: dict[str, Any], deadlines: Deadlines) -> Due:
    """A task's due instant, the unit its period counts in and whether it is provisional: its bound deadline's
    end (as recorded), or the date its `dueDateVariable` names (counted in calendar days)."""
    if info is None:
        return None, None, None
    for variable in (info.deadline_variable, info.due_variable):
        if variable and variable in deadlines:  # a statutory deadline, as recorded (and recomputed)
            found = deadlines[variable]
            return found.at, found.kind, found.provisional
    due = due_instant(data.get(info.due_variable)) if info.due_variable else None
    return (due, "days", False) if due else (None, None, None)


def _inbox_row(
    instance_id: int,
    catalog: Catalog,
    task: ReadyTask,
    data: dict[str, Any],
    at: datetime,
    session: Session,
    deadlines: Deadlines,
) -> dict[str, Any]:
    info = catalog.user_task(task.process_id, task.element_id)
    due_at, due_kind, provisional = _task_due(info, task.data, deadlines)
    who = candidates_for(session, info, task.data)
    if not who.keys:
        raise EngineError("nobody can take this task", element_id=task.element_id)
    return {
        "id": task.id,
        "instance_id": instance_id,
        "process_id": task.process_id,
        "element_id": task.element_id,
        "title": info.title if info else task.element_id,
        "lane": who.lane or (info.lane if info else None),
        "unit": who.unit,
        "case_no": str(data["case_no"])[:128] if data.get("case_no") else None,
        "due_at": due_at,
        "due_kind": due_kind,
        "due_provisional": provisional,
        "created_at": at,
        "status": "ready",
        "data_json": json.dumps(task.data, ensure_ascii=False, sort_keys=True),
        "candidates": sorted(who.keys),
    }


def sync_inbox(
    session: Session,
    instance_id: int,
    catalog: Catalog,
    ready_tasks: list[ReadyTask],
    data: dict[str, Any],
    at: datetime,
    completed: tuple[str, str] | None,
) -> None:
    """Make the instance's ready inbox rows match its ready user tasks (and their due instants); tasks no
    longer ready become history, completed by `completed`'s user or cancelled."""
    ready = {t.id: t for t in ready_tasks}
    found = session.connection().execute(_OPEN_TASKS, {"instance_id": instance_id})
    existing: dict[str, Due] = {task_id: (due, kind, prov) for task_id, due, kind, prov in found}
    gone = sorted(existing.keys() - ready.keys())
    if gone:
        _close_tasks(session, gone, at, completed)
    infos = {t.id: catalog.user_task(t.process_id, t.element_id) for t in ready.values()}
    bound = any(info and (info.deadline_variable or info.due_variable) for info in infos.values())
    deadlines = open_deadline_due(session, instance_id) if bound else {}
    for task_id in ready.keys() & existing.keys():
        due, kind, provisional = _task_due(infos[task_id], ready[task_id].data, deadlines)
        if (due, kind, provisional) != existing[task_id]:  # recomputed after a calendar year was loaded
            values = {"due_at": due, "due_kind": kind, "due_provisional": provisional}
            session.execute(update(InboxTask).where(InboxTask.id == task_id).values(**values))
    new_ids = sorted(ready.keys() - existing.keys())
    rows = [_inbox_row(instance_id, catalog, ready[task_id], data, at, session, deadlines) for task_id in new_ids]
    if rows:
        candidates = [{"task_id": r["id"], "key": key} for r in rows for key in r.pop("candidates")]
        session.connection().execute(insert(_TASKS), rows)
        session.connection().execute(insert(_CANDIDATES), candidates)
