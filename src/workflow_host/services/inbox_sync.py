"""Inbox rows follow the engine: one row per ready user task, with its candidates and due instant."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from ..db import Write, run_writes, table_of
from ..engine import LOCAL_TZ, EngineError, ReadyTask, UserTaskInfo
from ..models import InboxCandidate, InboxTask
from .assignment import candidates_for
from .case_deadlines import OpenDue, open_deadline_due
from .case_keys import keys_text, matter_number
from .catalog import Catalog
from .errors import Conflict

__all__ = ["InboxPlan", "OpenTask", "close_open_tasks", "due_instant", "plan_inbox", "read_open_tasks"]


class OpenTask(NamedTuple):
    """A ready inbox row, as task lists show it (the columns `tasks.task_summary` reads)."""

    id: str
    instance_id: int
    process_id: str
    element_id: str
    title: str
    lane: str | None
    unit: str | None
    units: str  # case_keys.keys_text
    roles: str
    case_no: str | None
    due_at: datetime | None
    due_kind: str | None
    due_provisional: bool | None
    claimed_by: str | None
    created_at: datetime


@dataclass
class InboxPlan:
    """What a step does to its case's inbox rows, and the ready rows that leaves."""

    writes: list[Write] = field(default_factory=list)
    open_tasks: list[OpenTask] = field(default_factory=list)  # oldest first, as `read_open_tasks` reads them


# Built once (building a statement costs several times running it): the inbox side of every step.
_TASKS, _CANDIDATES = table_of(InboxTask), table_of(InboxCandidate)
_OPEN_TASKS = (
    select(*(_TASKS.c[name] for name in OpenTask._fields))
    .where(_TASKS.c.instance_id == bindparam("instance_id"), _TASKS.c.status == "ready")
    .order_by(_TASKS.c.created_at, _TASKS.c.id)
)
_INSERT_TASKS, _INSERT_CANDIDATES = insert(_TASKS).inline(), insert(_CANDIDATES).inline()  # nothing read back
# One row per task given (no IN list: a statement of fixed text goes to the driver as it is, db.run_writes).
_DROP_CANDIDATES = delete(_CANDIDATES).where(_CANDIDATES.c.task_id == bindparam("task_id"))
_COMPLETE_TASK = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(status="completed", completed_by=bindparam("by"), completed_at=bindparam("at"))
)
_CANCEL_TASKS = (
    update(_TASKS).where(_TASKS.c.id == bindparam("task_id")).values(status="cancelled", completed_at=bindparam("at"))
)
_SET_DUE = (
    update(_TASKS)
    .where(_TASKS.c.id == bindparam("task_id"))
    .values(due_at=bindparam("due_at"), due_kind=bindparam("due_kind"), due_provisional=bindparam("due_provisional"))
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


def _close_tasks(gone: list[str], at: datetime, completed: tuple[str, str] | None) -> list[Write]:
    """Tasks that are no longer ready leave the inbox and become history: completed by someone, or cancelled."""
    writes: list[Write] = [(_DROP_CANDIDATES, [{"task_id": task_id} for task_id in gone])]
    done = completed[0] if completed and completed[0] in gone else None
    if done is not None and completed is not None:
        writes.append((_COMPLETE_TASK, {"task_id": done, "by": completed[1], "at": at}))
    cancelled = [task_id for task_id in gone if task_id != done]
    if cancelled:
        writes.append((_CANCEL_TASKS, [{"task_id": task_id, "at": at} for task_id in cancelled]))
    return writes


Deadlines = dict[str, OpenDue]
Due = tuple[datetime | None, str | None, bool | None]


def _task_due(info: UserTaskInfo | None, data: dict[str, Any], deadlines: Deadlines) -> Due:
    """A task's due instant, the unit its period counts in and whether it is provisional: its bound deadline's
    end (as recorded), or the date its `dueDateVariable` names (counted in calendar days; provisional when the
    data holds `<name>_provisional` true beside it)."""
    if info is None:
        return None, None, None
    for variable in (info.deadline_variable, info.due_variable):
        if variable and variable in deadlines:  # a statutory deadline, as recorded (and recomputed)
            found = deadlines[variable]
            return found.at, found.kind, found.provisional
    due = due_instant(data.get(info.due_variable)) if info.due_variable else None
    if due is None:
        return None, None, None
    # a date computed by deadline() says so beside it: `<name>_provisional` (the holiday calendar lacked its year)
    return due, "days", data.get(f"{info.due_variable}_provisional") is True


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
    lane = who.lane or (info.lane if info else None)
    return {
        "id": task.id,
        "instance_id": instance_id,
        "process_id": task.process_id,
        "element_id": task.element_id,
        "title": info.title if info else task.element_id,
        "lane": lane,
        "unit": who.unit,
        "units": keys_text(who.units),
        "roles": keys_text(who.roles or ([lane] if lane else [])),
        "case_no": matter_number(data),
        "due_at": due_at,
        "due_kind": due_kind,
        "due_provisional": provisional,
        "created_at": at,
        "status": "ready",
        "data_json": json.dumps(task.data, ensure_ascii=False, sort_keys=True),
        "candidates": sorted(who.keys),
    }


def read_open_tasks(session: Session, instance_id: int) -> list[OpenTask]:
    """A case's ready inbox rows as they stand, oldest first (Core: also right after a step's Core writes)."""
    return [OpenTask(*found) for found in session.connection().execute(_OPEN_TASKS, {"instance_id": instance_id})]


def close_open_tasks(session: Session, instance_id: int, at: datetime) -> list[str]:
    """Take every ready task of a case out of the inbox as cancelled history (the case stops: it was terminated);
    returns their ids. The case row must be locked, as for a step."""
    gone = [task.id for task in read_open_tasks(session, instance_id)]
    if gone:
        run_writes(session, _close_tasks(gone, at, None))
    return gone


def _utc(at: datetime | None) -> datetime | None:
    return at.astimezone(UTC) if at is not None else None  # as the database gives it back


def _opened(row: dict[str, Any]) -> OpenTask:
    """A new inbox row as it will read back."""
    values: dict[str, Any] = {name: row.get(name) for name in OpenTask._fields}
    return OpenTask(**{**values, "due_at": _utc(row["due_at"]), "created_at": _utc(row["created_at"])})


def plan_inbox(
    session: Session,
    instance_id: int,
    catalog: Catalog,
    ready_tasks: list[ReadyTask],
    data: dict[str, Any],
    at: datetime,
    completed: tuple[str, str] | None,
    new_case: bool = False,
) -> InboxPlan:
    """The writes that make the instance's ready inbox rows match its ready user tasks (and their due instants),
    and the rows that leaves; tasks no longer ready become history, completed by `completed`'s user or cancelled.

    `new_case`: the case is being saved for the first time, so it has no inbox rows to read.

    Everything is read here, nothing written: the caller sends the writes with the rest of the step. The case
    row is locked, and claims lock it first too, so what is read stays true until the step commits."""
    ready = {t.id: t for t in ready_tasks}
    existing: dict[str, OpenTask] = {}
    for task in read_open_tasks(session, instance_id) if not new_case else []:
        existing[task.id] = task
        if completed and task.id == completed[0] and task.claimed_by not in (None, completed[1]):
            # claimed by someone else after the completer's check, before the case was locked: the claim wins
            raise Conflict("someone else claimed this task a moment ago")
    gone = sorted(existing.keys() - ready.keys())
    plan = InboxPlan(_close_tasks(gone, at, completed) if gone else [])
    infos = {t.id: catalog.user_task(t.process_id, t.element_id) for t in ready.values()}
    bound = any(info and (info.deadline_variable or info.due_variable) for info in infos.values())
    deadlines = open_deadline_due(session, instance_id) if bound else {}
    for task_id in sorted(ready.keys() & existing.keys()):
        due, kind, provisional = _task_due(infos[task_id], ready[task_id].data, deadlines)
        task = existing[task_id]
        if (due, kind, provisional) != (task.due_at, task.due_kind, task.due_provisional):
            # recomputed after a calendar year was loaded
            plan.writes.append(
                (_SET_DUE, {"task_id": task_id, "due_at": due, "due_kind": kind, "due_provisional": provisional})
            )
            existing[task_id] = task._replace(due_at=_utc(due), due_kind=kind, due_provisional=provisional)
        plan.open_tasks.append(existing[task_id])
    new_ids = sorted(ready.keys() - existing.keys())
    rows = [_inbox_row(instance_id, catalog, ready[task_id], data, at, session, deadlines) for task_id in new_ids]
    if rows:
        candidates = [{"task_id": r["id"], "key": key} for r in rows for key in r.pop("candidates")]
        plan.writes += [(_INSERT_TASKS, rows), (_INSERT_CANDIDATES, candidates)]
        plan.open_tasks += [_opened(row) for row in rows]
    plan.open_tasks.sort(key=lambda t: (t.created_at, t.id))
    return plan
