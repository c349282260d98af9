"""Court and district documents (Art. 6, 7, 8, 11, 16) generated as DOCX from the templates in `documents/`,
pre-filled from a case's data, and their signed copies kept.

Which task and which case page offers which document is `documents/catalog.yaml` (document_offers.py); the
filling in is document_render.py's. A generation is an audit event (`document_generated`, with the file's
SHA-256); the copy signed and sealed on paper comes back as a file of the case (`document_uploaded`), stored by
the attachments service.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ, now
from ..models import InboxTask, Instance, ProcessVersion, User
from .attachments import Upload, clean_name, store_upload
from .audit import append_events
from .document_catalog import catalog
from .document_names import Names
from .document_offers import case_offers, chosen_offer, task_offers
from .document_render import render
from .document_sources import case_data, directory_names, task_data
from .errors import Conflict, Forbidden, Invalid, NotFound
from .permissions import can_file_for_instance, require_view_instance
from .task_reading import may_see_draft

__all__ = [
    "DOCX_TYPE",
    "NO_NEW_PAPERS",
    "UPLOAD_FIELD",
    "Generated",
    "may_upload",
    "prepare_for_case",
    "prepare_for_task",
    "record_generation",
    "takes_papers",
    "upload_signed_copy",
]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UPLOAD_FIELD = "document:"  # the attachment's field: document:<key>
NO_NEW_PAPERS = "this case was terminated: it takes no new documents or sealed copies"


@dataclass(frozen=True)
class Generated:
    """A filled document, and the `document_generated` event that must be recorded before it is handed out."""

    filename: str
    data: bytes
    sha256: str
    instance_id: int
    event: dict[str, Any]  # the payload of its `document_generated` event


def _record(session: Session, user: User, row: Instance, kind: str, payload: dict[str, Any]) -> None:
    # populate_existing: the chain head as stored now, not as an earlier event of this session left the object
    query = select(Instance).where(Instance.id == row.id).with_for_update().execution_options(populate_existing=True)
    locked = session.scalar(query)
    version = session.get(ProcessVersion, row.version_id)
    assert locked is not None
    assert version is not None
    append_events(session, locked, [(kind, user.username, payload)], now(), version.content_hash)


def _prepare(
    row: Instance, key: str, data: dict[str, Any], unit: str | None, task: str | None, names: Names
) -> Generated:
    info = catalog()[key]
    body = render(key, data, unit, names, now().astimezone(LOCAL_TZ).date())
    digest = hashlib.sha256(body).hexdigest()
    payload = {"document": key, "title": info.title, "sha256": digest, "unit": unit, "task_id": task}
    suffix = f"-{names.units.get(unit, unit)}" if unit and info.per_unit else ""
    filename = clean_name(f"{info.title}{suffix}-{data.get('case_no') or data.get('document_no') or row.id}.docx")
    return Generated(filename, body, digest, row.id, payload)


def takes_papers(row: Instance) -> bool:
    """Whether the case still takes papers: a terminated case stopped outside the measures' course, so it has no
    document to prepare and no sealed copy to file; what it filed before stays readable."""
    return row.status != "terminated"


def _require_papers(row: Instance) -> None:
    if not takes_papers(row):
        raise Conflict(NO_NEW_PAPERS, case_status=row.status)


def record_generation(session: Session, user: User, made: Generated) -> None:
    """Append the `document_generated` event of a document prepared (and read) in another transaction."""
    row = session.get(Instance, made.instance_id)
    if row is None:
        raise NotFound("this case does not exist")
    _record(session, user, row, "document_generated", made.event)


def prepare_for_task(session: Session, user: User, task_id: str, key: str, unit: str | None = None) -> Generated:
    """A document the task offers, filled from the case and what the task holds (its draft, for those who may
    see it). Only reads: rendering takes tens of milliseconds, which a transaction holding SQLite's write lock
    would make every step wait for. Its event must be recorded (record_generation) before it is handed out."""
    task = session.get(InboxTask, task_id)
    if task is None:
        raise NotFound("this task does not exist")
    row = session.get(Instance, task.instance_id)
    assert row is not None
    require_view_instance(session, user, row)
    _require_papers(row)
    chosen = chosen_offer(task_offers(session, task), key, unit)
    data = case_data(row) | task_data(task, with_draft=may_see_draft(session, user, task))
    return _prepare(row, key, data, chosen.unit, task.id, directory_names(session))


def prepare_for_case(session: Session, user: User, instance_id: int, key: str, unit: str | None) -> Generated:
    """A document the case page offers, filled from the case's data (for `unit` where it is per unit). Only
    reads, as prepare_for_task."""
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound("this case does not exist")
    require_view_instance(session, user, row)
    _require_papers(row)
    chosen = chosen_offer(case_offers(session, row), key, unit)
    return _prepare(row, key, case_data(row), chosen.unit, None, directory_names(session))


def may_upload(user: User, row: Instance) -> bool:
    """The case's own units and the district roles file its signed copies; auditors and analysts only read."""
    return can_file_for_instance(user, row)


def upload_signed_copy(session: Session, user: User, instance_id: int, key: str, upload: Upload) -> str:
    """Keep the signed and sealed copy of a document as a file of the case; its SHA-256."""
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound("this case does not exist")
    require_view_instance(session, user, row)
    if not may_upload(user, row):
        raise Forbidden("you may not add files to this case")
    _require_papers(row)
    if key not in {o.key for o in case_offers(session, row)}:
        raise Invalid("choose which document this is", reason="document")
    stored = store_upload(session, row, user, upload, None, UPLOAD_FIELD + key)
    payload = {"document": key, "title": catalog()[key].title, "sha256": stored.sha256, "name": stored.name}
    _record(session, user, row, "document_uploaded", payload)
    return stored.sha256
