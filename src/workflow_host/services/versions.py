"""The stored versions: the newest one (that defines a process), its processes and forms, and a version's form
files, diagram sources and what its diagrams may refer to."""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..engine import decision_ids
from ..models import ProcessVersion, VersionFile, VersionProcess
from .catalog import catalog_of
from .errors import NotFound
from .memo import Memo
from .version_checks import KNOWN_ROLES

__all__ = ["form_file", "form_source", "latest_version", "list_processes", "version_catalog", "version_source"]


def latest_version(session: Session, process_id: str | None = None) -> ProcessVersion:
    """The newest version (that defines `process_id`, if given)."""
    newest = select(func.max(ProcessVersion.id))
    if process_id is not None:
        newest = select(func.max(VersionProcess.version_id)).where(VersionProcess.process_id == process_id)
    version = session.scalar(select(ProcessVersion).where(ProcessVersion.id == newest.scalar_subquery()))
    if version is None:
        raise NotFound(f"process '{process_id}' is not deployed" if process_id else "nothing is deployed yet")
    return version


def form_source(session: Session, name: str) -> tuple[bytes, bytes | None]:
    """(schema, UI schema or None) of the form `name` (without suffix) in the newest version."""
    version = latest_version(session)
    files = {
        PurePosixPath(path).name: content
        for path, content in session.execute(
            select(VersionFile.path, VersionFile.content).where(
                VersionFile.version_id == version.id, VersionFile.kind == "form"
            )
        )
    }
    schema = files.get(f"{name}.schema.json")
    if schema is None:
        raise NotFound(f"form '{name}' is not part of the newest version")
    return bytes(schema), files.get(f"{name}.uischema.json")


def list_processes(session: Session) -> list[dict[str, Any]]:
    """Processes of the newest version, with that version's id and hash."""
    try:
        version = latest_version(session)
    except NotFound:
        return []
    rows = session.scalars(
        select(VersionProcess).where(VersionProcess.version_id == version.id).order_by(VersionProcess.process_id)
    )
    return [
        {
            "process_id": row.process_id,
            "name": row.name,
            "documentation": row.documentation,
            "version": {"id": version.id, "hash": version.content_hash, "created_at": version.created_at.isoformat()},
        }
        for row in rows
    ]


_FORM_FILES: Memo[tuple[str, str], bytes] = Memo(1024)  # by content hash and name: read from the database once


def form_file(session: Session, version: ProcessVersion, name: str) -> Any:
    """A form file of a version, parsed (a fresh copy each time)."""

    def read() -> bytes:
        query = select(VersionFile.content).where(
            VersionFile.version_id == version.id, VersionFile.path == f"forms/{name}"
        )
        content = session.scalar(query)
        if content is None:
            raise NotFound(f"form '{name}' is not part of version {version.id}")
        return content

    return json.loads(_FORM_FILES.get_or_make((version.content_hash, name), read))


def version_source(session: Session, version: ProcessVersion, process_id: str) -> tuple[str, bytes]:
    """(file name, XML) of the BPMN file of `version` that defines `process_id`."""
    info = catalog_of(version).processes.get(process_id)
    if info is None:
        raise NotFound(f"process '{process_id}' is not part of version {version.id}")
    name = PurePosixPath(info.file).name
    for path, content in session.execute(
        select(VersionFile.path, VersionFile.content).where(VersionFile.version_id == version.id)
    ):
        if PurePosixPath(path).name == name:
            return name, bytes(content)
    raise NotFound(f"the file of process '{process_id}' is missing from version {version.id}")


def version_catalog(session: Session, version: ProcessVersion) -> dict[str, list[str]]:
    """What a diagram of this version may refer to: forms, decisions, processes, and the lanes in use."""
    paths = list(session.scalars(select(VersionFile.path).where(VersionFile.version_id == version.id)))
    names = sorted(PurePosixPath(p).name for p in paths)
    decisions: set[str] = set()
    dmn_files = select(VersionFile.path, VersionFile.content).where(
        VersionFile.version_id == version.id, VersionFile.kind == "dmn"
    )
    for path, content in session.execute(dmn_files):
        decisions.update(decision_ids(bytes(content), path))  # validated when deployed
    catalog = catalog_of(version)
    return {
        "forms": [n for n in names if n.endswith(".schema.json")],
        "ui_forms": [n for n in names if n.endswith(".uischema.json")],
        "decisions": sorted(decisions),
        "processes": sorted(catalog.processes),
        "roles": sorted({t.lane for t in catalog.user_tasks.values() if t.lane} | set(KNOWN_ROLES)),
    }
