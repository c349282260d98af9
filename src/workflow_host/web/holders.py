"""Who a task is for, as the pages name it: the unit whose staff do it, or the role of the person who does it.
A role is never shown where a unit is expected, and a unit a role's task concerns (the unit whose case a vice
district head signs for) is said to be that, not the one doing the task."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .i18n import LANES

__all__ = ["Holder", "task_holder"]

HANDLING_UNIT = "handling_unit"
# Lanes whose tasks any staff of one fixed unit may do: that unit (in the directory under the lane's id) is the holder.
OFFICE_LANES = ("gov_office", "justice_bureau")


@dataclass(frozen=True)
class Holder:
    """A task's holder: `unit` (a unit's name) or `role` (a role's name), and `concerns`, the unit whose matter it is
    when that is not the holder."""

    unit: str = ""
    role: str = ""
    concerns: str = ""


def task_holder(lane: str | None, unit: str | None, unit_names: Mapping[str, str]) -> Holder:
    """The holder of a task of `lane` routed to `unit` (an inbox row's columns), by name."""
    unit_name = unit_names.get(unit, unit) if unit else ""
    if lane == HANDLING_UNIT or (unit and lane not in LANES):
        return Holder(unit=unit_name or str(LANES[HANDLING_UNIT]))
    if lane in OFFICE_LANES:
        own = unit_names.get(lane) or str(LANES[lane])
        return Holder(unit=own, concerns=unit_name if unit != lane else "")
    if not lane:
        return Holder()
    return Holder(role=str(LANES.get(lane, lane)), concerns=unit_name)
