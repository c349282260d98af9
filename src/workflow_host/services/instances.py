"""Start instances and read them."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import EngineError, Runtime
from ..models import AuditEvent, CaseDeadline, Instance, ProcessVersion, User, VersionProcess
from .audit import event_dict
from .case_deadlines import deadline_view
from .catalog import catalog_of
from .directory import check_unit_values
from .errors import Forbidden, Invalid, NotFound
from .form_fields import values_at
from .history import record_auditor_view
from .inbox_sync import OpenTask
from .permissions import require_view_instance
from .steps import new_case, read_case_row, require_json_object, save_case, step_clock
from .task_reading import open_tasks, task_summary
from .versions import latest_version

__all__ = ["get_instance", "instance_events", "start_instance", "startable_processes"]

STARTERS = {"admin", "gov_office", "justice_bureau", "justice_bureau_head"}


def _may_start(user: User, version: ProcessVersion, process_id: str) -> bool:
    """Whether `user` may open a case of `process_id`: the district's starters (the office, the justice bureau,
    administrators) any process; anyone else a process whose start event sits in a lane of theirs (a unit's
    officer who opened a lawsuit, whose registration is the district office's, found a case with nothing in it
    for them), or, for a process without such a lane, one with a lane of theirs in it or in what it calls."""
    if user.role_names & STARTERS:
        return True
    catalog = catalog_of(version)
    info = catalog.processes.get(process_id)
    if info is not None and info.start_lanes:
        return bool(user.role_names & set(info.start_lanes))
    owned = {process_id, *(info.calls if info else [])}
    lanes = {t.lane for t in catalog.user_tasks.values() if t.process_id in owned and t.lane}
    return bool(user.role_names & lanes)


# The data dictionary's names that route a case to units (process-map.md): a part started alone (an appeal, a
# retrial) takes them from its start data.
UNIT_FIELDS = ["/defendant_unit", "/acting_units/*", "/entrusting_unit", "/successor_unit", "/handling_units/*"]


def _check_start_units(session: Session, user: User, data: dict[str, Any]) -> None:
    """The units the start data names must be units of the directory; and a unit's staff (not a district role)
    start cases for their own unit only: another unit's officers would find it in their inbox, its deadlines
    already running, and its reminders would go to that unit's head."""
    errors = check_unit_values(session, UNIT_FIELDS, data)
    if errors:
        raise Invalid(
            "the start data names units the directory does not have", errors=[{"field": e["path"], **e} for e in errors]
        )
    if user.role_names & STARTERS:
        return
    named = {v for pointer in UNIT_FIELDS for v in values_at(data, pointer) if isinstance(v, str) and v}
    if foreign := sorted(named - {user.unit_id}):
        raise Forbidden(f"you may start cases for your own unit only; the data names {', '.join(foreign)}")


def startable_processes(session: Session, user: User) -> list[tuple[str, str, bool]]:
    """(process id, name, part) of the newest version's processes this user may start, whole cases first: a
    process that no other process calls comes before the parts that can also run alone (`part`), and among whole
    cases the one that calls most others (the litigation case) first."""
    try:
        version = latest_version(session)
    except NotFound:
        return []
    catalog = catalog_of(version)
    called = {c for info in catalog.processes.values() for c in info.calls}
    roots = _roots(session, version)
    found = [
        info
        for info in catalog.processes.values()
        if info.process_id in roots and _may_start(user, version, info.process_id)
    ]
    found.sort(key=lambda info: (info.process_id in called, -len(set(info.calls)), info.process_id))
    return [(info.process_id, info.name, info.process_id in called) for info in found]


def _roots(session: Session, version: ProcessVersion) -> set[str]:
    """The processes of a version that can be started (embedded subprocesses cannot)."""
    return set(session.scalars(select(VersionProcess.process_id).where(VersionProcess.version_id == version.id)))


def start_instance(session: Session, runtime: Runtime, user: User, process_id: Any, data: Any) -> dict[str, Any]:
    """Create a case of the newest version of `process_id` and run it to its first wait state."""
    if not isinstance(process_id, str) or not process_id:
        raise Invalid("'process_id' is required")
    data = require_json_object(data)
    version = latest_version(session, process_id)
    if not _may_start(user, version, process_id):
        raise Forbidden(f"you may not start '{process_id}'")
    _check_start_units(session, user, data)
    with step_clock():
        case = new_case(session, runtime, version, process_id, data, user.username)
        try:
            case.engine.run()
        except EngineError as err:
            said = {"reason": err.said} if err.said else {}  # what the diagram tells the user, as it wrote it
            raise Invalid(f"the process could not start: {err.message}", element_id=err.element_id, **said) from None
        payload = {"process_id": process_id, "data": data, "id_seed": case.engine.id_seed}
        save_case(session, case, [("instance_created", user.username, payload)])
    return instance_view(session, case.row, case.open_tasks, case.version)


def instance_view(
    session: Session, row: Instance, ready: list[OpenTask] | None = None, version: ProcessVersion | None = None
) -> dict[str, Any]:
    """An instance as the API shows it; `ready`: its ready tasks, when a step has just planned them; `version`:
    the row's version, when already read."""
    version = version or session.get(ProcessVersion, row.version_id)
    assert version is not None
    deadlines = [
        deadline_view(d)
        for d in session.scalars(
            select(CaseDeadline).where(CaseDeadline.instance_id == row.id).order_by(CaseDeadline.due_at)
        )
    ]
    return {
        "id": row.id,
        "process_id": row.process_id,
        "status": row.status,
        "revision": row.revision,
        "version": {"id": version.id, "hash": version.content_hash},
        "data": json.loads(row.data_json),
        "tasks": open_tasks(session, row.id) if ready is None else [task_summary(t) for t in ready],
        "deadlines": deadlines,
        "next_due_at": row.next_due_at.isoformat() if row.next_due_at else None,
        "error": row.error_message,
        "created_by": row.created_by,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def get_instance(session: Session, user: User, instance_id: int) -> dict[str, Any]:
    """One case, for those who may see it."""
    row, version = read_case_row(session, instance_id)
    require_view_instance(session, user, row)
    record_auditor_view(session, user, row, "case")
    return instance_view(session, row, version=version)


def instance_events(session: Session, user: User, instance_id: int) -> list[dict[str, Any]]:
    """The audit events of a case in order."""
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    require_view_instance(session, user, row)
    record_auditor_view(session, user, row, "events")
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == row.id).order_by(AuditEvent.seq))
    return [event_dict(e) for e in events]
