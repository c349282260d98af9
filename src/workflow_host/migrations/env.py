"""Alembic environment: runs on the connection the host hands over (see services/schema.py)."""

from __future__ import annotations

from alembic import context

from workflow_host import models  # noqa: F401  (registers the tables)
from workflow_host.db import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
