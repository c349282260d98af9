"""What the case page shows: the case, its steps (open and done, who and when), deadlines, files, and the
state of every diagram element for highlighting."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import Runtime, now
from ..models import InboxTask, Instance, ProcessVersion, User, VersionFile
from .attachments import case_attachments
from .catalog import catalog_of
from .errors import NotFound
from .history import record_auditor_view
from .instances import instance_view
from .permissions import require_view_instance
from .steps import load_case
from .versions import form_file

__all__ = ["case_page", "data_labels", "diagram_xml", "visible_case"]


def visible_case(session: Session, user: User, instance_id: int) -> Instance:
    """The case row, if it exists and the user may see it."""
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound(f"case {instance_id} does not exist")
    require_view_instance(session, user, row)
    return row


def data_labels(session: Session, version: ProcessVersion) -> dict[str, str]:
    """A title for each top-level data name, taken from the forms of the version that collect it."""
    labels: dict[str, str] = {}
    paths = session.scalars(
        select(VersionFile.path).where(VersionFile.version_id == version.id, VersionFile.path.like("forms/%"))
    )
    for path in sorted(paths):
        if path.endswith(".uischema.json"):
            continue
        schema = form_file(session, version, path.removeprefix("forms/"))
        for name, sub in (schema.get("properties") or {}).items() if isinstance(schema, dict) else []:
            if isinstance(sub, dict) and sub.get("title"):
                labels.setdefault(name, str(sub["title"]))
    return labels


def case_page(session: Session, runtime: Runtime, user: User, instance_id: int) -> dict[str, Any]:
    """Everything the case page shows, for a user who may see the case."""
    row = visible_case(session, user, instance_id)
    record_auditor_view(session, user, row, "case")
    version = session.get(ProcessVersion, row.version_id)
    assert version is not None
    view = instance_view(session, row)
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
        "labels": data_labels(session, version),
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
