"""A diagram's, form's or decision file's own version number: versions are numbered across every process and
form together (one deploy holds them all), so an item's first change may be version 7; its revision counts only
the versions in which that item itself changed."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import VersionFile

__all__ = ["FOLDERS", "file_revisions"]

FOLDERS = ("processes", "forms")  # where a version keeps its files (services.deployment.read_directory)


def file_revisions(session: Session, names: Iterable[str]) -> dict[int, int]:
    """For each version holding any of the files `names` (file names, `signoff.bpmn`), their revision in it: 1 in
    the first version holding them, one more in each later version that holds them changed."""
    paths = [f"{folder}/{name}" for folder in FOLDERS for name in names]
    rows = session.execute(
        select(VersionFile.version_id, VersionFile.path, VersionFile.sha256)
        .where(VersionFile.path.in_(paths))
        .order_by(VersionFile.version_id, VersionFile.path)
    )
    contents: dict[int, list[tuple[str, str]]] = {}
    for version_id, path, sha in rows:
        contents.setdefault(version_id, []).append((path, sha))
    revisions: dict[int, int] = {}
    revision, previous = 0, None
    for version_id in sorted(contents):
        if contents[version_id] != previous:
            revision, previous = revision + 1, contents[version_id]
        revisions[version_id] = revision
    return revisions
