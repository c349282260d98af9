"""What the case page shows: the case, its steps (open and done, who and when), deadlines, files, and the
state of every diagram element for highlighting."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..engine import Runtime, now
from ..models import AuditEvent, InboxCandidate, InboxTask, Instance, ProcessVersion, Unit, User, VersionFile
from .assignment import keys_for_user
from .attachments import case_attachments
from .catalog import catalog_of
from .errors import NotFound
from .forms import inline_refs
from .history import record_auditor_view
from .instances import instance_view
from .permissions import DISTRICT_ROLES, READ_ALL, can_view_instance, require_view_instance
from .steps import load_case
from .versions import form_file

__all__ = [
    "INSTANCE_LEVELS",
    "DataLabels",
    "case_list",
    "case_numbers",
    "case_page",
    "data_labels",
    "diagram_xml",
    "row_numbers",
    "visible_case",
]


def visible_case(session: Session, user: User, instance_id: int) -> Instance:
    """The case row, if it exists and the user may see it."""
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound(f"case {instance_id} does not exist")
    require_view_instance(session, user, row)
    return row


@dataclass
class DataLabels:
    """Titles of data names and labels of their values, as the version's forms word them: a top-level name by
    itself, a name inside a structure by its dotted path without list positions (`hearing_record.attendees.name`)."""

    titles: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)


def data_labels(session: Session, version: ProcessVersion, process_id: str | None = None) -> DataLabels:
    """A title for each data name, and labels for enumerated values, from the version's forms; the forms of
    `process_id` (the case's own process) word a name first, in its diagram's order, so a name reads as the case
    was registered with it (the intake's 收到起诉状副本日期, not a later instance's registration)."""
    labels = DataLabels()
    paths = session.scalars(
        select(VersionFile.path).where(VersionFile.version_id == version.id, VersionFile.path.like("forms/%"))
    )
    own: dict[str, int] = {}  # the case's own forms, in the order its diagram has them (the intake first)
    for task in catalog_of(version).user_tasks.values():
        if task.process_id == process_id and task.form_schema:
            own.setdefault(f"forms/{task.form_schema}", len(own))
    for path in sorted(paths, key=lambda p: (p not in own, own.get(p, 0), p)):
        if path.endswith(".uischema.json"):
            continue
        schema = form_file(session, version, path.removeprefix("forms/"))
        ui_name = path.removeprefix("forms/").removesuffix(".schema.json") + ".uischema.json"
        try:
            ui = form_file(session, version, ui_name)
        except NotFound:
            ui = {}
        _label_fields(labels, inline_refs(schema), ui, "")
    return labels


def _label_fields(labels: DataLabels, schema: Any, ui: Any, prefix: str, depth: int = 0) -> None:
    """The titles and value labels of an object schema's fields, and of the fields of its objects and of its
    lists' objects, under their dotted paths."""
    if not isinstance(schema, dict) or depth > 8:
        return
    ui = ui if isinstance(ui, dict) else {}
    for name, sub in (schema.get("properties") or {}).items():
        if not isinstance(sub, dict):
            continue
        path = f"{prefix}.{name}" if prefix else name
        if sub.get("title"):
            labels.titles.setdefault(path, str(sub["title"]))
        choices = _choices(sub, ui.get(name))
        if choices:
            labels.values.setdefault(path, choices)
        sub_ui = ui.get(name) if isinstance(ui.get(name), dict) else {}
        if isinstance(sub.get("items"), dict):
            _label_fields(labels, sub["items"], sub_ui.get("items"), path, depth + 1)
            item_choices = _choices(sub["items"], sub_ui.get("items")) or _choices(sub["items"], sub_ui)
            if item_choices:
                labels.values.setdefault(path, item_choices)
        _label_fields(labels, sub, sub_ui, path, depth + 1)


def _choices(schema: dict[str, Any], ui: Any) -> dict[str, str]:
    """value → label of an enumerated field (`oneOf` of const + title, or `enum` with `ui:enumNames`), and of a
    yes/no field that names its two answers in `ui:enumNames`."""
    found: dict[str, str] = {}
    for option in schema.get("oneOf") or schema.get("anyOf") or []:
        if isinstance(option, dict) and "const" in option and option.get("title"):
            found[json.dumps(option["const"], ensure_ascii=False)] = str(option["title"])
    names = ui.get("ui:enumNames") if isinstance(ui, dict) else None
    if isinstance(schema.get("enum"), list) and isinstance(names, list):
        for value, label in zip(schema["enum"], names, strict=False):
            found[json.dumps(value, ensure_ascii=False)] = str(label)
    elif schema.get("type") == "boolean" and isinstance(names, list) and len(names) == 2:  # "同意上诉" / "不上诉"
        found.update({"true": str(names[0]), "false": str(names[1])})
    return found


INSTANCE_LEVELS = ("first", "second", "retrial")  # instance_level, in the order a case goes through them


def case_numbers(data: Any) -> list[tuple[str, str]]:
    """The court's number of each instance of a case, (instance_level, case_no), first instance first: each
    decided instance's as instance_history kept it, and the current one's once it is registered. `case_no` is the
    current instance's number, so a second instance's registration replaces the first's there; until then it
    still holds the earlier number, which is not counted twice. Empty for a case that has no instances."""
    if not isinstance(data, dict):
        return []
    numbers: dict[str, str] = {}
    history = data.get("instance_history")
    for entry in history if isinstance(history, list) else []:
        if isinstance(entry, dict) and entry.get("instance_level") in INSTANCE_LEVELS and entry.get("case_no"):
            numbers.setdefault(str(entry["instance_level"]), str(entry["case_no"]))
    current, level = data.get("case_no"), data.get("instance_level")
    if current and level in INSTANCE_LEVELS and level not in numbers and str(current) not in numbers.values():
        numbers[str(level)] = str(current)
    return [(level, numbers[level]) for level in INSTANCE_LEVELS if level in numbers]


def case_page(session: Session, runtime: Runtime, user: User, instance_id: int) -> dict[str, Any]:
    """Everything the case page shows, for a user who may see the case."""
    row = visible_case(session, user, instance_id)
    record_auditor_view(session, user, row, "case")
    version = session.get(ProcessVersion, row.version_id)
    assert version is not None
    view = instance_view(session, row, version=version)
    steps = list(
        session.scalars(
            select(InboxTask).where(InboxTask.instance_id == row.id).order_by(InboxTask.created_at, InboxTask.id)
        )
    )
    states = load_case(session, runtime, row.id, lock=False).engine.element_states()
    catalog = catalog_of(version)
    order = [row.process_id, *[p for p in states if p != row.process_id]]
    diagrams = [
        {
            "process_id": p,
            "name": catalog.processes[p].name if p in catalog.processes else p,
            "states": states.get(p, {}),
        }
        for p in order
        if p in catalog.processes
    ]
    at = now()
    overdue: dict[str, list[str]] = {}
    for step in steps:
        if step.status == "ready" and step.due_at is not None and step.due_at < at:
            overdue.setdefault(step.process_id, []).append(step.element_id)
    return {
        "case": view,
        "row": row,
        "overdue": overdue,
        "steps": steps,
        "attachments": case_attachments(session, row.id),
        "diagrams": diagrams,
        "labels": data_labels(session, version, row.process_id),
        "numbers": case_numbers(view["data"]),
    }


def diagram_xml(session: Session, user: User, instance_id: int, process_id: str) -> bytes:
    """The BPMN file (of the case's version) that defines `process_id`, for the diagram viewer."""
    row = visible_case(session, user, instance_id)
    version = session.get(ProcessVersion, row.version_id)
    assert version is not None
    info = catalog_of(version).processes.get(process_id)
    if info is None:
        raise NotFound(f"process {process_id} is not part of this case's version")
    files = session.execute(
        select(VersionFile.path, VersionFile.content).where(
            VersionFile.version_id == version.id, VersionFile.kind == "bpmn"
        )
    )
    for path, content in files:
        if PurePosixPath(path).name == PurePosixPath(info.file).name:
            return bytes(content)
    raise NotFound(f"the diagram of {process_id} is missing")


CASE_LIST = 100  # cases a list shows
CASE_SCAN = 5000  # newest cases looked at for a user who sees only some: beyond them, search by case number


def case_list(session: Session, user: User, number: str = "") -> list[Instance]:
    """The newest cases `user` may see, at most CASE_LIST, those whose case number contains `number` when given:
    for an auditor looking for a case to verify, a unit looking for one of its own."""
    query = select(Instance).order_by(Instance.updated_at.desc(), Instance.id.desc())
    if not user.role_names & (READ_ALL | DISTRICT_ROLES):
        # only the cases that may be the user's (can_view_instance then decides): started, worked on, waiting
        # for them, or naming their unit or a unit they supervise (as a JSON string in the case data)
        units = {user.unit_id, *session.scalars(select(Unit.id).where(Unit.supervisor == user.username))} - {None}
        mine = [
            Instance.created_by == user.username,
            Instance.id.in_(select(AuditEvent.instance_id).where(AuditEvent.actor == user.username)),
            Instance.id.in_(
                select(InboxTask.instance_id)
                .join(InboxCandidate, InboxCandidate.task_id == InboxTask.id)
                .where(InboxCandidate.key.in_(keys_for_user(user)))
            ),
            *(Instance.data_json.contains(json.dumps(unit), autoescape=True) for unit in sorted(units)),
        ]
        query = query.where(or_(*mine))
    number = number.strip()
    if number:  # the current number, or an earlier instance's (the case data holds it, checked below)
        query = query.where(
            or_(
                Instance.case_no.contains(number, autoescape=True),
                Instance.data_json.contains(number, autoescape=True),
            )
        )
    found: list[Instance] = []
    for row in session.scalars(query.limit(CASE_SCAN)):
        if number and number not in (row.case_no or "") and not _numbered(row, number):
            continue
        if can_view_instance(session, user, row):
            found.append(row)
            if len(found) == CASE_LIST:
                break
    return found


def row_numbers(row: Instance) -> list[tuple[str, str]]:
    """case_numbers of a case row's data."""
    try:
        return case_numbers(json.loads(row.data_json or "{}"))
    except ValueError:
        return []


def _numbered(row: Instance, number: str) -> bool:
    """Whether one of the case's instances has a number containing `number`."""
    return any(number in found for _level, found in row_numbers(row))
