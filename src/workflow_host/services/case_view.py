"""What the case page shows: the case, its steps (open and done, who and when), deadlines, files, and the
state of every diagram element for highlighting."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import Runtime, now
from ..models import InboxTask, Instance, ProcessVersion, User, VersionFile
from .attachments import case_attachments
from .case_keys import INSTANCE_LEVELS, case_numbers
from .catalog import catalog_of
from .directory import extra_units
from .errors import NotFound
from .form_fields import inline_refs
from .history import record_auditor_view
from .instances import instance_view
from .permissions import require_view_instance
from .steps import load_case
from .termination import may_terminate, termination_of
from .versions import form_file
from .waiting import waiting_for

__all__ = [
    "INSTANCE_LEVELS",
    "DataLabels",
    "case_numbers",
    "case_page",
    "data_labels",
    "diagram_xml",
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
    itself, a name inside a structure by its dotted path without list positions (`hearing_record.attendees.name`);
    and the order the forms ask the top-level names in, for pages to list them so."""

    titles: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)  # a top-level name's place: the forms' order, then each's
    # a top-level name's `ui:showWhen` in the form that asks it first: the answers under which it applies
    shown_when: dict[str, Any] = field(default_factory=dict)


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
        for name in _form_order(schema, ui):
            if name not in labels.order:
                _note_condition(labels, name, ui)
            labels.order.setdefault(name, len(labels.order))
    return labels


def _note_condition(labels: DataLabels, name: str, ui: Any) -> None:
    """Keep the `ui:showWhen` a form asks a top-level name under, for pages to leave it out where it does not
    apply (被告单位 of a suit against the district government)."""
    sub = ui.get(name) if isinstance(ui, dict) else None
    if isinstance(sub, dict) and isinstance(sub.get("ui:showWhen"), dict):
        labels.shown_when[name] = sub["ui:showWhen"]


def _form_order(schema: Any, ui: Any) -> list[str]:
    """A form's top-level fields in the order it asks them (`ui:order`, then the rest as declared): the Art. 13
    items read (二) to (八), as the article lists them, not by their data names."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        return []
    order = ui.get("ui:order") if isinstance(ui, dict) else None
    first = [name for name in order if isinstance(name, str) and name in properties] if isinstance(order, list) else []
    return first + [name for name in properties if name not in first]


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
    """value → label of an enumerated field (`oneOf` of const + title, or `enum` with `ui:enumNames`), of a
    yes/no field that names its two answers in `ui:enumNames`, and of a unit picker's `extraUnits`."""
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
    found.update({json.dumps(key, ensure_ascii=False): name for key, name in extra_units(ui).items()})
    return found


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
    states = _drawn_states(load_case(session, runtime, row.id, lock=False).engine.element_states(), row.status)
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
        "steps_done": _in_order_done(steps),
        "attachments": case_attachments(session, row.id),
        "diagrams": diagrams,
        "labels": data_labels(session, version, row.process_id),
        "numbers": case_numbers(view["data"]),
        "termination": termination_of(session, row),
        "may_terminate": may_terminate(session, user, row),
        "waiting": waiting_for(row, view["data"], sum(step.status == "ready" for step in steps)),
    }


def _drawn_states(states: dict[str, dict[str, str]], status: str) -> dict[str, dict[str, str]]:
    """The elements' states as the diagram shows them: a terminated case waits for nothing, so where it stopped is
    no open step (the workflow's own state keeps it, for replay)."""
    if status != "terminated":
        return states
    return {process: {e: s for e, s in elements.items() if s == "completed"} for process, elements in states.items()}


def _in_order_done(steps: list[InboxTask]) -> list[InboxTask]:
    """The steps done or cancelled, in the order they were: a step created early may be done late (a performance
    record due again, one of two parallel confirmations), so the day it was created does not place it."""
    ended = [t for t in steps if t.status != "ready"]
    return sorted(ended, key=lambda t: (t.completed_at or t.created_at, t.created_at, t.id))


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
