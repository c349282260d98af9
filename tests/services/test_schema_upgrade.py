"""A database in use (versions, a case) upgrades in place to the newest schema, its rows and references kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from workflow_host.db import Database
from workflow_host.services import schema

CASE = """INSERT INTO instance (process_id, version_id, status, revision, meta_json, data_json, created_by,
          created_at, updated_at, audit_seq, audit_head)
          VALUES ('litigation_case', 1, 'running', 0, '{}', '{}', 'clerk', '2026-01-01', '2026-01-01', 0, 'x')"""
CASE_WITH_DATA = CASE.replace("'{}', 'clerk'", ":data, 'clerk'")
VERSION = """INSERT INTO process_version (content_hash, created_at, created_by, spec_json, catalog_json)
             VALUES ('abc', '2026-01-01', 'cli', '{}', '{}')"""
Row = str | tuple[str, dict[str, Any]]  # a statement, with its parameters when it has any


def upgraded(tmp_path: Path, revision: str, *rows: Row) -> Database:
    """A SQLite database at schema `revision` holding `rows`, then upgraded to the newest schema."""
    database = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        for row in rows:
            statement, parameters = (row, {}) if isinstance(row, str) else row
            connection.execute(text(statement), parameters)
    schema.init_db(database)
    return database


def test_a_sqlite_database_with_cases_upgrades_from_0006(tmp_path: Path) -> None:
    failed = "INSERT INTO login_failure (username, at) VALUES ('clerk', '2026-01-01')"
    # 0007 rebuilds process_version, which instance refers to
    database = upgraded(tmp_path, "0006", VERSION, CASE, failed)
    with database.engine.begin() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0013"
        assert connection.execute(text("SELECT version_id FROM instance")).scalar_one() == 1
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1  # checks are back on
        connection.execute(text(VERSION))  # the same content hash again: a restored version
        # 0008: failures recorded before have no source address, and are kept; 0012: nor a trusted device
        failure = text("SELECT username, address, device FROM login_failure")
        assert connection.execute(failure).one() == ("clerk", None, None)
    database.dispose()


def test_cases_stored_before_0009_are_found_by_their_units_and_every_instance_number(tmp_path: Path) -> None:
    data = {
        "handling_units": ["land_bureau"],
        "defendant_unit": "wudangzhao",
        "instance_level": "second",
        "case_no": "(2026)蒙02行终8号",
        "instance_history": [{"instance_level": "first", "case_no": "(2026)蒙0205行初12号"}],
    }
    # the second case has no data yet
    database = upgraded(tmp_path, "0008", VERSION, (CASE_WITH_DATA, {"data": json.dumps(data)}), CASE)
    with database.engine.begin() as connection:
        rows = connection.execute(text("SELECT number_keys, unit_keys FROM instance ORDER BY id")).all()
    assert rows == [
        ("\n(2026)蒙02行终8号\n(2026)蒙0205行初12号\n", "\nland_bureau\nwudangzhao\n"),
        ("", ""),
    ]
    database.dispose()


def test_cases_stored_before_0010_are_found_by_their_plaintiff_and_subject(tmp_path: Path) -> None:
    suit = {"plaintiff": "张某某", "cause": "不服房屋征收\n补偿决定", "court": "石拐区人民法院"}
    suggestion = {"issuer": "包头市石拐区人民检察院", "summary": "关于规范执法的检察建议", "document_no": "检建3号"}
    cases = [(CASE_WITH_DATA, {"data": json.dumps(data)}) for data in (suit, suggestion)]
    database = upgraded(tmp_path, "0009", VERSION, *cases, CASE)  # the last case has no data yet
    with database.engine.begin() as connection:
        rows = connection.execute(text("SELECT search_text FROM instance ORDER BY id")).scalars().all()
    assert rows == ["\n张某某\n不服房屋征收 补偿决定\n", "\n包头市石拐区人民检察院\n关于规范执法的检察建议\n", ""]
    database.dispose()


def test_users_stored_before_0011_are_kept_without_a_post(tmp_path: Path) -> None:
    user = "INSERT INTO user_account (username, name, password_hash, active) VALUES ('wang', '王某某', 'x', 1)"
    database = upgraded(tmp_path, "0010", user)
    with database.engine.begin() as connection:
        assert connection.execute(text("SELECT name, position FROM user_account")).one() == ("王某某", None)
    database.dispose()


def test_inbox_tasks_stored_before_0013_keep_the_unit_and_role_they_were_shown_for(tmp_path: Path) -> None:
    task = """INSERT INTO inbox_task (id, instance_id, process_id, element_id, title, lane, unit, created_at, status)
              VALUES (:id, 1, 'compliance', 'record_performance', '登记', :lane, :unit, '2026-01-01', 'ready')"""
    tasks = [(task, {"id": "a", "lane": "handling_unit", "unit": "land_bureau"}),
             (task, {"id": "b", "lane": "district_head", "unit": None})]  # fmt: skip
    database = upgraded(tmp_path, "0012", VERSION, CASE, *tasks)
    with database.engine.begin() as connection:
        rows = connection.execute(text("SELECT units, roles FROM inbox_task ORDER BY id")).all()
    assert rows == [("\nland_bureau\n", "\nhandling_unit\n"), ("", "\ndistrict_head\n")]
    database.dispose()
