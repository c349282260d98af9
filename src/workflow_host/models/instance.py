"""Process instances, their stored state rows, and the inbox rows of their ready user tasks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime

__all__ = ["InboxCandidate", "InboxTask", "Instance", "InstanceStateRow"]


class Instance(Base):
    """A case: its version, status, revision (for lost races), current data and next timer."""

    __tablename__ = "instance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    process_id: Mapped[str] = mapped_column(String(128), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_version.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    case_no: Mapped[str | None] = mapped_column(String(128), index=True)
    meta_json: Mapped[str] = mapped_column(Text)
    data_json: Mapped[str] = mapped_column(Text)
    # what the case list filters by, kept by every save (services/case_keys.py): "\nkey\nkey\n", "" for none
    number_keys: Mapped[str] = mapped_column(Text, default="", server_default="")
    unit_keys: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    audit_head: Mapped[str] = mapped_column(String(64), default="0" * 64)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_instance_updated", "updated_at", "id"),)  # the case list, newest first


class InstanceStateRow(Base):
    """One task (`t:<id>`) or subprocess (`s:<id>`) of an instance's serialized state."""

    __tablename__ = "instance_state_row"

    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class InboxTask(Base):
    """A user task: `ready` ones make the inbox (an indexed query, not a scan of workflows); the rest
    (`completed`, `cancelled`) are the case's step history."""

    __tablename__ = "inbox_task"
    __table_args__ = (
        Index("ix_inbox_task_instance_status", "instance_id", "status"),
        Index("ix_inbox_task_status_due", "status", "due_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"))
    process_id: Mapped[str] = mapped_column(String(128))
    element_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str | None] = mapped_column(String(64))
    unit: Mapped[str | None] = mapped_column(String(64))  # the first of `units`
    # who the task is for, in full (services/case_keys.keys_text: "\nunit_a\nunit_b\n"): every unit of a joint
    # act, and every role when the case data gave it to several (the principal head or the head in charge)
    units: Mapped[str] = mapped_column(Text, default="", server_default="")
    roles: Mapped[str] = mapped_column(Text, default="", server_default="")
    case_no: Mapped[str | None] = mapped_column(String(128))
    claimed_by: Mapped[str | None] = mapped_column(String(64), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="ready")
    completed_by: Mapped[str | None] = mapped_column(String(64))
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    data_json: Mapped[str | None] = mapped_column(Text)  # the task's own data when it became ready
    draft_json: Mapped[str | None] = mapped_column(Text)  # form data saved as a draft, not yet submitted
    due_kind: Mapped[str | None] = mapped_column(String(16))  # "days" | "working_days" | "months" of its deadline
    due_provisional: Mapped[bool | None] = mapped_column(Boolean)  # computed before its year's holidays were known


class InboxCandidate(Base):
    """Who may take an inbox task: `u:<username>`, `r:<role>` or `ru:<role>@<unit>`."""

    __tablename__ = "inbox_candidate"
    __table_args__ = (Index("ix_inbox_candidate_key_task", "key", "task_id"),)

    task_id: Mapped[str] = mapped_column(ForeignKey("inbox_task.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(140), primary_key=True)
