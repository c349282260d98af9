"""URL converters: a row id in a path is a database integer, so a longer number is simply not found."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

__all__ = ["RowId", "init_app"]

MAX_ROW_ID = 2**63 - 1  # the largest integer SQLite and PostgreSQL's bigint hold


class RowId(IntegerConverter):
    """`<int:…>` limited to what a database column holds: /cases/99999999999999999999999 is a 404, not a
    database overflow."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Make every `<int:…>` of the app a RowId; call before the blueprints are registered."""
    app.url_map.converters["int"] = RowId
