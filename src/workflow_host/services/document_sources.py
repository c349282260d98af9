"""What a document is filled from: a case's data, a task's (with its draft for those who may see it), the unit a
task's documents are for, and the names of the directory's units, their heads (with their posts) and the district
head."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import InboxTask, Instance, Unit, User, UserRole
from .document_names import Names

__all__ = ["case_data", "directory_names", "task_data", "task_unit"]


def case_data(row: Instance) -> dict[str, Any]:
    """The case's data."""
    data = json.loads(row.data_json or "{}")
    return data if isinstance(data, dict) else {}


def task_data(task: InboxTask, with_draft: bool) -> dict[str, Any]:
    """What the task holds, with its saved draft on top when `with_draft`."""
    merged: dict[str, Any] = {}
    for raw in (task.data_json, task.draft_json if with_draft else None):
        value = json.loads(raw or "{}")
        merged |= value if isinstance(value, dict) else {}
    return merged


def task_unit(task: InboxTask, data: dict[str, Any]) -> str | None:
    """The unit whose documents a task's page offers: the one its data names, else the task's own."""
    if task.element_id == "prepare_reconsideration_part":
        return "justice_bureau"
    for name in ("unit", "arranging_unit", "reviewed_unit"):
        if isinstance(data.get(name), str):
            return str(data[name])
    return task.unit


def directory_names(session: Session) -> Names:
    """The units' names, their heads' names and posts, and the district head's (when there is exactly one)."""
    units = list(session.scalars(select(Unit)))
    heads = {u.head for u in units if u.head}
    people = {u.username: u for u in session.scalars(select(User).where(User.username.in_(heads)))}
    headed = {u.id: people[u.head] for u in units if u.head in people}
    district = select(User).join(UserRole).where(UserRole.role == "district_head", User.active.is_(True))
    found = session.scalars(district.limit(2)).all()
    head = found[0] if len(found) == 1 else None  # one district head: the government's legal representative
    return Names(
        {u.id: u.name for u in units},
        {unit: person.name for unit, person in headed.items()},
        head.name if head else None,
        {unit: person.position for unit, person in headed.items() if person.position},
        head.position if head else None,
    )
