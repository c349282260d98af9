"""Files uploaded on tasks: stored once by content (SHA-256), linked to the cases they were uploaded to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime

__all__ = ["AttachmentBlob", "CaseAttachment"]


class AttachmentBlob(Base):
    """The bytes of a file, once, whoever uploaded it to whichever case."""

    __tablename__ = "attachment_blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CaseAttachment(Base):
    """A file of a case: its (cleaned) name, the task and form field it came from, who uploaded it when."""

    __tablename__ = "case_attachment"
    __table_args__ = (Index("ix_case_attachment_instance_sha", "instance_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    sha256: Mapped[str] = mapped_column(ForeignKey("attachment_blob.sha256"))
    name: Mapped[str] = mapped_column(String(200))
    task_id: Mapped[str | None] = mapped_column(String(36))
    field: Mapped[str | None] = mapped_column(String(200))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
