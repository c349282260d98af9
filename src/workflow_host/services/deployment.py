"""Deploy sets of diagrams and forms as immutable versions keyed by their content hash: a directory at start, an
analyst's uploaded diagrams or saved forms; one deploy at a time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ..db import is_postgres
from ..engine import Runtime, now
from ..models import ProcessVersion, VersionFile, VersionProcess
from .errors import Invalid, NotFound
from .version_checks import file_kind, validate_files
from .versions import latest_version

__all__ = [
    "Deployment",
    "check_upload",
    "deploy",
    "deploy_forms",
    "deploy_upload",
    "lock_versions",
    "read_directory",
    "with_uploads",
]

DIAGRAM_SUFFIXES = (".bpmn", ".dmn")


@dataclass(frozen=True)
class Deployment:
    """The outcome of a deploy: the version and whether it was new."""

    version: ProcessVersion
    created: bool


def read_directory(process_dir: Path, forms_dir: Path | None = None) -> dict[str, bytes]:
    """The BPMN/DMN files of `process_dir` and the form files of `forms_dir` (default: its sibling forms/)."""
    if not process_dir.is_dir():
        raise Invalid(f"{process_dir} is not a directory")
    forms_dir = forms_dir or process_dir.parent / "forms"
    files = {
        f"processes/{p.name}": p.read_bytes() for p in sorted(process_dir.iterdir()) if p.suffix in DIAGRAM_SUFFIXES
    }
    if forms_dir.is_dir():
        files.update({f"forms/{p.name}": p.read_bytes() for p in sorted(forms_dir.glob("*.json"))})
    return files


def _content_hash(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).hexdigest().encode() + b"\n")
    return digest.hexdigest()


_DEPLOY_LOCK = 720_1205  # the advisory lock every deploy takes (an arbitrary constant of this application)


def lock_versions(session: Session) -> None:
    """Hold off every other deploy until this transaction ends, so that a version built on "the newest version"
    and a check against it see the same newest version (PostgreSQL; SQLite transactions are serial already)."""
    if is_postgres(session.get_bind().engine):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DEPLOY_LOCK})


def deploy(
    session: Session, runtime: Runtime, files: dict[str, bytes], actor: str | None, restore: bool = False
) -> Deployment:
    """Validate every file and store them as a new version; a no-op when a version holds the same already. With
    `restore` (an analyst's save), only the newest counts: an older version's content becomes a new, newest
    version, which is how earlier diagrams are brought back. (`deploy DIR` at every start must not undo an
    analyst's later versions, so it keeps the first meaning.)"""
    lock_versions(session)
    if not any(file_kind(p) in ("bpmn", "dmn") for p in files):
        raise Invalid("no BPMN or DMN files to deploy")
    content_hash = _content_hash(files)
    same = select(ProcessVersion).where(ProcessVersion.content_hash == content_hash)
    if restore:
        same = select(ProcessVersion).order_by(ProcessVersion.id.desc()).limit(1)
    existing = session.scalar(same.order_by(ProcessVersion.id.desc()))
    if existing is not None and existing.content_hash == content_hash:
        return Deployment(existing, False)
    bundle = validate_files(runtime, files)
    version = ProcessVersion(
        content_hash=content_hash,
        created_at=now(),
        created_by=actor,
        spec_json=bundle.spec_json,
        catalog_json=bundle.catalog_json(),
    )
    session.add(version)
    session.flush()
    for path, content in sorted(files.items()):
        sha = hashlib.sha256(content).hexdigest()
        session.add(VersionFile(version_id=version.id, path=path, kind=file_kind(path), sha256=sha, content=content))
    for info in bundle.processes.values():
        session.add(
            VersionProcess(
                version_id=version.id, process_id=info.process_id, name=info.name, documentation=info.documentation
            )
        )
    return Deployment(version, True)


def with_uploads(session: Session, uploads: dict[str, bytes]) -> dict[str, bytes]:
    """The newest version's files with the uploaded ones put in place (by file name)."""
    files: dict[str, bytes] = {}
    try:
        base = latest_version(session)
        files = {
            f.path: f.content for f in session.scalars(select(VersionFile).where(VersionFile.version_id == base.id))
        }
    except NotFound:
        pass
    by_name = {PurePosixPath(p).name: p for p in files}
    for name, content in uploads.items():
        name = PurePosixPath(name).name
        folder = "forms" if file_kind(name) == "form" else "processes"
        files[by_name.get(name, f"{folder}/{name}")] = content
    return files


def check_upload(session: Session, runtime: Runtime, process_id: str, uploads: dict[str, bytes]) -> None:
    """Validate what deploy_upload would deploy, without storing anything."""
    bundle = validate_files(runtime, with_uploads(session, uploads))
    if process_id not in bundle.processes:
        raise Invalid(f"the uploaded files do not define process '{process_id}'")


def deploy_upload(
    session: Session, runtime: Runtime, process_id: str, uploads: dict[str, bytes], actor: str | None
) -> Deployment:
    """A new version made of the newest version's files with the uploaded ones put in place."""
    lock_versions(session)
    deployment = deploy(session, runtime, with_uploads(session, uploads), actor, restore=True)
    defined = session.scalar(
        select(VersionProcess.process_id).where(
            VersionProcess.version_id == deployment.version.id, VersionProcess.process_id == process_id
        )
    )
    if defined is None:
        raise Invalid(f"the uploaded files do not define process '{process_id}'")
    return deployment


def deploy_forms(session: Session, runtime: Runtime, uploads: dict[str, bytes], actor: str | None) -> Deployment:
    """A new version made of the newest version's files with these form files put in place (checked as at any
    deploy: valid JSON Schema, local references only, named by no task or by tasks that find them)."""
    if not uploads or any(file_kind(name) != "form" for name in uploads):
        raise Invalid("only form files (.schema.json, .uischema.json) can be saved here")
    lock_versions(session)
    return deploy(session, runtime, with_uploads(session, uploads), actor, restore=True)
