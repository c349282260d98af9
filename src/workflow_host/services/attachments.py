"""Evidence files uploaded on tasks: checked (size, type by content), stored once by SHA-256, linked to a case.

A form field holding an attachment has `"format": "attachment"` (a string, or an array of them); its value
is the SHA-256 of a file uploaded to the same case. Names are cleaned before they are stored, and a
download always goes out as an attachment with the type detected here, never as something a browser runs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import now
from ..models import AttachmentBlob, CaseAttachment, Instance, User
from .errors import Invalid, NotFound
from .permissions import require_view_instance

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "Upload",
    "attachment_fields",
    "case_attachments",
    "check_attachment_values",
    "clean_name",
    "detect_type",
    "read_attachment",
    "store_upload",
]

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")
# path and control characters, and the bidirectional controls that make "报告\u202efdp.exe" show as "报告exe.pdf"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]+')

# (magic prefix, content type, extensions the name may carry)
_KINDS: list[tuple[bytes, str, tuple[str, ...]]] = [
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"PK\x03\x04", "application/zip", (".docx", ".xlsx", ".pptx", ".ofd", ".zip")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage", (".doc", ".xls", ".ppt", ".wps")),
]
_OFFICE_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".ofd": "application/ofd",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".wps": "application/msword",
}
ALLOWED_EXTENSIONS = sorted({ext for _, _, exts in _KINDS for ext in exts} | {".txt"})


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name the browser sent and its bytes."""

    filename: str
    data: bytes


def clean_name(filename: str) -> str:
    """A safe display name: the last path part, no control or path characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        name = "file"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 120 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:120]
    return name


def detect_type(name: str, data: bytes) -> str:
    """The content type, judged by the bytes and the name together; Invalid for anything not allowed."""
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for magic, content_type, extensions in _KINDS:
        if data.startswith(magic):
            if ext not in extensions:
                raise Invalid(f"'{name}': the file's content does not match its extension", reason="mismatch")
            return _OFFICE_TYPES.get(ext, content_type)
    if ext == ".txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(f"'{name}': a .txt file must be UTF-8 text", reason="encoding") from None
        return "text/plain; charset=utf-8"
    if ext in ALLOWED_EXTENSIONS:  # named as a kind we take, but its bytes are none of them (a renamed file)
        raise Invalid(f"'{name}': the file's content does not match its extension", reason="mismatch")
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    raise Invalid(f"'{name}': this type of file is not accepted (allowed: {allowed})", reason="type")


def store_upload(
    session: Session, instance: Instance, user: User, upload: Upload, task_id: str | None, field: str | None
) -> CaseAttachment:
    """Check and store one uploaded file for a case (the bytes once, whatever the case)."""
    name = clean_name(upload.filename)
    if not upload.data:
        raise Invalid(f"'{name}' is empty", reason="empty")
    if len(upload.data) > MAX_ATTACHMENT_BYTES:
        raise Invalid(f"'{name}' is larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB", reason="too_large")
    content_type = detect_type(name, upload.data)
    digest = hashlib.sha256(upload.data).hexdigest()
    at = now()
    if session.get(AttachmentBlob, digest) is None:
        session.add(
            AttachmentBlob(
                sha256=digest, size=len(upload.data), content_type=content_type, data=upload.data, created_at=at
            )
        )
        session.flush()
    row = CaseAttachment(
        instance_id=instance.id,
        sha256=digest,
        name=name,
        task_id=task_id,
        field=field,
        uploaded_by=user.username,
        uploaded_at=at,
    )
    session.add(row)
    session.flush()
    return row


def attachment_fields(schema: Any, prefix: str = "") -> list[str]:
    """The JSON pointers (`/a/b`, with `*` for array items) of a form's attachment fields."""
    found: list[str] = []
    if not isinstance(schema, dict):
        return found
    if schema.get("format") == "attachment":
        return [prefix or "/"]
    for name, sub in (schema.get("properties") or {}).items():
        found += attachment_fields(sub, f"{prefix}/{name}")
    if isinstance(schema.get("items"), dict):
        found += attachment_fields(schema["items"], f"{prefix}/*")
    return found


def check_attachment_values(session: Session, instance_id: int, schema: Any, data: Any) -> list[dict[str, str]]:
    """Form errors for attachment values that are not files uploaded to this case."""
    errors: list[dict[str, str]] = []
    pointers = attachment_fields(schema)
    if not pointers:  # most forms: nothing to look up
        return errors
    known = set(session.scalars(select(CaseAttachment.sha256).where(CaseAttachment.instance_id == instance_id)))
    for pointer in pointers:
        for field, value in _pointed(data, pointer):
            if isinstance(value, str) and (not _SHA.match(value) or value not in known):
                path = pointer.replace("/*", "")
                errors.append({"path": path, "field": field, "message": "not a file uploaded to this case"})
                errors[-1]["kind"] = "attachment"
    return errors


def _pointed(data: Any, pointer: str) -> list[tuple[str, Any]]:
    """(the pointer of each value, the value) a pointer with `*` for every item reaches: `/evidence/0/file`."""
    found = [("", data)]
    for part in (p for p in pointer.split("/") if p):
        if part == "*":
            found = [(f"{at}/{i}", v) for at, value in found if isinstance(value, list) for i, v in enumerate(value)]
        else:
            found = [(f"{at}/{part}", value[part]) for at, value in found if isinstance(value, dict) and part in value]
    return found


def case_attachments(session: Session, instance_id: int) -> list[dict[str, Any]]:
    """The files of a case, newest first, as the case page lists them."""
    rows = session.execute(
        select(CaseAttachment, AttachmentBlob.size, AttachmentBlob.content_type)
        .join(AttachmentBlob, AttachmentBlob.sha256 == CaseAttachment.sha256)
        .where(CaseAttachment.instance_id == instance_id)
        .order_by(CaseAttachment.uploaded_at.desc(), CaseAttachment.id.desc())
    )
    return [
        {
            "id": row.id,
            "sha256": row.sha256,
            "name": row.name,
            "size": size,
            "content_type": content_type,
            "task_id": row.task_id,
            "field": row.field,
            "uploaded_by": row.uploaded_by,
            "uploaded_at": row.uploaded_at,
        }
        for row, size, content_type in rows
    ]


def read_attachment(session: Session, user: User, instance_id: int, attachment_id: int) -> tuple[str, str, bytes]:
    """(name, content type, bytes) of one file of a case, for someone who may see the case."""
    row = session.get(CaseAttachment, attachment_id)
    instance = session.get(Instance, instance_id)
    if row is None or instance is None or row.instance_id != instance_id:
        raise NotFound("this file does not exist")
    require_view_instance(session, user, instance)
    blob = session.get(AttachmentBlob, row.sha256)
    assert blob is not None
    return row.name, blob.content_type, blob.data
