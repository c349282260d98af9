"""Who may do what: one place for the rules the services enforce."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, InboxCandidate, InboxTask, Instance, User
from .assignment import keys_for_user
from .errors import Forbidden

__all__ = ["can_view_instance", "require_any_role", "require_view_instance"]

READ_ALL = {"auditor", "admin"}


def require_any_role(user: User, roles: set[str], action: str) -> None:
    """Forbidden unless the user holds one of `roles`."""
    if not user.role_names & roles:
        raise Forbidden(f"you may not {action}")


def can_view_instance(session: Session, user: User, instance: Instance) -> bool:
    """Auditors and admins see all; others see cases they started, worked on, or may work on now."""
    if user.role_names & READ_ALL or instance.created_by == user.username:
        return True
    worked = session.scalar(
        select(exists().where(AuditEvent.instance_id == instance.id, AuditEvent.actor == user.username))
    )
    if worked:
        return True
    candidate = select(InboxCandidate.task_id).join(InboxTask, InboxTask.id == InboxCandidate.task_id)
    candidate = candidate.where(InboxTask.instance_id == instance.id, InboxCandidate.key.in_(keys_for_user(user)))
    return session.scalar(select(exists(candidate))) or False


def require_view_instance(session: Session, user: User, instance: Instance) -> None:
    if not can_view_instance(session, user, instance):
        raise Forbidden("you may not see this case")
