"""China's working-day calendar: the maintained `chinesecalendar` package, plus years an administrator
loaded from a State Council notice (which take precedence). A year nobody knows is counted on weekends
only, and everything computed from it is marked provisional."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import yaml
from chinese_calendar import constants as packaged
from sqlalchemy import delete, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from ..engine import now
from ..models import CalendarDay, CalendarYear
from .errors import Invalid

log = logging.getLogger(__name__)

__all__ = [
    "CalendarSource",
    "HolidayCalendar",
    "YearDays",
    "calendar_as_of",
    "load_calendar_year",
    "parse_calendar_file",
]


@dataclass(frozen=True)
class YearDays:
    """One year's statutory holidays and adjusted working days (weekend days worked in lieu)."""

    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)


def _packaged_years() -> dict[int, YearDays]:
    years: dict[int, YearDays] = {}
    for day, name in packaged.holidays.items():
        years.setdefault(day.year, YearDays()).holidays[day] = str(name)
    for day, name in packaged.workdays.items():
        years.setdefault(day.year, YearDays()).workdays[day] = str(name)
    return years


class HolidayCalendar:
    """Which days are working days."""

    def __init__(self, loaded: dict[int, YearDays] | None = None) -> None:
        self._years = {**_packaged_years(), **(loaded or {})}

    def knows(self, year: int) -> bool:
        return year in self._years

    @property
    def years(self) -> list[int]:
        return sorted(self._years)

    def is_working_day(self, day: date) -> bool:
        """A working day: a weekday that is not a holiday, or a weekend day worked in lieu (调休)."""
        year = self._years.get(day.year)
        if year is not None:
            if day in year.workdays:
                return True
            if day in year.holidays:
                return False
        return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def parse_calendar_file(text: str) -> tuple[int, str, YearDays]:
    """Read a year's notice: `year`, `source`, `holidays` (name, from, to) and `workdays` (name, date)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise Invalid(f"calendar file is not valid YAML: {err}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("year"), int):
        raise Invalid("calendar file needs 'year' (e.g. 2027), 'source', 'holidays' and 'workdays'")
    year, source = doc["year"], str(doc.get("source") or "").strip()
    if not source:
        raise Invalid("calendar file needs 'source': the State Council notice it comes from")
    days = YearDays()
    for i, entry in enumerate(doc.get("holidays") or []):
        start, end = _date(entry, "from", f"holidays[{i}]"), _date(entry, "to", f"holidays[{i}]")
        if end < start:
            raise Invalid(f"holidays[{i}]: 'to' is before 'from'")
        day = start
        while day <= end:
            days.holidays[day] = str(entry.get("name") or "")
            day += timedelta(days=1)
    for i, entry in enumerate(doc.get("workdays") or []):
        day = _date(entry, "date", f"workdays[{i}]")
        if day.weekday() < 5:
            raise Invalid(f"workdays[{i}]: {day} is a weekday; adjusted working days are weekend days")
        days.workdays[day] = str(entry.get("name") or "")
    _check_year(year, days)
    return year, source, days


def _date(entry: Any, key: str, where: str) -> date:
    value = entry.get(key) if isinstance(entry, dict) else None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{where}: '{key}' must be a date like 2027-01-01") from None


def _check_year(year: int, days: YearDays) -> None:
    if not days.holidays:
        raise Invalid("calendar file lists no holidays")
    for day in [*days.holidays, *days.workdays]:
        if day.year != year:
            raise Invalid(f"{day} is not in {year}")
    both = sorted(set(days.holidays) & set(days.workdays))
    if both:
        raise Invalid(f"{both[0]} is listed both as a holiday and as a working day")


def load_calendar_year(session: Session, text: str, actor: str | None) -> tuple[int, int]:
    """Store (or replace) a year from its notice; returns (year, days stored)."""
    year, source, days = parse_calendar_file(text)
    session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    row = session.get(CalendarYear, year) or CalendarYear(year=year)
    row.source, row.loaded_at, row.loaded_by = source, now(), actor
    session.add(row)
    session.flush()
    for day, name in days.holidays.items():
        session.add(CalendarDay(day=day, year=year, kind="holiday", name=name))
    for day, name in days.workdays.items():
        session.add(CalendarDay(day=day, year=year, kind="workday", name=name))
    return year, len(days.holidays) + len(days.workdays)


def _loaded_years(session: Session) -> tuple[dict[int, YearDays], dict[int, datetime]]:
    loaded = {year: at for year, at in session.execute(select(CalendarYear.year, CalendarYear.loaded_at))}
    years: dict[int, YearDays] = {y: YearDays() for y in loaded}
    for row in session.scalars(select(CalendarDay)):
        target = years[row.year].holidays if row.kind == "holiday" else years[row.year].workdays
        target[row.day] = row.name
    return years, loaded


_as_of: ContextVar[datetime | None] = ContextVar("workflow_host_calendar_as_of", default=None)


@contextlib.contextmanager
def calendar_as_of(at: datetime) -> Iterator[None]:
    """Within this block the calendar in force is the one as it was at `at` (years loaded later are left
    out): what replaying a recorded step needs."""
    token = _as_of.set(at)
    try:
        yield
    finally:
        _as_of.reset(token)


class CalendarSource:
    """The calendar in force, re-read from the database at most every `ttl` seconds."""

    def __init__(self, open_session: Callable[[], Session], ttl: float = 60.0) -> None:
        self._open_session = open_session
        self._ttl = ttl
        self._lock = threading.Lock()
        self._calendar: HolidayCalendar | None = None
        self._years: dict[int, YearDays] = {}
        self._loaded_at: dict[int, datetime] = {}
        self._read_at = 0.0

    def current(self) -> HolidayCalendar:
        """The calendar in force (or, inside calendar_as_of, as it was then)."""
        with self._lock:
            if self._calendar is None or time.monotonic() - self._read_at > self._ttl:
                self._years, self._loaded_at = self._read()
                self._calendar = HolidayCalendar(self._years)
                self._read_at = time.monotonic()
            calendar = self._calendar
            at = _as_of.get()
            if at is None or all(when <= at for when in self._loaded_at.values()):
                return calendar
            return HolidayCalendar({y: d for y, d in self._years.items() if self._loaded_at[y] <= at})

    def invalidate(self) -> None:
        with self._lock:
            self._calendar = None

    def _read(self) -> tuple[dict[int, YearDays], dict[int, datetime]]:
        try:
            with self._open_session() as session:
                return _loaded_years(session)
        except (OperationalError, ProgrammingError) as err:
            # No schema yet (before init-db): the packaged calendar alone.
            log.warning("holiday calendar: loaded years unavailable (%s)", err.orig)
            return {}, {}
