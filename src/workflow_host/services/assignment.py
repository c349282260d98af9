"""Who may take a user task: a lane is a role; the handling-unit lane goes to the units in the case data."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import UserTaskInfo
from ..models import InboxCandidate, Unit, User, UserRole

__all__ = ["Candidates", "candidates_for", "keys_for_user", "unreachable_tasks"]

HANDLING_UNIT = "handling_unit"
VICE_HEAD = "vice_head_in_charge"
ADMIN = "admin"


class Candidates:
    """The candidate keys of a task, and who it is for: its units (every unit of a joint act, in the case data's
    order) and roles (every role it was given to)."""

    def __init__(
        self, keys: set[str], units: list[str], lane: str | None = None, roles: list[str] | None = None
    ) -> None:
        self.keys = keys
        self.units = units
        self.unit = units[0] if units else None  # the one a list sorts by
        self.lane = lane  # the role the task was given to, when the case data chose a single one
        self.roles = roles or ([lane] if lane else [])


def _names(value: Any) -> list[str]:
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def candidates_for(session: Session, info: UserTaskInfo | None, data: dict[str, Any]) -> Candidates:
    """Candidate keys: `u:<user>`, `r:<role>` or `ru:<role>@<unit>`."""
    if info is None:
        return Candidates({f"r:{ADMIN}"}, [])
    users = _names(data.get(info.candidate_users_variable)) if info.candidate_users_variable else []
    # The handling units' own staff, and the vice heads supervising them, work on the case's handling units.
    default_units = "handling_units" if info.lane in (HANDLING_UNIT, VICE_HEAD) else None
    units_var = info.candidate_units_variable or default_units
    units = list(dict.fromkeys(_names(data.get(units_var)))) if units_var else []
    if users:
        return Candidates({f"u:{u}" for u in users}, units, roles=[info.lane] if info.lane else [])
    # candidateRolesVariable: the role(s) come from the case data (e.g. each signer of a sign-off chain)
    roles = _names(data.get(info.candidate_roles_variable)) if info.candidate_roles_variable else []
    roles = roles or ([info.lane] if info.lane else [])
    if not roles:
        return Candidates({f"r:{ADMIN}"}, units)
    roles = list(dict.fromkeys(roles))
    keys: set[str] = set()
    for role in roles:
        keys |= _role_keys(session, role, units)
    return Candidates(keys, units, roles[0] if len(roles) == 1 else info.lane, roles)


def _role_keys(session: Session, role: str, units: list[str]) -> set[str]:
    """Who holds a role for the given units: the vice head supervising them, the handling unit's own staff,
    or (district-level roles: the office, its directors, the heads, the justice bureau) anyone with the role."""
    if role == VICE_HEAD and units:
        supervisors = {s for s in session.scalars(select(Unit.supervisor).where(Unit.id.in_(units))) if s}
        if supervisors:
            return {f"u:{s}" for s in supervisors}
    if role == HANDLING_UNIT and units:
        return {f"ru:{role}@{u}" for u in units}
    return {f"r:{role}"}


def keys_for_user(user: User) -> list[str]:
    """Every candidate key that matches `user`."""
    roles: Iterable[str] = sorted(user.role_names)
    keys = [f"u:{user.username}"]
    for role in roles:
        keys.append(f"r:{role}")
        if user.unit_id:
            keys.append(f"ru:{role}@{user.unit_id}")
    return keys


def unreachable_tasks(session: Session, task_ids: Iterable[str]) -> set[str]:
    """The tasks among `task_ids` that no active user of the directory may take (a unit with nobody holding the
    lane's role, a user who left): they are in nobody's inbox, and the case page says so before a deadline is
    missed."""
    keys: dict[str, set[str]] = {}
    for task_id, key in session.execute(
        select(InboxCandidate.task_id, InboxCandidate.key).where(InboxCandidate.task_id.in_(list(task_ids)))
    ):
        keys.setdefault(task_id, set()).add(key)
    reachable: dict[str, bool] = {}
    for key in {k for found in keys.values() for k in found}:
        active = select(User.username).where(User.active)
        kind, _, rest = key.partition(":")
        if kind == "u":
            query = active.where(User.username == rest)
        elif kind == "r":
            query = active.join(UserRole).where(UserRole.role == rest)
        elif kind == "ru":
            role, _, unit = rest.partition("@")
            query = active.join(UserRole).where(UserRole.role == role, User.unit_id == unit)
        else:
            reachable[key] = False
            continue
        reachable[key] = session.scalar(query.limit(1)) is not None
    return {task_id for task_id in task_ids if not any(reachable.get(k) for k in keys.get(task_id, ()))}
