"""Who may do what: one place for the rules the services enforce."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, InboxCandidate, InboxTask, Instance, Unit, User
from .assignment import keys_for_user
from .case_keys import SEPARATOR, whole
from .errors import Forbidden

__all__ = [
    "can_file_for_instance",
    "can_view_instance",
    "require_any_role",
    "require_view_instance",
    "visible_cases",
]

READ_ALL = {"auditor", "admin"}
# District-level roles that coordinate every response (Art. 3 ¶1: the justice bureau organises and guides the
# responses; the government office receives every notice and routes it; the heads sign off and appear).
DISTRICT_ROLES = {
    "gov_office",
    "office_deputy_director",
    "office_director",
    "executive_vice_head",
    "district_head",
    "justice_bureau",
    "justice_bureau_head",
}


def require_any_role(user: User, roles: set[str], action: str) -> None:
    """Forbidden unless the user holds one of `roles`."""
    if not user.role_names & roles:
        raise Forbidden(f"you may not {action}")


def _case_units(instance: Instance) -> set[str]:
    """The units a case concerns (case_keys.case_units), as its last save stored them."""
    return {unit for unit in (instance.unit_keys or "").split(SEPARATOR) if unit}


def _supervised(session: Session, user: User) -> set[str]:
    return set(session.scalars(select(Unit.id).where(Unit.supervisor == user.username)))


def can_view_instance(session: Session, user: User, instance: Instance) -> bool:
    """Auditors and admins see all; the district-level roles see every case; a unit's staff see the cases of
    their unit, a vice head the cases of the units they supervise; anyone sees a case they started, worked on,
    or may work on now (`visible_cases`, with the checks that need no query first)."""
    if user.role_names & (READ_ALL | DISTRICT_ROLES) or instance.created_by == user.username:
        return True
    units = _case_units(instance)
    if units and ((user.unit_id and user.unit_id in units) or units & _supervised(session, user)):
        return True
    rule = visible_cases(session, user)
    return rule is None or bool(session.scalar(select(exists().where(Instance.id == instance.id, rule))))


def visible_cases(session: Session, user: User) -> ColumnElement[bool] | None:
    """can_view_instance as a condition on the instance table, None for a user who sees every case; each part
    looks at the case's own rows (by the case's id), so a list read newest first stops when it is full."""
    if user.role_names & (READ_ALL | DISTRICT_ROLES):
        return None
    units = sorted(filter(None, {user.unit_id, *_supervised(session, user)}))
    candidate = select(InboxCandidate.task_id).join(InboxTask, InboxTask.id == InboxCandidate.task_id)
    return or_(
        Instance.created_by == user.username,
        *(Instance.unit_keys.contains(whole(unit), autoescape=True) for unit in units),
        exists().where(AuditEvent.instance_id == Instance.id, AuditEvent.actor == user.username),
        exists(candidate.where(InboxTask.instance_id == Instance.id, InboxCandidate.key.in_(keys_for_user(user)))),
    )


def can_file_for_instance(user: User, instance: Instance) -> bool:
    """Who may add the case's signed and sealed papers: the district roles that coordinate every response, and
    the staff of a unit the case concerns (not a unit that only helped with one step, nor readers)."""
    if user.role_names & DISTRICT_ROLES:
        return True
    return bool(user.unit_id and user.unit_id in _case_units(instance) and user.role_names - READ_ALL - {"analyst"})


def require_view_instance(session: Session, user: User, instance: Instance) -> None:
    if not can_view_instance(session, user, instance):
        raise Forbidden("you may not see this case")
