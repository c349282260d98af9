"""The long-lived parts one process shares: settings, database, engine runtime."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .db import Database
from .engine import Runtime

__all__ = ["Host"]


@dataclass
class Host:
    settings: Settings
    database: Database
    runtime: Runtime

    @classmethod
    def create(cls, settings: Settings) -> Host:
        return cls(settings, Database(settings.database_url), Runtime())
