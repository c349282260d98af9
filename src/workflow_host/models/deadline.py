"""Statutory deadlines of cases, and the notifications (reminders, escalations) they cause."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime

__all__ = ["CaseDeadline", "Notification"]


class CaseDeadline(Base):
    """One deadline of a case: what, from which day, by which rule, until when; open, met or missed."""

    __tablename__ = "case_deadline"
    __table_args__ = (UniqueConstraint("instance_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    key: Mapped[str] = mapped_column(String(128))
    variable: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[date] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(64))
    period_json: Mapped[str] = mapped_column(Text)
    schedule_json: Mapped[str] = mapped_column(Text)  # [remind_at, due_at, escalate to justice, to vice head]
    due_on: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    provisional: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    notice_level: Mapped[int] = mapped_column(Integer, default=0)
    next_notice_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Notification(Base):
    """A message for the people behind a candidate key (`u:`, `r:`, `ru:`), shown in their inbox."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient_created", "recipient", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("case_deadline.id"))
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[int] = mapped_column(Integer)
    recipient: Mapped[str] = mapped_column(String(140))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
