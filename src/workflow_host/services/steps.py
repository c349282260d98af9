"""Load a case, let the engine step it, save exactly what changed: the heart of every transaction."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..db import Write, after_commit, run_writes, table_of
from ..engine import FixedClock, Instance, Runtime, now, use_clock
from ..models import AuditEvent, InstanceStateRow, ProcessVersion
from ..models import Instance as InstanceRow
from .audit import GENESIS, EventSpec, chain
from .case_deadlines import sync_deadlines
from .case_keys import matter_number, number_keys, search_text, unit_keys
from .catalog import Catalog, catalog_of
from .errors import Conflict, Invalid, NotFound
from .inbox_sync import OpenTask, plan_inbox
from .memo import Memo

_Select = TypeVar("_Select", bound=Select[*tuple[Any, ...]])

__all__ = [
    "Case",
    "case_of",
    "load_case",
    "lock_case_rows",
    "new_case",
    "read_case_row",
    "require_json_object",
    "save_case",
    "spec_text",
    "step_clock",
]

# A step's statements are built once: building one costs several times running it (see bench/README.md).
_INSTANCES, _STATE, _EVENTS = table_of(InstanceRow), table_of(InstanceStateRow), table_of(AuditEvent)
_SAVED = (
    "revision",
    "status",
    "meta_json",
    "data_json",
    "case_no",
    "number_keys",
    "unit_keys",
    "search_text",
    "next_due_at",
    "updated_at",
    "audit_seq",
    "audit_head",
)
_SAVE_INSTANCE = (
    update(_INSTANCES)
    .where(_INSTANCES.c.id == bindparam("row_id"), _INSTANCES.c.revision == bindparam("row_revision"))
    .values({name: bindparam(f"new_{name}") for name in _SAVED})
)
# The case with its version (whose specs and catalogue are deferred columns, read once per process).
_READ_CASE = (
    select(InstanceRow, ProcessVersion)
    .join(ProcessVersion, ProcessVersion.id == InstanceRow.version_id)
    .where(InstanceRow.id == bindparam("row_id"))
)


def lock_case_rows(statement: _Select) -> _Select:
    """`statement`, which reads an instance row, locking that row for a step and reading it anew once locked.

    SQLite has no row locks: BEGIN IMMEDIATE serializes steps there."""
    return statement.with_for_update(of=InstanceRow).execution_options(populate_existing=True)


_LOCK_CASE = lock_case_rows(_READ_CASE)
# inline: no RETURNING of generated keys, which nothing reads (and which a pipelined write cannot return)
_INSERT_STATE, _INSERT_EVENTS = insert(_STATE).inline(), insert(_EVENTS).inline()
_READ_STATE = select(_STATE.c["key"], _STATE.c.body).where(_STATE.c.instance_id == bindparam("row_id"))
_DELETE_STATE = delete(_STATE).where(  # one row per key given: fixed text, see db.run_writes
    _STATE.c.instance_id == bindparam("row_id"), _STATE.c["key"] == bindparam("row_key")
)
_UPDATE_STATE = (
    update(_STATE)
    .where(_STATE.c.instance_id == bindparam("row_id"), _STATE.c["key"] == bindparam("row_key"))
    .values(body=bindparam("row_body"))
)


@dataclass
class Case:
    """An instance row, its version, the engine's live instance, and the runtime that keeps it warm."""

    row: InstanceRow
    version: ProcessVersion
    engine: Instance
    runtime: Runtime
    completed_task: tuple[str, str] | None = None  # (process id, element id) of the task this step completed
    open_tasks: list[OpenTask] | None = None  # the case's ready inbox rows, once saved

    @property
    def catalog(self) -> Catalog:
        return catalog_of(self.version)


def load_case(session: Session, runtime: Runtime, instance_id: int, lock: bool = True) -> Case:
    """Load an instance for a step; on PostgreSQL the row stays locked until the transaction ends.

    Without `lock` (a read), the stored state is loaded and the process's warm copy is left alone."""
    row, version = read_case_row(session, instance_id, lock)
    return case_of(session, runtime, row, version, warm=lock)


def read_case_row(session: Session, instance_id: int, lock: bool = False) -> tuple[InstanceRow, ProcessVersion]:
    """An instance row with its version, in one statement (`lock`: for a step, as load_case); NotFound if none."""
    found = session.execute(_LOCK_CASE if lock else _READ_CASE, {"row_id": instance_id}).first()
    if found is None:
        raise NotFound(f"instance {instance_id} does not exist")
    return found[0], found[1]


def case_of(session: Session, runtime: Runtime, row: InstanceRow, version: ProcessVersion, warm: bool = True) -> Case:
    """The case of an instance row (read locked, for a step): the engine is the process's warm copy of this
    revision if it has one (`warm`), else restored from the state rows."""
    engine = runtime.live.take((row.id, row.revision)) if warm else None
    if engine is None:
        rows = {key: json.loads(body) for key, body in session.execute(_READ_STATE, {"row_id": row.id})}
        engine = runtime.load(spec_text(session, version), json.loads(row.meta_json), rows)
    return Case(row, version, engine, runtime)


_SPEC_TEXTS: Memo[str, str] = Memo(64)  # by content hash: versions never change, so this never goes stale


def spec_text(session: Session, version: ProcessVersion) -> str:
    """A version's serialized specs, read from the database once per process (by content hash)."""

    def read() -> str:
        text = session.scalar(select(ProcessVersion.spec_json).where(ProcessVersion.id == version.id))
        assert text is not None
        return text

    return _SPEC_TEXTS.get_or_make(version.content_hash, read)


def new_case(
    session: Session, runtime: Runtime, version: ProcessVersion, process_id: str, data: dict[str, Any], actor: str
) -> Case:
    """A new instance row (revision 0) with its engine instance, not yet run or saved."""
    engine = runtime.start(spec_text(session, version), process_id, data)
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
    """Write what the step changed and append its audit events (the case must be loaded locked).

    `completed` is (task id, username) of the user task this step completed, if any."""
    engine, row = case.engine, case.row
    if row.status == "terminated":  # read under the lock: terminated while this step waited for the case
        raise Conflict("this case was terminated: nothing more is done in it")
    changes = engine.changes()
    data = engine.data
    at = now()
    status = engine.status
    events = [*events, *sync_deadlines(session, row, data, at, _closing(case, completed, data))]
    if status == "completed":
        events = [*events, ("instance_completed", None, {})]
    chained = chain(row, events, at, case.version.content_hash, engine.state_digest())
    values = {
        "revision": row.revision + 1,
        "status": status,
        "meta_json": _json(changes.meta),
        "data_json": _json(data),
        "case_no": matter_number(data),
        "number_keys": number_keys(data),
        "unit_keys": unit_keys(data),
        "search_text": search_text(data),
        "next_due_at": engine.next_due() if status == "running" else None,
        "updated_at": at,
        "audit_seq": chained[-1]["seq"] if chained else row.audit_seq,
        "audit_head": chained[-1]["hash"] if chained else row.audit_head,
    }
    session.flush()  # what the ORM holds goes first: the statements below bypass it
    # Reads first (the inbox as it stands, who may take new tasks), then every write at once.
    new = row.revision == 0  # never saved: no inbox rows yet (new_case)
    inbox = plan_inbox(session, row.id, case.catalog, engine.ready_user_tasks(), data, at, completed, new)
    # The case row is locked since load_case (FOR UPDATE; on SQLite, BEGIN IMMEDIATE), so its revision cannot
    # move before this commits, and the update's row count is not read back (a pipeline cannot). Were it ever
    # to move, the other step's audit events hold this step's sequence numbers, and the insert below fails on
    # their uniqueness: the step is refused whole (409).
    guarded = {"row_id": row.id, "row_revision": row.revision, **{f"new_{k}": v for k, v in values.items()}}
    writes: list[Write] = [(_SAVE_INSTANCE, guarded)]
    writes += _state_writes(row.id, changes.deletes, changes.inserts, changes.updates)
    writes += inbox.writes
    if chained:
        writes.append((_INSERT_EVENTS, chained))
    run_writes(session, writes)
    for key, value in values.items():
        set_committed_value(row, key, value)
    case.open_tasks = inbox.open_tasks
    engine.mark_saved()
    # Kept warm for the next step only once this one is committed; a rollback just drops it.
    live_key = (row.id, row.revision)
    after_commit(session, lambda: case.runtime.live.put(live_key, engine))


def _closing(case: Case, completed: tuple[str, str] | None, data: dict[str, Any]) -> dict[str, Any] | None:
    """The deadline the completed task is bound to (its `deadline` property), if any, with the date of the act
    that meets it when the task names one (`deadlineMetOn`, checked by tasks.complete_task)."""
    if completed is None or case.completed_task is None:
        return None
    info = case.catalog.user_task(*case.completed_task)
    if info is None or not info.deadline_variable:
        return None
    met_on = data.get(info.deadline_met_on_variable) if info.deadline_met_on_variable else None
    return {"variable": info.deadline_variable, "by": completed[1], "on": met_on}


def _state_writes(
    instance_id: int,
    deletes: list[str],
    inserts: dict[str, dict[str, Any]],
    updates: dict[str, dict[str, Any]],
) -> list[Write]:
    """The engine's state rows the step changed."""
    writes: list[Write] = []
    if deletes:
        writes.append((_DELETE_STATE, [{"row_id": instance_id, "row_key": key} for key in deletes]))
    if inserts:
        rows = [{"instance_id": instance_id, "key": k, "body": json.dumps(v)} for k, v in inserts.items()]
        writes.append((_INSERT_STATE, rows))
    if updates:
        rows = [{"row_id": instance_id, "row_key": k, "row_body": json.dumps(v)} for k, v in updates.items()]
        writes.append((_UPDATE_STATE, rows))
    return writes


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
