"""Decision tables (DMN files) of the newest version: list them, read one, and save an edited one as a new
version through the same deploy as the diagrams (parsed, every expression checked under the sandbox)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import DiagramError, Runtime, decision_names
from ..models import ProcessVersion, VersionFile
from .deployment import Deployment, deploy, lock_versions, with_uploads
from .errors import Conflict, Invalid, NotFound
from .version_checks import validate_files
from .versions import latest_version

__all__ = ["Decision", "check_decision", "decision_source", "list_decisions", "save_decision"]

MAX_DECISION_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Decision:
    """A decision of a DMN file of the newest version."""

    decision_id: str
    name: str
    file: str
    version_id: int


def _dmn_files(session: Session, version: ProcessVersion) -> list[tuple[str, bytes, str]]:
    """(file name, content, sha256) of every DMN file of a version."""
    query = select(VersionFile.path, VersionFile.content, VersionFile.sha256).where(
        VersionFile.version_id == version.id, VersionFile.kind == "dmn"
    )
    return [(PurePosixPath(path).name, bytes(content), sha) for path, content, sha in session.execute(query)]


def list_decisions(session: Session) -> list[Decision]:
    """Every decision of the newest version, by id."""
    try:
        version = latest_version(session)
    except NotFound:
        return []
    found = [
        Decision(decision_id, name, file, version.id)
        for file, content, _sha in _dmn_files(session, version)
        for decision_id, name in decision_names(content, file).items()  # validated when deployed
    ]
    return sorted(found, key=lambda d: d.decision_id)


def _file_of(session: Session, version: ProcessVersion, decision_id: str) -> tuple[str, bytes, str]:
    for file, content, sha in _dmn_files(session, version):
        if decision_id in decision_names(content, file):
            return file, content, sha
    raise NotFound(f"decision '{decision_id}' is not part of version {version.id}")


def decision_source(session: Session, decision_id: str) -> tuple[str, bytes]:
    """(file name, XML) of the DMN file of the newest version that defines `decision_id`."""
    file, content, _sha = _file_of(session, latest_version(session), decision_id)
    return file, content


def _upload(session: Session, decision_id: str, content: bytes) -> dict[str, bytes]:
    """The edited file under the name of the file it replaces; it must still define the decision."""
    if not content.strip():
        raise Invalid("send the DMN XML as the request body")
    if len(content) > MAX_DECISION_BYTES:
        raise Invalid("the decision file is larger than 5 MiB")
    file, _content, _sha = _file_of(session, latest_version(session), decision_id)
    try:
        defined = decision_names(content, file)
    except DiagramError as err:
        raise Invalid("the decision table is not valid", errors=[err.as_dict()]) from None
    if decision_id not in defined:
        message = f"the file no longer defines decision '{decision_id}'"
        missing = DiagramError(file, message, decision_id, code="decision_missing", params={"id": decision_id})
        raise Invalid(message, errors=[missing.as_dict()])
    return {file: content}


def check_decision(session: Session, runtime: Runtime, decision_id: str, content: bytes) -> None:
    """Validate what save_decision would deploy, without storing anything."""
    validate_files(runtime, with_uploads(session, _upload(session, decision_id, content)))


def _check_base(session: Session, decision_id: str, base_version: int | None) -> None:
    """Refuse a save made on a version whose copy of this decision's file a colleague has changed since."""
    latest = latest_version(session)
    if base_version is None or base_version == latest.id:
        return
    base = session.get(ProcessVersion, base_version)
    try:
        base_sha = _file_of(session, base, decision_id)[2] if base is not None else None
    except NotFound:
        base_sha = None
    if base_sha != _file_of(session, latest, decision_id)[2]:
        raise Conflict(f"decision '{decision_id}' was changed in version {latest.id}", latest=latest.id)


def save_decision(
    session: Session, runtime: Runtime, decision_id: str, content: bytes, actor: str | None, base_version: int | None
) -> Deployment:
    """A new version made of the newest version's files with this decision's file replaced (a no-op when it is
    unchanged); Invalid lists every problem, Conflict when someone changed the decision since `base_version`."""
    lock_versions(session)  # the check and the version built next see the same newest version
    _check_base(session, decision_id, base_version)
    return deploy(session, runtime, with_uploads(session, _upload(session, decision_id, content)), actor, restore=True)
