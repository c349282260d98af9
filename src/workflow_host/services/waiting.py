"""What a running case waits for when no step of it is open: a timer (the hearing's, or another one the diagram
sets), read from the row's next due time the timer worker keeps, so that a list of cases need not load them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..engine import LOCAL_TZ
from ..models import Instance

__all__ = ["Waiting", "waiting_for"]


@dataclass(frozen=True)
class Waiting:
    """A timer the case waits on: `hearing` (hearing.bpmn's wait_for_hearing, due at `hearing_on`) or `timer`."""

    what: str
    at: datetime


def _instant(value: Any) -> datetime | None:
    """A stored date-time as an instant; one without an offset is Beijing time, as the timer reads it."""
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=LOCAL_TZ)


def waiting_for(row: Instance, data: dict[str, Any], open_steps: int) -> Waiting | None:
    """What the case waits for, when it runs, has no open step and a timer is due: the hearing when that timer
    is due at the hearing time, else an unnamed timer; None otherwise (a step is open, or nothing is awaited)."""
    if row.status != "running" or open_steps or row.next_due_at is None:
        return None
    due = row.next_due_at
    return Waiting("hearing" if _instant(data.get("hearing_on")) == due else "timer", due)
