"""Load a case, let the engine step it, save exactly what changed: the heart of every transaction."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..engine import (
    LOCAL_TZ,
    EngineError,
    FixedClock,
    Instance,
    ProcessInfo,
    ReadyTask,
    Runtime,
    UserTaskInfo,
    now,
    task_key,
    use_clock,
)
from ..models import AuditEvent, InboxCandidate, InboxTask, InstanceStateRow, ProcessVersion
from ..models import Instance as InstanceRow
from .assignment import candidates_for
from .audit import GENESIS, EventSpec, chain
from .case_deadlines import open_deadline_due, sync_deadlines
from .errors import Conflict, Invalid, NotFound

__all__ = ["Case", "Catalog", "catalog_of", "load_case", "new_case", "save_case"]


@dataclass(frozen=True)
class Catalog:
    """What a version says about its processes and user tasks."""

    processes: dict[str, ProcessInfo]
    user_tasks: dict[str, UserTaskInfo]

    def user_task(self, process_id: str, element_id: str) -> UserTaskInfo | None:
        return self.user_tasks.get(task_key(process_id, element_id))


@lru_cache(maxsize=64)
def _parse_catalog(content_hash: str, catalog_json: str) -> Catalog:
    raw = json.loads(catalog_json)
    return Catalog(
        {k: ProcessInfo(**v) for k, v in raw["processes"].items()},
        {k: UserTaskInfo(**v) for k, v in raw["user_tasks"].items()},
    )


def catalog_of(version: ProcessVersion) -> Catalog:
    """The parsed catalogue of a version (cached: versions never change)."""
    return _parse_catalog(version.content_hash, version.catalog_json)


@dataclass
class Case:
    """An instance row, its version, the engine's live instance, and the runtime that keeps it warm."""

    row: InstanceRow
    version: ProcessVersion
    engine: Instance
    runtime: Runtime
    completed_task: tuple[str, str] | None = None  # (process id, element id) of the task this step completed

    @property
    def catalog(self) -> Catalog:
        return catalog_of(self.version)


def load_case(session: Session, runtime: Runtime, instance_id: int, lock: bool = True) -> Case:
    """Load an instance for a step; on PostgreSQL the row stays locked until the transaction ends.

    Without `lock` (a read), the stored state is loaded and the process's warm copy is left alone."""
    query = select(InstanceRow).where(InstanceRow.id == instance_id)
    if lock:
        query = query.with_for_update()  # SQLite has no row locks: BEGIN IMMEDIATE serializes steps there
    row = session.scalar(query)
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    version = session.get(ProcessVersion, row.version_id)
    assert version is not None
    engine = runtime.live.take((row.id, row.revision)) if lock else None
    if engine is None:
        rows = {
            key: json.loads(body)
            for key, body in session.execute(
                select(InstanceStateRow.key, InstanceStateRow.body).where(InstanceStateRow.instance_id == instance_id)
            )
        }
        engine = runtime.load(version.spec_json, json.loads(row.meta_json), rows)
    return Case(row, version, engine, runtime)


def new_case(
    session: Session, runtime: Runtime, version: ProcessVersion, process_id: str, data: dict[str, Any], actor: str
) -> Case:
    """A new instance row (revision 0) with its engine instance, not yet run or saved."""
    engine = runtime.start(version.spec_json, process_id, data)
    at = now()
    row = InstanceRow(
        process_id=process_id,
        version_id=version.id,
        status="running",
        revision=0,
        meta_json="{}",
        data_json="{}",
        created_by=actor,
        created_at=at,
        updated_at=at,
        audit_seq=0,
        audit_head=GENESIS,
    )
    session.add(row)
    session.flush()
    return Case(row, version, engine, runtime)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def save_case(
    session: Session,
    case: Case,
    events: list[EventSpec],
    completed: tuple[str, str] | None = None,
) -> None:
    """Write what the step changed and append its audit events; Conflict if someone saved first.

    `completed` is (task id, username) of the user task this step completed, if any."""
    engine, row = case.engine, case.row
    changes = engine.changes()
    data = engine.data
    at = now()
    status = engine.status
    events = [*events, *sync_deadlines(session, row, data, at, _closing(case, completed))]
    if status == "completed":
        events = [*events, ("instance_completed", None, {})]
    chained = chain(row, events, at, case.version.content_hash, engine.state_digest())
    values = {
        "revision": row.revision + 1,
        "status": status,
        "meta_json": _json(changes.meta),
        "data_json": _json(data),
        "case_no": str(data["case_no"])[:128] if data.get("case_no") else None,
        "next_due_at": engine.next_due() if status == "running" else None,
        "updated_at": at,
        "audit_seq": chained[-1]["seq"] if chained else row.audit_seq,
        "audit_head": chained[-1]["hash"] if chained else row.audit_head,
    }
    result = session.execute(
        update(InstanceRow)
        .where(InstanceRow.id == row.id, InstanceRow.revision == row.revision)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("the case was changed by someone else a moment ago; reload it and try again")
    for key, value in values.items():
        set_committed_value(row, key, value)
    _write_rows(session, row.id, changes.deletes, changes.inserts, changes.updates)
    _sync_inbox(session, case, data, at, completed)
    if chained:
        session.execute(insert(AuditEvent), chained)
    engine.mark_saved()
    # Kept warm for the next step only once this one is committed; a rollback just drops it.
    live_key = (row.id, row.revision)
    event.listen(session, "after_commit", lambda _session: case.runtime.live.put(live_key, engine), once=True)


def _closing(case: Case, completed: tuple[str, str] | None) -> dict[str, Any] | None:
    """The deadline the completed task is bound to (its `deadline` property), if any."""
    if completed is None or case.completed_task is None:
        return None
    info = case.catalog.user_task(*case.completed_task)
    if info is None or not info.deadline_variable:
        return None
    return {"variable": info.deadline_variable, "by": completed[1]}


def _write_rows(
    session: Session,
    instance_id: int,
    deletes: list[str],
    inserts: dict[str, dict[str, Any]],
    updates: dict[str, dict[str, Any]],
) -> None:
    if deletes:
        session.execute(
            delete(InstanceStateRow).where(
                InstanceStateRow.instance_id == instance_id, InstanceStateRow.key.in_(deletes)
            )
        )
    if inserts:
        session.execute(
            insert(InstanceStateRow),
            [{"instance_id": instance_id, "key": k, "body": json.dumps(v)} for k, v in inserts.items()],
        )
    if updates:
        session.execute(
            update(InstanceStateRow),
            [{"instance_id": instance_id, "key": k, "body": json.dumps(v)} for k, v in updates.items()],
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
    session.execute(delete(InboxCandidate).where(InboxCandidate.task_id.in_(gone)))
    done = completed[0] if completed and completed[0] in gone else None
    if done is not None and completed is not None:
        session.execute(
            update(InboxTask)
            .where(InboxTask.id == done)
            .values(status="completed", completed_by=completed[1], completed_at=at)
            .execution_options(synchronize_session=False)
        )
    cancelled = [task_id for task_id in gone if task_id != done]
    if cancelled:
        session.execute(
            update(InboxTask)
            .where(InboxTask.id.in_(cancelled))
            .values(status="cancelled", completed_at=at)
            .execution_options(synchronize_session=False)
        )


def _task_due(info: UserTaskInfo | None, data: dict[str, Any], deadlines: dict[str, datetime]) -> datetime | None:
    """A task's due instant: its bound deadline's end (as recorded), or the date its `dueDateVariable` names."""
    if info is None:
        return None
    if info.deadline_variable and info.deadline_variable in deadlines:
        return deadlines[info.deadline_variable]
    return due_instant(data.get(info.due_variable)) if info.due_variable else None


def _inbox_row(
    case: Case, task: ReadyTask, data: dict[str, Any], at: datetime, session: Session, deadlines: dict[str, datetime]
) -> dict[str, Any]:
    info = case.catalog.user_task(task.process_id, task.element_id)
    who = candidates_for(session, info, task.data)
    if not who.keys:
        raise EngineError("nobody can take this task", element_id=task.element_id)
    return {
        "id": task.id,
        "instance_id": case.row.id,
        "process_id": task.process_id,
        "element_id": task.element_id,
        "title": info.title if info else task.element_id,
        "lane": info.lane if info else None,
        "unit": who.unit,
        "case_no": str(data["case_no"])[:128] if data.get("case_no") else None,
        "due_at": _task_due(info, task.data, deadlines),
        "created_at": at,
        "status": "ready",
        "candidates": sorted(who.keys),
    }


def _sync_inbox(
    session: Session, case: Case, data: dict[str, Any], at: datetime, completed: tuple[str, str] | None
) -> None:
    """Make the instance's ready inbox rows match its ready user tasks (and their due instants)."""
    ready = {t.id: t for t in case.engine.ready_user_tasks()}
    query = select(InboxTask.id, InboxTask.due_at).where(
        InboxTask.instance_id == case.row.id, InboxTask.status == "ready"
    )
    existing = {task_id: due for task_id, due in session.execute(query)}
    gone = sorted(existing.keys() - ready.keys())
    if gone:
        _close_tasks(session, gone, at, completed)
    infos = {t.id: case.catalog.user_task(t.process_id, t.element_id) for t in ready.values()}
    bound = any(info and info.deadline_variable for info in infos.values())
    deadlines = open_deadline_due(session, case.row.id) if bound else {}
    for task_id in ready.keys() & existing.keys():
        due = _task_due(infos[task_id], ready[task_id].data, deadlines)
        if due != existing[task_id]:  # a deadline recomputed after a calendar year was loaded
            session.execute(update(InboxTask).where(InboxTask.id == task_id).values(due_at=due))
    new_ids = sorted(ready.keys() - existing.keys())
    rows = [_inbox_row(case, ready[task_id], data, at, session, deadlines) for task_id in new_ids]
    if rows:
        candidates = [{"task_id": r["id"], "key": key} for r in rows for key in r.pop("candidates")]
        session.execute(insert(InboxTask), rows)
        session.execute(insert(InboxCandidate), candidates)


@contextlib.contextmanager
def step_clock() -> Iterator[None]:
    """Hold "now" still for one step: the engine and the audit event see the same instant, which replay
    uses again."""
    with use_clock(FixedClock(now())):
        yield


def require_json_object(data: Any, what: str = "data") -> dict[str, Any]:
    """Refuse anything that is not a JSON object."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise Invalid(f"'{what}' must be a JSON object")
    return data
