"""Deploy sets of diagrams and forms as immutable versions keyed by their content hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from ..db import is_postgres
from ..engine import CompiledBundle, DiagramError, DiagramErrors, Runtime, SourceFile, decision_ids, now
from ..models import ProcessVersion, VersionFile, VersionProcess
from .catalog import catalog_of
from .errors import Invalid, NotFound
from .form_checks import check_form_schema, check_show_when
from .memo import Memo

__all__ = [
    "Deployment",
    "check_upload",
    "deploy",
    "deploy_forms",
    "deploy_upload",
    "form_source",
    "latest_version",
    "list_processes",
    "lock_versions",
    "read_directory",
    "validate_files",
    "version_catalog",
    "version_source",
    "with_uploads",
]

DIAGRAM_SUFFIXES = (".bpmn", ".dmn")
MAX_FORM_BYTES = 512 * 1024


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


def _kind(path: str) -> str:
    name = PurePosixPath(path).name
    if name.endswith(".dmn"):
        return "dmn"
    if name.endswith(".bpmn"):
        return "bpmn"
    if name.endswith(".json"):
        return "form"
    raise Invalid(f"{path}: only .bpmn, .dmn and .json form files can be deployed")


def _check_forms(files: dict[str, bytes], needed: set[str]) -> list[DiagramError]:
    errors = []
    forms = {PurePosixPath(p).name: content for p, content in files.items() if _kind(p) == "form"}
    for name in sorted(needed - set(forms)):
        errors.append(DiagramError(name, "form file named by a user task is missing", code="form_missing"))
    for name, content in sorted(forms.items()):
        if len(content) > MAX_FORM_BYTES:
            errors.append(DiagramError(name, "form file is too large", code="form_too_large"))
            continue
        try:
            check_form_schema(name, json.loads(content))
        except Invalid as err:  # check_form_schema names the problem (`code`, `params`)
            params = {
                "reason": err.message.removeprefix(f"{name}: "),
                **(err.details.get("params") or {}),
                "file": name,
            }
            code = str(err.details.get("code") or "form_invalid")
            errors.append(DiagramError(name, err.message, code=code, params=params))
        except ValueError as err:
            errors.append(
                DiagramError(name, f"not valid JSON: {err}", code="form_not_json", params={"reason": str(err)})
            )
        except RecursionError:
            errors.append(DiagramError(name, "form file is nested too deeply", code="form_too_deep"))
    for name, content in sorted(forms.items()):
        schema_name = name.removesuffix(".uischema.json") + ".schema.json"
        if name.endswith(".uischema.json") and schema_name in forms:
            try:
                problems = check_show_when(json.loads(forms[schema_name]), json.loads(content))
            except (ValueError, RecursionError):
                continue  # reported above
            errors += [
                DiagramError(
                    name,
                    f"{field}: {option} names '{other}', not a field beside it",
                    code="show_when_unknown",
                    params={"field": field, "option": option, "name": other},
                )
                for field, option, other in problems
            ]
    return errors


def validate_files(runtime: Runtime, files: dict[str, bytes]) -> CompiledBundle:
    """Compile and check a set of files as a version would be made of them; Invalid lists every problem."""
    if not any(_kind(p) in ("bpmn", "dmn") for p in files):
        raise Invalid("no BPMN or DMN files to deploy")
    diagrams = [SourceFile(PurePosixPath(p).name, c) for p, c in sorted(files.items()) if _kind(p) != "form"]
    try:
        bundle = runtime.compile(diagrams)
    except DiagramErrors as err:
        raise Invalid("the diagrams are not valid", errors=[e.as_dict() for e in err.errors]) from None
    lane_errors = _check_lanes(bundle)
    if lane_errors:
        raise Invalid("the diagrams are not valid", errors=[e.as_dict() for e in lane_errors])
    form_errors = _check_forms(files, bundle.forms_needed)
    if form_errors:
        raise Invalid("the forms are not valid", errors=[e.as_dict() for e in form_errors])
    return bundle


def _check_lanes(bundle: CompiledBundle) -> list[DiagramError]:
    """A user task's lane is the role that does it: it must be a role of the directory, unless the task takes
    its people from the case data (candidateRolesVariable / candidateUsersVariable)."""
    errors = []
    for info in bundle.user_tasks.values():
        if not info.lane or info.lane in KNOWN_ROLES or info.candidate_roles_variable or info.candidate_users_variable:
            continue
        process = bundle.processes.get(info.process_id)
        message = f"lane '{info.lane}' is not a role ({', '.join(KNOWN_ROLES)}); name the lane by its role"
        file, params = process.file if process else info.process_id, {"lane": info.lane, "roles": list(KNOWN_ROLES)}
        errors.append(DiagramError(file, message, info.element_id, code="lane_not_role", params=params))
    return errors


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
    if not any(_kind(p) in ("bpmn", "dmn") for p in files):
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
        session.add(VersionFile(version_id=version.id, path=path, kind=_kind(path), sha256=sha, content=content))
    for info in bundle.processes.values():
        session.add(
            VersionProcess(
                version_id=version.id, process_id=info.process_id, name=info.name, documentation=info.documentation
            )
        )
    return Deployment(version, True)


def latest_version(session: Session, process_id: str | None = None) -> ProcessVersion:
    """The newest version (that defines `process_id`, if given)."""
    newest = select(func.max(ProcessVersion.id))
    if process_id is not None:
        newest = select(func.max(VersionProcess.version_id)).where(VersionProcess.process_id == process_id)
    version = session.scalar(select(ProcessVersion).where(ProcessVersion.id == newest.scalar_subquery()))
    if version is None:
        raise NotFound(f"process '{process_id}' is not deployed" if process_id else "nothing is deployed yet")
    return version


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
        folder = "forms" if _kind(name) == "form" else "processes"
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
    if not uploads or any(_kind(name) != "form" for name in uploads):
        raise Invalid("only form files (.schema.json, .uischema.json) can be saved here")
    lock_versions(session)
    return deploy(session, runtime, with_uploads(session, uploads), actor, restore=True)


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


KNOWN_ROLES = (
    "gov_office",
    "office_deputy_director",
    "office_director",
    "vice_head_in_charge",
    "executive_vice_head",
    "district_head",
    "justice_bureau",
    "justice_bureau_head",
    "handling_unit",
)
