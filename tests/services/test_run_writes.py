"""A step's writes sent together (one pipeline on PostgreSQL): all kept in order, or on an error none of them,
with the error SQLAlchemy raises for a single statement (so the web layer still answers 409)."""

from __future__ import annotations

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from workflow_host.db import Database, Write, run_writes, table_of
from workflow_host.models import Unit

UNITS = table_of(Unit)
RENAME = update(UNITS).where(UNITS.c.id == bindparam("unit_id")).values(name=bindparam("new_name"))


def _unit(unit_id: str) -> dict[str, str | None]:
    return {"id": unit_id, "name": unit_id, "kind": "department", "head": None, "supervisor": None}


def _names(database: Database) -> dict[str, str]:
    with database.transaction() as session:
        return {row.id: row.name for row in session.execute(select(UNITS.c.id, UNITS.c.name))}


def test_writes_are_kept_in_the_order_given(database: Database) -> None:
    writes: list[Write] = [
        (insert(UNITS), [_unit("a"), _unit("b")]),
        (RENAME, {"unit_id": "a", "new_name": "first"}),
        (RENAME, [{"unit_id": "a", "new_name": "second"}, {"unit_id": "b", "new_name": "bee"}]),
        (insert(UNITS).inline(), _unit("c")),
    ]
    with database.transaction() as session:
        run_writes(session, writes)
    assert _names(database) == {"a": "second", "b": "bee", "c": "c"}


def test_a_failing_write_keeps_none_of_them_and_raises_the_usual_error(database: Database) -> None:
    with database.transaction() as session:
        run_writes(session, [(insert(UNITS), _unit("a"))])
    writes: list[Write] = [
        (RENAME, {"unit_id": "a", "new_name": "changed"}),
        (insert(UNITS).inline(), _unit("b")),
        (insert(UNITS).inline(), _unit("a")),  # already there
        (insert(UNITS).inline(), _unit("c")),
    ]
    with pytest.raises(IntegrityError), database.transaction() as session:
        run_writes(session, writes)
    assert _names(database) == {"a": "a"}
