"""The one source of "now" for the engine: tests, the timer worker and replay set it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

__all__ = ["LOCAL_TZ", "Clock", "FixedClock", "SystemClock", "current_clock", "now", "use_clock"]

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current instant as an aware datetime."""
        ...


class SystemClock:
    """The wall clock; the only place that reads it."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stays where it is set: for tests, `tick --now` and replay."""

    def __init__(self, at: datetime) -> None:
        self.set(at)

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at


_SYSTEM = SystemClock()
_current: ContextVar[Clock | None] = ContextVar("workflow_host_clock", default=None)


def current_clock() -> Clock:
    """The clock in force in this context."""
    return _current.get() or _SYSTEM


def now() -> datetime:
    """The current instant according to the clock in force."""
    return current_clock().now()


@contextlib.contextmanager
def use_clock(clock: Clock) -> Iterator[Clock]:
    """Run a block with `clock` as the source of now."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)


class ClockedDatetime(datetime):
    """A datetime whose now() asks the clock in force; installed into SpiffWorkflow's timer module."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> ClockedDatetime:
        at = current_clock().now()
        local = at.astimezone(tz) if tz is not None else at.astimezone(LOCAL_TZ).replace(tzinfo=None)
        return cls.fromisoformat(local.isoformat())


def aware(at: datetime, tz: tzinfo = UTC) -> datetime:
    """Treat a naive datetime as local (Asia/Shanghai) time and return it in `tz`."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=LOCAL_TZ)
    return at.astimezone(tz)
