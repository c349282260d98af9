"""The append-only audit log: one hash chain per instance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime

__all__ = ["AuditEvent"]


class AuditEvent(Base):
    """An event of an instance; database triggers refuse UPDATE and DELETE."""

    __tablename__ = "audit_event"
    # by (actor, instance_id): the cases a person worked on, read from the index alone (services/permissions.py)
    __table_args__ = (
        UniqueConstraint("instance_id", "seq"),
        Index("ix_audit_event_actor_instance", "actor", "instance_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))  # indexed by (instance_id, seq)
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40), index=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    version_hash: Mapped[str] = mapped_column(String(64))
    payload_json: Mapped[str] = mapped_column(Text)
    state_hash: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
