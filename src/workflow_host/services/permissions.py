"""Who may do what: one place for the rules the services enforce."""

from __future__ import annotations

import json

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..models import AuditEvent, InboxCandidate, InboxTask, Instance, Unit, User
from .assignment import keys_for_user
from .errors import Forbidden

__all__ = ["can_file_for_instance", "can_view_instance", "require_any_role", "require_view_instance"]

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
UNIT_NAMES = ("handling_units", "defendant_unit", "acting_units", "entrusting_unit", "successor_unit")


def require_any_role(user: User, roles: set[str], action: str) -> None:
    """Forbidden unless the user holds one of `roles`."""
    if not user.role_names & roles:
        raise Forbidden(f"you may not {action}")


def _case_units(instance: Instance) -> set[str]:
    """The units a case concerns, from its data: the handling units, the defendant and acting units."""
    try:
        data = json.loads(instance.data_json)
    except ValueError:
        return set()
    found: set[str] = set()
    for name in UNIT_NAMES:
        value = data.get(name) if isinstance(data, dict) else None
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, list):
            found.update(v for v in value if isinstance(v, str))
    return found


def _supervised(session: Session, user: User) -> set[str]:
    return set(session.scalars(select(Unit.id).where(Unit.supervisor == user.username)))


def can_view_instance(session: Session, user: User, instance: Instance) -> bool:
    """Auditors and admins see all; the district-level roles see every case; a unit's staff see the cases of
    their unit, a vice head the cases of the units they supervise; anyone sees a case they started, worked on,
    or may work on now."""
    if user.role_names & (READ_ALL | DISTRICT_ROLES) or instance.created_by == user.username:
        return True
    units = _case_units(instance)
    if units and ((user.unit_id and user.unit_id in units) or units & _supervised(session, user)):
        return True
    worked = session.scalar(
        select(exists().where(AuditEvent.instance_id == instance.id, AuditEvent.actor == user.username))
    )
    if worked:
        return True
    candidate = select(InboxCandidate.task_id).join(InboxTask, InboxTask.id == InboxCandidate.task_id)
    candidate = candidate.where(InboxTask.instance_id == instance.id, InboxCandidate.key.in_(keys_for_user(user)))
    return session.scalar(select(exists(candidate))) or False


def can_file_for_instance(user: User, instance: Instance) -> bool:
    """Who may add the case's signed and sealed papers: the district roles that coordinate every response, and
    the staff of a unit the case concerns (not a unit that only helped with one step, nor readers)."""
    if user.role_names & DISTRICT_ROLES:
        return True
    return bool(user.unit_id and user.unit_id in _case_units(instance) and user.role_names - READ_ALL - {"analyst"})


def require_view_instance(session: Session, user: User, instance: Instance) -> None:
    if not can_view_instance(session, user, instance):
        raise Forbidden("you may not see this case")
