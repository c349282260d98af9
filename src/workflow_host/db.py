"""Database engine and sessions, one per app."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Dialect, Engine, Executable, MetaData, Table, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

__all__ = ["READ_ONLY", "Base", "Database", "Write", "after_commit", "is_postgres", "run_writes", "table_of"]

READ_ONLY = "workflow_host_read_only"
_AFTER_COMMIT = "workflow_host_after_commit"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: type[Base]) -> Table:
    """A model's Core table, for the bulk statements of a step: they need none of the ORM's bookkeeping, which
    costs 2-4 times the statement itself (measured in bench/bench_steps.py)."""
    return cast(Table, model.__table__)


Write = tuple[Executable, dict[str, Any] | list[dict[str, Any]]]  # a statement and its parameters (a list: many rows)


def run_writes(session: Session, writes: Sequence[Write]) -> None:
    """Run write statements whose results nobody reads, in order, in the session's transaction.

    On PostgreSQL they are sent in one pipeline and waited for once: a step's writes cost one round trip
    instead of one each. Their rowcounts cannot be read (a check that needs one runs before), and an error
    surfaces at the end as the same SQLAlchemy exception a single statement would raise."""
    conn = session.connection()
    if conn.dialect.name != "postgresql" or len(writes) < 2:
        for statement, params in writes:
            conn.execute(statement, params)
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    dbapi_error = conn.dialect.loaded_dbapi.Error
    try:
        with driver.pipeline(), driver.cursor() as cursor:
            for statement, params in writes:
                _pipelined(conn, cursor, statement, params)
    except dbapi_error as err:  # raised when the pipeline syncs, outside SQLAlchemy's own handling
        raise DBAPIError.instance(None, None, err, dbapi_error, dialect=conn.dialect) from err


class _DriverForm(NamedTuple):
    """A statement compiled once for the driver, with the conversions of its parameters."""

    compiled: SQLCompiler
    processors: Mapping[str, Callable[[Any], Any]]


_DRIVER_FORMS: dict[tuple[int, frozenset[str]], tuple[Executable, _DriverForm | None]] = {}


def _driver_form(dialect: Dialect, statement: Executable, keys: frozenset[str]) -> _DriverForm | None:
    """The statement as the driver runs it with parameters named `keys`; None when SQLAlchemy must run it
    (parameters it expands or defaults it computes)."""
    cache_key = (id(statement), keys)
    cached = _DRIVER_FORMS.get(cache_key)
    if cached is not None and cached[0] is statement:
        return cached[1]
    if len(_DRIVER_FORMS) > 256:  # statements built per call: keep the cache bounded
        _DRIVER_FORMS.clear()
    assert isinstance(statement, ClauseElement)
    compiled = statement.compile(dialect=dialect, column_keys=sorted(keys))
    plain = (
        isinstance(compiled, SQLCompiler)
        and dialect.paramstyle == "pyformat"
        and not (
            compiled.literal_execute_params
            or compiled.post_compile_params
            or compiled.insert_prefetch
            or compiled.update_prefetch
            or compiled.returning
        )
    )
    form = None
    if plain:
        assert isinstance(compiled, SQLCompiler)
        names = compiled.escaped_bind_names
        processors = {
            names.get(bind.key, bind.key): process
            for bind in compiled.binds.values()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        form = _DriverForm(compiled, processors)
    _DRIVER_FORMS[cache_key] = (statement, form)
    return form


def _pipelined(
    conn: Connection, cursor: Any, statement: Executable, params: dict[str, Any] | list[dict[str, Any]]
) -> None:
    """Queue one write in the driver's pipeline: straight to the driver (SQLAlchemy's per-statement work costs
    about three times the driver's, docs/performance.md), or through SQLAlchemy when its form needs it."""
    rows = params if isinstance(params, list) else [params]
    keys = frozenset(rows[0]) if rows else frozenset()
    same = rows and all(frozenset(row) == keys for row in rows)
    form = _driver_form(conn.dialect, statement, keys) if same else None
    try:
        values = [_driver_params(form, row) for row in rows] if form else None
    except Exception:  # a value its type refuses: SQLAlchemy raises its own error for it
        values = None
    if form is None or values is None:
        conn.execute(statement, params)
        return
    if isinstance(params, list):
        cursor.executemany(form.compiled.string, values)
    else:
        cursor.execute(form.compiled.string, values[0])


def _driver_params(form: _DriverForm, row: dict[str, Any]) -> dict[str, Any]:
    values = dict(form.compiled.construct_params(row) or {})
    for name, process in form.processors.items():
        values[name] = process(values[name])
    return values


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the session's transaction has committed; forget it if the transaction, or the
    savepoint it was registered in, rolls back."""
    current = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_AFTER_COMMIT, []).append((current, callback))


def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: its work can still roll back with the transaction
        return
    for _transaction, callback in session.info.pop(_AFTER_COMMIT, ()):
        callback()


def _drop_rolled_back(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_AFTER_COMMIT)
    if pending:
        session.info[_AFTER_COMMIT] = [(t, c) for t, c in pending if not _inside(t, previous)]


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _sqlite_setup(engine: Engine) -> None:
    # pysqlite's own transaction handling is off so that every transaction is BEGIN IMMEDIATE:
    # writers queue on the database lock instead of failing with "database is locked" mid-step.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Reads that may run beside a step (the calendar, the inbox, lookups) must not queue behind its write lock:
        # a plain BEGIN reads the last commit in WAL mode. Such a transaction is made read-only, so that a write
        # slipped into one fails at once, in every test, instead of only when another writer happens to be busy.
        read_only = bool(conn.get_execution_options().get(READ_ONLY))
        info = conn.connection.info  # kept with the driver's connection, across checkouts
        if info.get("query_only", False) != read_only:
            conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
            info["query_only"] = read_only
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


PING_AFTER_IDLE = 1.0  # seconds a pooled PostgreSQL connection may sit unused before it is checked again


def _ping_when_idle(engine: Engine, after: float) -> None:
    """Check a pooled connection before use only when it sat unused for `after` seconds.

    A connection handed back a moment ago is alive, and checking it anyway costs a round trip on every request
    (SQLAlchemy's pre-ping). If the database restarts within that moment, the requests then in flight fail once
    with 503 and the pool reconnects (tests/services/test_database_restart.py)."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _rested(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is not None and time.monotonic() - since < after:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as err:
            raise DisconnectionError(f"a pooled connection was dead: {err}") from err  # the pool takes another


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str, ping_after_idle: float = PING_AFTER_IDLE, **engine_args: Any) -> None:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        if url.startswith("sqlite"):
            engine_args.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        else:
            engine_args.setdefault("pool_size", 10)
            engine_args.setdefault("max_overflow", 20)
        self.url = url
        self.engine = create_engine(url, **engine_args)
        if self.engine.dialect.name == "sqlite":
            _sqlite_setup(self.engine)
        elif not engine_args.get("pool_pre_ping"):
            _ping_when_idle(self.engine, ping_after_idle)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self.sessions, "after_commit", _run_after_commit)
        event.listen(self.sessions, "after_soft_rollback", _drop_rolled_back)
        reads = self.engine.execution_options(**{READ_ONLY: True})
        if self.engine.dialect.name == "postgresql":
            # READ COMMITTED takes a snapshot per statement anyway, so a read loses nothing by running each statement
            # on its own, and saves the BEGIN and COMMIT round trips (two of a case read's six).
            reads = reads.execution_options(isolation_level="AUTOCOMMIT")
        self.read_sessions = sessionmaker(reads, expire_on_commit=False, info={READ_ONLY: True})

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_transaction(self) -> Iterator[Session]:
        """A unit of work that only reads. On SQLite it does not wait for a step's write lock (it reads the last
        commit) and refuses any write ("attempt to write a readonly database"). On PostgreSQL reads never wait, and
        each statement runs on its own (autocommit), reading the last commit as it would in a READ COMMITTED
        transaction: several statements see no common snapshot, in either way."""
        with self.read_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
