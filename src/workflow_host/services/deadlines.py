"""Statutory deadlines: the start day is not counted; a calendar-day period whose last day is a rest day
ends on the next working day; a working-day period counts working days (adjusted working days count,
holidays and weekends do not). A due date in a year the calendar does not know is provisional."""

from __future__ import annotations

import calendar as month_calendar
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ..engine import LOCAL_TZ
from .calendar import HolidayCalendar
from .errors import Invalid

__all__ = ["DEADLINE_KIND", "Deadline", "Period", "compute_deadline", "deadline_helpers", "parse_period"]

DEADLINE_KIND = "statutory_deadline"

_PERIOD = re.compile(r"^\s*(\d{1,4})\s*(d|wd|m)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A statutory period: `amount` of `unit` (`days`, `working_days` or `months`)."""

    amount: int
    unit: str

    def __str__(self) -> str:
        return {
            "days": f"{self.amount} 日",
            "working_days": f"{self.amount} 个工作日",
            "months": f"{self.amount} 个月",
        }[self.unit]


def parse_period(text: str | int, working_days: bool = False) -> Period:
    """`15` (days), `15d`, `5wd` (working days) or `6m` (months)."""
    match = _PERIOD.match(str(text))
    if match is None:
        raise Invalid(f"period '{text}' is not understood: use e.g. 15, 15d, 5wd or 6m")
    amount, suffix = int(match.group(1)), (match.group(2) or "d").lower()
    if amount <= 0:
        raise Invalid("a period must be at least 1")
    if suffix == "m":
        if working_days:
            raise Invalid("a period in months cannot count working days")
        return Period(amount, "months")
    return Period(amount, "working_days" if working_days or suffix == "wd" else "days")


@dataclass(frozen=True)
class Deadline:
    """A computed due date, with what it was computed from."""

    start: date
    period: Period
    due_on: date
    provisional: bool

    @property
    def due_at(self) -> datetime:
        """The end of the due day, Beijing time."""
        return datetime.combine(self.due_on, time(23, 59, 59), LOCAL_TZ)

    def as_data(self, calendar: HolidayCalendar, title: str = "") -> dict[str, Any]:
        """JSON-safe, for task data: the host records every value of this shape as a deadline of the case.

        `schedule`: when to remind (09:00 of the working day before), when it is missed (the end of the due
        day), and when to escalate further (09:00 of the first and second working days after)."""
        return {
            "kind": DEADLINE_KIND,
            "title": title,
            "start": self.start.isoformat(),
            "period": asdict(self.period),
            "rule": str(self.period),
            "due_on": self.due_on.isoformat(),
            "due_at": self.due_at.isoformat(),
            "provisional": self.provisional,
            "schedule": [at.isoformat() for at in self.schedule(calendar)],
        }

    def schedule(self, calendar: HolidayCalendar) -> list[datetime]:
        before = self.due_on - timedelta(days=1)
        while before > self.start and not calendar.is_working_day(before):
            before -= timedelta(days=1)
        first = calendar.next_working_day(self.due_on + timedelta(days=1))
        second = calendar.next_working_day(first + timedelta(days=1))
        nine = time(9, 0)
        return [
            datetime.combine(max(before, self.start), nine, LOCAL_TZ),
            self.due_at,
            datetime.combine(first, nine, LOCAL_TZ),
            datetime.combine(second, nine, LOCAL_TZ),
        ]


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, month_calendar.monthrange(year, month)[1]))


def compute_deadline(calendar: HolidayCalendar, start: date, period: Period) -> Deadline:
    """When `period` counted from `start` (not counted itself) ends."""
    if period.unit == "working_days":
        day, counted, seen = start, 0, {start.year}
        while counted < period.amount:
            day += timedelta(days=1)
            seen.add(day.year)
            counted += calendar.is_working_day(day)
    else:
        last = _add_months(start, period.amount) if period.unit == "months" else start + timedelta(days=period.amount)
        day = calendar.next_working_day(last)
        seen = {last.year, day.year}
    return Deadline(start, period, day, any(not calendar.knows(y) for y in seen))


def deadline_helpers(current: Any) -> dict[str, Any]:
    """Helpers for diagram scripts; `current()` returns the calendar in force."""

    def deadline(start: str, period: str | int, working_days: bool = False, title: str = "") -> dict[str, Any]:
        """The due date of a period from an ISO date, as task data (see Deadline.as_data)."""
        try:
            start_day = date.fromisoformat(str(start)[:10])
        except ValueError:
            raise Invalid(f"deadline(): '{start}' is not an ISO date") from None
        calendar = current()
        return compute_deadline(calendar, start_day, parse_period(period, working_days)).as_data(calendar, title)

    return {"deadline": deadline}
