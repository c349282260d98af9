"""The long-lived parts one process shares: settings, database, holiday calendar, engine runtime."""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import Settings
from .db import Database
from .engine import Runtime
from .services.calendar import CalendarSource
from .services.deadlines import deadline_helpers
from .services.notices import NotificationSink

__all__ = ["Host"]


@dataclass
class Host:
    settings: Settings
    database: Database
    runtime: Runtime
    calendar: CalendarSource
    sinks: list[NotificationSink] = field(default_factory=list)

    @classmethod
    def create(cls, settings: Settings) -> Host:
        """The host for the database the settings name."""
        database = Database(settings.database_url, pool_size=settings.pool_size, max_overflow=settings.pool_overflow)
        return cls.on(settings, database)

    @classmethod
    def on(cls, settings: Settings, database: Database, live_instances: int = 256) -> Host:
        """The host for an open database: diagrams get the deadline helpers over its calendar."""
        calendar = CalendarSource(database.read_sessions)
        runtime = Runtime(helpers=deadline_helpers(calendar.current), live_instances=live_instances)
        return cls(settings, database, runtime, calendar)
