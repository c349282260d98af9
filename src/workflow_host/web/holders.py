"""Who a task is for, as the pages name it: the unit whose staff do it, or the role of the person who does it.
A role is never shown where a unit is expected, and a unit a role's task concerns (the unit whose case a vice
district head signs for) is said to be that, not the one doing the task. A joint act's task is every unit's, and
a task given to several roles (the principal head or the head in charge) is each role's: all are named."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from flask_babel import get_locale

from ..services.case_keys import key_list
from .i18n import LANES

__all__ = ["Holder", "listed", "task_holder"]

HANDLING_UNIT = "handling_unit"
# Lanes whose tasks any staff of one fixed unit may do: that unit (in the directory under the lane's id) is the holder.
OFFICE_LANES = ("gov_office", "justice_bureau")


class HeldTask(Protocol):
    """An inbox row's columns that say who it is for (models.InboxTask)."""

    @property
    def lane(self) -> str | None: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def units(self) -> str: ...
    @property
    def roles(self) -> str: ...


@dataclass(frozen=True)
class Holder:
    """A task's holder: `unit` (units' names) or `role` (roles' names), and `concerns`, the units whose matter it is
    when they are not the holder."""

    unit: str = ""
    role: str = ""
    concerns: str = ""


def listed(names: Iterable[str]) -> str:
    """Names one after another: 甲、乙 in Chinese, "A, B" in English."""
    return ("、" if str(get_locale() or "zh").startswith("zh") else ", ").join(names)


def task_holder(task: HeldTask, unit_names: Mapping[str, str]) -> Holder:
    """The holder of an inbox row's task, by name."""
    units = key_list(task.units) or ([task.unit] if task.unit else [])
    roles = key_list(task.roles)
    named = listed(unit_names.get(unit, unit) for unit in units)
    lane = task.lane
    if len(roles) > 1:
        return Holder(role=listed(str(LANES.get(role, role)) for role in roles), concerns=named)
    if lane == HANDLING_UNIT or (units and lane not in LANES):
        return Holder(unit=named or str(LANES[HANDLING_UNIT]))
    if lane in OFFICE_LANES:
        own = unit_names.get(lane) or str(LANES[lane])
        return Holder(unit=own, concerns=listed(unit_names.get(u, u) for u in units if u != lane))
    if not lane:
        return Holder()
    return Holder(role=str(LANES.get(lane, lane)), concerns=named)
