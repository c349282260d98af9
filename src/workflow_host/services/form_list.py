"""The forms of the newest version as an analyst looks for them: by their title and the steps that show them."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..models import ProcessVersion
from .catalog import catalog_of
from .errors import NotFound
from .versions import form_file, latest_version, version_catalog

__all__ = ["FormEntry", "form_entry", "list_forms"]

SUFFIX = ".schema.json"


@dataclass
class FormEntry:
    """A form: its file name (without suffix), its title, and the steps that show it (process name, task title)."""

    name: str
    title: str
    steps: list[tuple[str, str]] = field(default_factory=list)


def _steps(version: ProcessVersion) -> dict[str, list[tuple[str, str]]]:
    catalog = catalog_of(version)
    found: dict[str, list[tuple[str, str]]] = {}
    for key in sorted(catalog.user_tasks):
        task = catalog.user_tasks[key]
        if task.form_schema:
            process = catalog.processes.get(task.process_id)
            step = (process.name if process and process.name else task.process_id, task.title or task.element_id)
            found.setdefault(task.form_schema.removesuffix(SUFFIX), []).append(step)
    return found


def _title(session: Session, version: ProcessVersion, name: str) -> str:
    schema = form_file(session, version, f"{name}{SUFFIX}")
    title = schema.get("title") if isinstance(schema, dict) else None
    return title if isinstance(title, str) and title.strip() else name


def list_forms(session: Session) -> list[FormEntry]:
    """Every form of the newest version, by the process that shows it first, then by title."""
    try:
        version = latest_version(session)
    except NotFound:
        return []
    steps = _steps(version)
    names = [n.removesuffix(SUFFIX) for n in version_catalog(session, version)["forms"]]
    entries = [FormEntry(n, _title(session, version, n), steps.get(n, [])) for n in names]
    return sorted(entries, key=lambda e: (e.steps[0][0] if e.steps else "\uffff", e.title, e.name))


def form_entry(session: Session, name: str) -> FormEntry:
    """One form of the newest version (NotFound when it has none of that name)."""
    version = latest_version(session)
    if f"{name}{SUFFIX}" not in version_catalog(session, version)["forms"]:
        raise NotFound(f"form '{name}' is not part of the newest version")
    return FormEntry(name, _title(session, version, name), _steps(version).get(name, []))
