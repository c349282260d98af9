"""Shared helpers of the benchmarks: databases, a deployed Host, timing wrappers and tables."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, make_url, text

from workflow_host.config import Settings
from workflow_host.db import Database
from workflow_host.host import Host
from workflow_host.services import deployment, schema
from workflow_host.services.directory import load_directory

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/bench"
PASSWORDS = {
    "clerk": "pw-clerk",
    "director_wang": "pw-director",
    "jb_staff": "pw-jb",
    "land_officer": "pw-land",
}


def ensure_pg_database(url: str) -> None:
    """Create the benchmark database if it does not exist (connecting to the `postgres` database)."""
    target = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = target.database
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}) is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def fresh_database(kind: str, pg_url: str, tmp_dir: Path) -> Database:
    """An empty, migrated database: a new SQLite file, or the PG benchmark database with its schema reset."""
    if kind == "sqlite":
        database = Database(f"sqlite:///{tmp_dir / 'bench.sqlite3'}")
    else:
        ensure_pg_database(pg_url)
        database = Database(pg_url)
        with database.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    schema.init_db(database)
    return database


def deployed_host(
    database: Database, process_dir: Path, forms_dir: Path | None = None, live_instances: int = 256
) -> Host:
    """A Host like tests/conftest.py builds: the test directory loaded and `process_dir` deployed.

    `live_instances=0` turns off keeping cases warm between steps: every step loads from the database."""
    host = Host.on(Settings(database_url=database.url, secret_key="x" * 32), database, live_instances)
    with database.transaction() as session:
        load_directory(session, (FIXTURES / "directory.yaml").read_text(encoding="utf-8"))
        deployment.deploy(session, host.runtime, deployment.read_directory(process_dir, forms_dir), "bench")
    return host


class Timers:
    """Accumulated seconds per name; `patch` wraps a function or method so its calls are timed."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self._undo: list[Callable[[], None]] = []

    def patch(
        self, owner: Any, attr: str, label: str | None = None, after: Callable[[Any], None] | None = None
    ) -> None:
        original = owner.__dict__[attr] if isinstance(owner, type) else getattr(owner, attr)
        name = label or attr
        func = original.fget if isinstance(original, property) else original
        timers = self

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                result = func(*args, **kwargs)
            finally:
                timers.current[name] += time.perf_counter() - start
            if after is not None:
                after(result)
            return result

        setattr(owner, attr, property(wrapper) if isinstance(original, property) else wrapper)
        self._undo.append(lambda: setattr(owner, attr, original))

    def take(self) -> dict[str, float]:
        """The figures since the last take, and reset."""
        out, self.current = dict(self.current), defaultdict(float)
        return out

    def restore(self) -> None:
        while self._undo:
            self._undo.pop()()


class SqlCounter:
    """Counts the statements an engine sends, the time spent inside the DBAPI's execute, and the time the step
    waited on its database (`waits`): on PostgreSQL every wait of psycopg's (statements, pipelines and the commit,
    the round trips included), on SQLite every execute and the commit. `waits` patches psycopg for the whole
    process: one such counter at a time, and `close` it when done."""

    def __init__(self, engine: Any, waits: bool = False) -> None:
        self.count, self.seconds, self.waited = 0, 0.0, 0.0
        self._undo: list[Callable[[], None]] = []

        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn: Any, *_args: Any) -> None:
            conn.info["bench_t0"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn: Any, *_args: Any) -> None:
            spent = time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())
            self.count += 1
            self.seconds += spent
            if waits and engine.dialect.name != "postgresql":
                self.waited += spent

        if not waits:
            return
        if engine.dialect.name == "postgresql":
            import psycopg

            original_wait = psycopg.Connection.wait

            def wait(conn: Any, *args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return original_wait(conn, *args, **kwargs)
                finally:
                    self.waited += time.perf_counter() - start

            psycopg.Connection.wait = wait  # type: ignore[assignment,method-assign]
            self._undo.append(lambda: setattr(psycopg.Connection, "wait", original_wait))
        else:
            dialect, original_commit = engine.dialect, engine.dialect.do_commit

            def do_commit(dbapi_connection: Any) -> None:
                start = time.perf_counter()
                try:
                    original_commit(dbapi_connection)
                finally:
                    self.waited += time.perf_counter() - start

            dialect.do_commit = do_commit
            self._undo.append(lambda: setattr(dialect, "do_commit", original_commit))

    def take(self) -> tuple[int, float, float]:
        """Statements, DBAPI seconds and seconds waited on the database since the last take, and reset."""
        out = (self.count, self.seconds, self.waited)
        self.count, self.seconds, self.waited = 0, 0.0, 0.0
        return out

    def close(self) -> None:
        while self._undo:
            self._undo.pop()()


def pct(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain fixed-width table, first column left-aligned."""
    body = [[str(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    return "\n".join([fmt([str(h) for h in headers]), line, *(fmt(r) for r in body)])
