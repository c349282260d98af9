"""A person's notifications: reminders and escalations addressed to them, their roles or their unit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from ..engine import now
from ..models import Instance, Notification, User
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


def _one_per_notice(rows: list[Notification], limit: int) -> list[Notification]:
    """A notice sent to several keys the user holds (the justice bureau's head holds both roles a level-2
    escalation goes to) is shown once: its unread row if any is unread."""
    kept: dict[tuple[int, int | None, int], Notification] = {}
    for row in rows:
        key = (row.instance_id, row.deadline_id, row.level)
        if key not in kept or (kept[key].read_at is not None and row.read_at is None):
            kept[key] = row
    return sorted(kept.values(), key=lambda r: (r.created_at, r.id), reverse=True)[:limit]


def _mine(user: User) -> Any:
    return select(Notification).where(Notification.recipient.in_(keys_for_user(user)))


def list_notifications(session: Session, user: User, limit: int = 100) -> list[dict[str, Any]]:
    """Newest first."""
    query = _mine(user).order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit * 3)
    return [_view(row) for row in _one_per_notice(list(session.scalars(query)), limit)]


def unread_notifications(session: Session, user: User, limit: int = 10) -> list[Notification]:
    """The user's unread notifications, newest first, for the inbox page (none of a terminated case: it asks
    nothing more of anyone; the list keeps them)."""
    query = (
        _mine(user)
        .where(Notification.read_at.is_(None))
        .where(~exists().where(Instance.id == Notification.instance_id, Instance.status == "terminated"))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit * 3)
    )
    return _one_per_notice(list(session.scalars(query)), limit)


def mark_read(session: Session, user: User, notification_id: int) -> dict[str, Any]:
    """Mark one of the user's notifications read."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient not in keys_for_user(user):
        raise NotFound(f"notification {notification_id} does not exist")
    if row.read_at is None:  # and the same notice's rows to the user's other keys (_one_per_notice)
        same = (
            Notification.recipient.in_(keys_for_user(user)),
            Notification.instance_id == row.instance_id,
            Notification.deadline_id == row.deadline_id if row.deadline_id is not None else Notification.id == row.id,
            Notification.level == row.level,
            Notification.read_at.is_(None),
        )
        session.execute(update(Notification).where(*same).values(read_at=now()))
        session.refresh(row)
    return _view(row)
