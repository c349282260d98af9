"""A step's writes sent together (one pipeline on PostgreSQL): all kept in order, or on an error none of them,
with the error SQLAlchemy raises for a single statement (so the web layer still answers 409)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, StatementError

from workflow_host.db import Database, Write, run_writes, table_of
from workflow_host.models import ApiToken, Unit, User

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


TOKENS, USERS = table_of(ApiToken), table_of(User)
BEIJING_EVENING = datetime(2026, 11, 28, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _token(token_hash: str, at: datetime) -> dict[str, Any]:
    return {"token_hash": token_hash, "username": "u", "created_at": at, "expires_at": at, "revoked_at": None}


def _user_and_tokens(*tokens: dict[str, Any]) -> list[Write]:
    user = {"username": "u", "name": "U", "password_hash": "x", "unit_id": None, "active": True}
    return [(insert(USERS), user), (insert(TOKENS).inline(), list(tokens))]


def test_values_are_stored_as_their_column_types_say(database: Database) -> None:
    """On PostgreSQL most writes go to the driver without SQLAlchemy's execution: their values must still pass
    through the columns' types (an aware time kept as its instant), and a statement with an IN list still works."""
    gone = delete(TOKENS).where(TOKENS.c.token_hash.in_(bindparam("hashes", expanding=True)))
    writes = [
        *_user_and_tokens(_token("kept", BEIJING_EVENING), _token("gone", BEIJING_EVENING)),
        (gone, {"hashes": ["gone", "never-there"]}),
    ]
    with database.transaction() as session:
        run_writes(session, writes)
    with database.transaction() as session:
        stored = session.execute(select(TOKENS.c.token_hash, TOKENS.c.created_at)).all()
    assert [row.token_hash for row in stored] == ["kept"]
    assert stored[0].created_at == BEIJING_EVENING
    assert stored[0].created_at.utcoffset() == timedelta(0)  # read back in UTC, as every column is


def test_a_value_its_type_refuses_is_sqlalchemys_error_and_keeps_nothing(database: Database) -> None:
    naive = datetime(2026, 11, 28, 20, 0)
    with pytest.raises(StatementError, match="naive datetime"), database.transaction() as session:
        run_writes(session, _user_and_tokens(_token("kept", BEIJING_EVENING), _token("naive", naive)))
    with database.transaction() as session:
        assert session.execute(select(TOKENS.c.token_hash)).all() == []
        assert session.execute(select(USERS.c.username)).all() == []
