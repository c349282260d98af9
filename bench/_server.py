"""A real deployment for the over-HTTP benchmarks: a prepared database, gunicorn, timer workers and a small client.

Used by bench_http.py and load_faults.py. Nothing here is imported by the app.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from _common import FIXTURES, PASSWORDS, ROOT, ensure_pg_database
from sqlalchemy import text

from workflow_host.config import Settings
from workflow_host.db import Database
from workflow_host.host import Host
from workflow_host.services import deployment, schema
from workflow_host.services.directory import load_directory

DEFAULT_HTTP_PG_URL = "postgresql://postgres@127.0.0.1:5432/bench_http"
PROTECTED = {"test", "bench", "postgres"}  # databases these scripts must never reset


def reset_database(url: str) -> None:
    """An empty, migrated database: the SQLite file removed, or the PG database's `public` schema recreated."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        name = url.rsplit("/", 1)[-1].split("?")[0]
        if name in PROTECTED:
            raise SystemExit(f"refusing to reset database '{name}': give a database of its own")
        ensure_pg_database(url)
    database = Database(url)
    try:
        if not url.startswith("sqlite"):
            with database.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        schema.init_db(database)
    finally:
        database.dispose()


def prepare_database(url: str, measures: bool = False) -> None:
    """Reset the database, load the test directory and deploy the test fixtures (and `processes/` if `measures`)."""
    reset_database(url)
    database = Database(url)
    runtime = Host.on(Settings(database_url=url, secret_key="x" * 32), database).runtime
    bundles = [(FIXTURES / "processes", FIXTURES / "forms")]
    if measures:
        bundles.append((ROOT / "processes", ROOT / "forms"))
    try:
        with database.transaction() as session:
            load_directory(session, (FIXTURES / "directory.yaml").read_text(encoding="utf-8"))
        for process_dir, forms_dir in bundles:
            with database.transaction() as session:
                deployment.deploy(session, runtime, deployment.read_directory(process_dir, forms_dir), "bench")
    finally:
        database.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(url: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-http-secret-key-0123456789abcdef"}


class Processes:
    """gunicorn with `workers` web workers and `timer_workers` `workflow-host worker` processes, each in its own
    process group so that one SIGKILL takes a whole server down (master and workers) the way a crash does."""

    def __init__(
        self, url: str, workers: int = 2, timer_workers: int = 0, interval: float = 0.5, threads: int = 1
    ) -> None:
        self.env = server_env(url)
        self.workers, self.timer_workers, self.interval = workers, timer_workers, interval
        self.threads = threads  # > 1: gthread workers, as deploy/gunicorn.conf.py runs them
        self.port = free_port()
        self.procs: list[subprocess.Popen[bytes]] = []
        self.log = tempfile.NamedTemporaryFile(prefix="bench-http-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self, timeout: float = 60) -> None:
        gunicorn = [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}"]
        if self.threads > 1:
            gunicorn += ["-k", "gthread", "--threads", str(self.threads)]
        gunicorn += ["--log-level", "warning", "--timeout", "120", "workflow_host:create_app()"]
        self.procs = [self._spawn(gunicorn)]
        for _ in range(self.timer_workers):
            self._spawn_worker()
        self.wait_ready(timeout)

    def _spawn_worker(self) -> None:
        self.procs.append(
            self._spawn([sys.executable, "-m", "workflow_host.cli", "worker", "--interval", str(self.interval)])
        )

    def _spawn(self, args: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(args, env=self.env, cwd=ROOT, stdout=self.log, stderr=self.log, start_new_session=True)

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs[0].poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.procs[0].returncode}; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f}s; see {self.log.name}")

    def sessions(self) -> set[int]:
        """The session ids of the server's processes (each was started in a session of its own)."""
        return {proc.pid for proc in self.procs}

    def kill(self) -> None:
        """SIGKILL every process group: no shutdown, no flush, nothing finished."""
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs:
            proc.wait(timeout=30)

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run `workflow-host ARGS` against the same database."""
        return subprocess.run(
            [sys.executable, "-m", "workflow_host.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(sessions: set[int]) -> dict[str, float]:
    """CPU time (user + system) used so far by this process (`client`), by the processes of the given sessions
    (`server`: gunicorn with its workers, timer workers) and by every `postgres` process (`database`)."""
    used = {"client": time.process_time(), "server": 0.0, "database": 0.0}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            line = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name, fields = line[line.index("(") + 1 : line.rindex(")")], line[line.rindex(")") + 2 :].split()
        ticks = (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
        if int(fields[3]) in sessions:
            used["server"] += ticks
        elif name == "postgres":
            used["database"] += ticks
    return used


class Client:
    """One keep-alive HTTP connection (reopened when the server closes it); JSON in, JSON out.

    `call` returns (status, body, seconds); status 0 means no answer (connection refused, reset or timed out)."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 60) -> None:
        self.port, self.token, self.timeout = port, token, timeout
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any, float]:
        headers = {"Content-Type": "application/json"}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        payload = json.dumps(body).encode() if body is not None else None
        start = time.perf_counter()
        try:
            self.conn.request(method, f"/api/v1{path}", body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            return 0, None, time.perf_counter() - start
        elapsed = time.perf_counter() - start
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode(errors="replace")
        return response.status, parsed, elapsed

    def close(self) -> None:
        self.conn.close()


def sign_in(port: int, users: list[str]) -> dict[str, str]:
    """A bearer token for each user (passwords of tests/fixtures/directory.yaml)."""
    directory = yaml.safe_load((FIXTURES / "directory.yaml").read_text(encoding="utf-8"))
    passwords = {**{u["username"]: u["password"] for u in directory["users"]}, **PASSWORDS}
    client = Client(port)
    tokens = {}
    try:
        for user in users:
            status, body, _ = client.call("POST", "/auth/token", {"username": user, "password": passwords[user]})
            if status != 200:
                raise RuntimeError(f"sign-in of {user} failed: {status} {body}")
            tokens[user] = str(body["token"])
    finally:
        client.close()
    return tokens
