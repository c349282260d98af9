"""Deployed process versions: immutable, keyed by the hash of their content."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime

__all__ = ["ProcessVersion", "VersionFile", "VersionProcess"]


class ProcessVersion(Base):
    """One deployed set of diagrams and forms; never changed after it is written."""

    __tablename__ = "process_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Not unique: restoring earlier diagrams makes a new version with an older one's content (and hash).
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str | None] = mapped_column(String(64))
    # Hundreds of KB for the measures' diagrams: read only when asked for by name, never with the row. Every
    # process parses them once per content hash (steps.spec_text, catalog.catalog_of).
    spec_json: Mapped[str] = mapped_column(Text, deferred=True)
    catalog_json: Mapped[str] = mapped_column(Text, deferred=True)


class VersionFile(Base):
    """A BPMN, DMN or form file as deployed in a version."""

    __tablename__ = "version_file"

    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(255), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class VersionProcess(Base):
    """A process defined in a version, for listing and for starting instances."""

    __tablename__ = "version_process"

    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(255))
    documentation: Mapped[str | None] = mapped_column(Text)
