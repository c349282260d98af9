"""Shared fixtures: a real database (SQLite always, PostgreSQL through TEST_DATABASE_URL), the app, API clients."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from workflow_host import create_app
from workflow_host.config import Settings
from workflow_host.db import Database
from workflow_host.host import Host
from workflow_host.services import deployment, schema
from workflow_host.services.directory import load_directory

FIXTURES = Path(__file__).parent / "fixtures"
PG_URL = os.environ.get("TEST_DATABASE_URL")
TABLES = [
    "case_attachment",
    "attachment_blob",
    "inbox_candidate",
    "inbox_task",
    "instance_state_row",
    "audit_event",
    "instance",
    "version_process",
    "version_file",
    "process_version",
    "api_token",
    "trusted_device",
    "login_failure",
    "user_role",
    "user_account",
    "unit",
    "calendar_day",
    "calendar_year",
]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[Database | None]:
    if not PG_URL:
        yield None
        return
    database = Database(PG_URL)
    with database.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    schema.init_db(database)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path, pg_database: Database | None) -> Iterator[Database]:
    if request.param == "postgresql":
        if pg_database is None:
            if os.environ.get("CI"):
                pytest.fail("CI must run the PostgreSQL suite: set TEST_DATABASE_URL")
            pytest.skip("TEST_DATABASE_URL is not set")
        with pg_database.engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        yield pg_database
        return
    database = Database(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    schema.init_db(database)
    yield database
    database.dispose()


@pytest.fixture
def host(database: Database) -> Host:
    settings = Settings(database_url=database.url, secret_key="x" * 32)
    host = Host.on(settings, database)
    with database.transaction() as session:
        load_directory(session, (FIXTURES / "directory.yaml").read_text(encoding="utf-8"))
    return host


@pytest.fixture
def deployed(host: Host) -> Host:
    files = deployment.read_directory(FIXTURES / "processes", FIXTURES / "forms")
    with host.database.transaction() as session:
        deployment.deploy(session, host.runtime, files, "test")
    return host


@pytest.fixture
def measures(host: Host) -> Host:
    """The host with the real diagrams and forms of processes/ and forms/ deployed."""
    root = FIXTURES.parent.parent
    with host.database.transaction() as session:
        deployment.deploy(session, host.runtime, deployment.read_directory(root / "processes", root / "forms"), "test")
    return host


@pytest.fixture
def measures_api(measures: Host) -> Any:
    """Sign in to the app serving the real diagrams: `measures_api("clerk")`."""
    client = create_app({"TESTING": True, "HOST": measures}).test_client()
    return lambda username: Api(client, username, PASSWORDS[username])


@pytest.fixture
def app(deployed: Host) -> Flask:
    return create_app({"TESTING": True, "HOST": deployed})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """A signed-in API user."""

    def __init__(self, client: FlaskClient, username: str, password: str) -> None:
        self.client = client
        response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(f"/api/v1{path}", json=json, headers=self.headers, **kwargs)


PASSWORDS = {
    "clerk": "pw-clerk",
    "director_wang": "pw-director",
    "zhao": "pw-zhao",
    "jb_staff": "pw-jb",
    "land_officer": "pw-land",
    "town_officer": "pw-town",
    "li_vice": "pw-li",
    "analyst": "pw-analyst",
    "auditor": "pw-auditor",
    "office_deputy": "pw-deputy",
    "exec_vice": "pw-exec",
    "district_head": "pw-head",
    "jb_head": "pw-jbhead",
    "land_head": "pw-landhead",
}


@pytest.fixture
def login(client: FlaskClient) -> Any:
    def _login(username: str) -> Api:
        return Api(client, username, PASSWORDS[username])

    return _login
