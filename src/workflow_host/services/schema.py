"""Create or migrate the database schema with Alembic (idempotent)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from ..db import Database

__all__ = ["init_db"]

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def init_db(database: Database) -> None:
    """Bring the schema to the newest migration."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
