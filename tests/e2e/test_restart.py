"""A real server killed with SIGKILL between steps loses no acknowledged step; after a restart the case goes on."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
INTAKE = {"case_no": "(2026)蒙0205行初7号", "defendant": "unit", "defendant_unit": "land_bureau"}


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "workflow_host.cli", *args], env=env, check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd, self.port = env, cwd, _free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = [sys.executable, "-m", "workflow_host.cli", "serve", "--port", str(self.port), "--no-worker"]
        self.proc = subprocess.Popen(
            args, env=self.env, cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.call("GET", "/api/v1/openapi.json")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}", "SECRET_KEY": "e2e-secret"}
    _cli(env, "init-db")
    _cli(env, "directory", "load", str(FIXTURES / "directory.yaml"))
    _cli(env, "deploy", str(FIXTURES / "processes"), "--forms", str(FIXTURES / "forms"))
    srv = Server(env, tmp_path)
    srv.start()
    yield srv
    if srv.proc and srv.proc.poll() is None:
        srv.proc.terminate()
        srv.proc.wait(timeout=10)


def _token(server: Server, username: str, password: str) -> str:
    status, body = server.call("POST", "/api/v1/auth/token", {"username": username, "password": password})
    assert status == 200
    return str(body["token"])


def _complete(server: Server, token: str, name: str, data: dict[str, Any]) -> None:
    _, body = server.call("GET", "/api/v1/tasks", token=token)
    [task] = [t for t in body["tasks"] if t["name"] == name]
    status, result = server.call("POST", f"/api/v1/tasks/{task['id']}/complete", {"data": data}, token=token)
    assert status == 200, result


def test_a_killed_server_keeps_every_acknowledged_step(server: Server) -> None:
    clerk = _token(server, "clerk", "pw-clerk")
    status, case = server.call("POST", "/api/v1/instances", {"process_id": "six_steps"}, token=clerk)
    assert status == 201
    _complete(server, clerk, "intake", INTAKE)
    _complete(server, clerk, "check", {})

    server.kill()
    server.start()

    status, after = server.call("GET", f"/api/v1/instances/{case['id']}", token=clerk)
    assert status == 200
    assert [t["name"] for t in after["tasks"]] == ["review"]
    assert after["data"]["case_no"] == INTAKE["case_no"]
    _complete(server, _token(server, "jb_staff", "pw-jb"), "review", {})
    _complete(server, _token(server, "land_officer", "pw-land"), "prepare", {})
    _complete(server, _token(server, "director_wang", "pw-director"), "approve", {"approve_ok": True})
    _complete(server, clerk, "file", {})
    _, done = server.call("GET", f"/api/v1/instances/{case['id']}", token=clerk)
    assert done["status"] == "completed"
    status, verified = server.call("POST", f"/api/v1/instances/{case['id']}/verify", token=clerk)
    assert verified["ok"] is True
    _, events = server.call("GET", f"/api/v1/instances/{case['id']}/events", token=clerk)
    assert [e["type"] for e in events["events"]].count("task_completed") == 6
