"""Versions of a process and what changed between two of them, element by element (the drawing aside)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import ElementSignature, element_signatures
from ..models import ProcessVersion, VersionProcess
from .errors import NotFound
from .versions import version_source

__all__ = ["DiagramDiff", "diagram_diff", "process_name", "process_versions", "version_of"]


@dataclass
class DiagramDiff:
    """Element ids added, removed and changed from `old` to `new`, with their kinds and names."""

    old: ProcessVersion
    new: ProcessVersion
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # the element's name (the newer one where both have it)

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed)


def version_of(session: Session, process_id: str, version_id: int) -> ProcessVersion:
    """A version that defines `process_id`."""
    defined = session.scalar(
        select(VersionProcess.version_id).where(
            VersionProcess.process_id == process_id, VersionProcess.version_id == version_id
        )
    )
    version = session.get(ProcessVersion, version_id) if defined else None
    if version is None:
        raise NotFound(f"version {version_id} does not define '{process_id}'")
    return version


def process_name(session: Session, process_id: str) -> str:
    """The name the newest version gives the process (its id when it has none, or when it is not deployed)."""
    newest = select(VersionProcess.name).where(VersionProcess.process_id == process_id)
    return session.scalar(newest.order_by(VersionProcess.version_id.desc()).limit(1)) or process_id


def process_versions(session: Session, process_id: str) -> list[dict[str, Any]]:
    """Every version defining the process, newest first, with whether its diagram differs from the one before and
    the diagram's revision in it."""
    rows = list(
        session.scalars(
            select(ProcessVersion)
            .join(VersionProcess, VersionProcess.version_id == ProcessVersion.id)
            .where(VersionProcess.process_id == process_id)
            .order_by(ProcessVersion.id)
        )
    )
    listed, previous, revision = [], None, 0
    for version in rows:
        _name, xml = version_source(session, version, process_id)
        changed = previous is not None and xml != previous
        revision += changed or previous is None  # the diagram's own number: counts only the versions changing it
        listed.append({"version": version, "diagram_changed": changed, "first": previous is None, "revision": revision})
        previous = xml
    return list(reversed(listed))


def _signatures(session: Session, version: ProcessVersion, process_id: str) -> dict[str, ElementSignature]:
    name, xml = version_source(session, version, process_id)
    return element_signatures(xml, name)


def diagram_diff(session: Session, process_id: str, old_id: int, new_id: int) -> DiagramDiff:
    """What the diagram of `process_id` says differently in version `new_id` than in `old_id`."""
    old, new = version_of(session, process_id, old_id), version_of(session, process_id, new_id)
    before = _signatures(session, old, process_id)
    after = _signatures(session, new, process_id)
    diff = DiagramDiff(old, new)
    diff.added = sorted(after.keys() - before.keys())
    diff.removed = sorted(before.keys() - after.keys())
    diff.changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
    diff.kinds = {k: v.kind for k, v in {**before, **after}.items()}
    diff.names = {k: v.name for k, v in {**before, **after}.items()}
    return diff
