"""Pooled PostgreSQL connections that died (a database restart, a killed backend): checked before use when they
sat idle, and replaced after one failure when they were used a moment before."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.conftest import PG_URL
from workflow_host.db import Database


@pytest.fixture
def pg_url() -> str:
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL suite: set TEST_DATABASE_URL")
        pytest.skip("TEST_DATABASE_URL is not set")
    return PG_URL


@pytest.fixture
def name() -> str:
    return f"restart-test-{uuid.uuid4().hex[:12]}"


def _open(url: str, name: str, ping_after_idle: float) -> Database:
    return Database(url, ping_after_idle=ping_after_idle, connect_args={"application_name": name})


def _kill_backends(url: str, name: str) -> None:
    """What a database restart does to the pool's connections, to this test's connections only."""
    admin = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.begin() as conn:
            killed = conn.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :n"),
                {"n": name},
            ).scalar()
            assert killed == 1
        deadline = time.monotonic() + 10
        with admin.connect() as conn:
            query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :n")
            while conn.execute(query, {"n": name}).scalar() and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        admin.dispose()


def _answer(database: Database) -> int | None:
    with database.transaction() as session:
        return session.execute(text("SELECT 1")).scalar()


@pytest.fixture
def closing() -> Iterator[list[Database]]:
    opened: list[Database] = []
    yield opened
    for database in opened:
        database.dispose()


def test_a_connection_that_sat_idle_is_checked_and_replaced_without_a_failure(
    pg_url: str, name: str, closing: list[Database]
) -> None:
    database = _open(pg_url, name, ping_after_idle=0.2)
    closing.append(database)
    assert _answer(database) == 1
    _kill_backends(pg_url, name)
    time.sleep(0.3)
    assert _answer(database) == 1


def test_a_connection_used_a_moment_ago_fails_once_then_the_pool_reconnects(
    pg_url: str, name: str, closing: list[Database]
) -> None:
    database = _open(pg_url, name, ping_after_idle=60)
    closing.append(database)
    assert _answer(database) == 1
    _kill_backends(pg_url, name)
    with pytest.raises(OperationalError):  # the web layer answers 503 "try again shortly"
        _answer(database)
    assert _answer(database) == 1
