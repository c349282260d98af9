"""A person's notifications: reminders and escalations addressed to them, their roles or their unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..engine import now
from ..models import Notification, User
from .assignment import keys_for_user
from .errors import NotFound

__all__ = ["list_notifications", "mark_read", "unread_notifications"]


def _view(row: Notification) -> dict[str, Any]:
    return {
        "id": row.id,
        "instance_id": row.instance_id,
        "kind": row.kind,
        "level": row.level,
        "message": row.message,
        "created_at": row.created_at.isoformat(),
        "read_at": row.read_at.isoformat() if row.read_at else None,
    }


def list_notifications(session: Session, user: User, limit: int = 100) -> list[dict[str, Any]]:
    """Newest first."""
    query = (
        select(Notification)
        .where(Notification.recipient.in_(keys_for_user(user)))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return [_view(row) for row in session.scalars(query)]


def unread_notifications(session: Session, user: User, limit: int = 10) -> list[Notification]:
    """The user's unread notifications, newest first, for the inbox page."""
    query = (
        select(Notification)
        .where(Notification.recipient.in_(keys_for_user(user)), Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_read(session: Session, user: User, notification_id: int) -> dict[str, Any]:
    """Mark one of the user's notifications read."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient not in keys_for_user(user):
        raise NotFound(f"notification {notification_id} does not exist")
    if row.read_at is None:
        session.execute(update(Notification).where(Notification.id == row.id).values(read_at=now()))
        session.refresh(row)
    return _view(row)
