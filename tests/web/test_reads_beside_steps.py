"""Reads that never write (the inbox, a task's form, notifications) answer while a step holds the database's write
lock, and cannot write by mistake."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.web.test_pages import Web
from workflow_host.db import Database
from workflow_host.host import Host
from workflow_host.web import cases


def _while_a_step_writes(database: Database, read: Any) -> Any:
    """Run `read` in another thread while this one holds a step's transaction (on SQLite, the write lock), and
    return its answer; fails if it did not answer within a few seconds (it would wait for the lock)."""
    answers: list[Any] = []
    with database.transaction() as session:
        session.execute(text("UPDATE user_account SET name = name WHERE username = 'clerk'"))
        reader = threading.Thread(target=lambda: answers.append(read()), daemon=True)
        reader.start()
        reader.join(timeout=5)
        assert answers, "the read waited for the step's transaction to end"
    reader.join()
    return answers[0]


def a_write_goes_through(write: Callable[[], None], within: float = 5) -> tuple[bool, threading.Thread]:
    """Run `write` in another thread: whether it finished within `within` seconds, and the thread (to join)."""
    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    writer.join(timeout=within)
    return not writer.is_alive(), writer


def test_the_inbox_task_forms_and_notifications_answer_while_a_step_holds_the_lock(
    deployed: Host, login: Any, app: Flask
) -> None:
    clerk = login("clerk")
    started = clerk.post("/instances", json={"process_id": "six_steps", "data": {}})
    assert started.status_code == 201, started.get_json()
    [task] = started.get_json()["tasks"]

    inbox = _while_a_step_writes(deployed.database, lambda: clerk.get("/tasks"))
    assert inbox.status_code == 200
    assert task["id"] in [t["id"] for t in inbox.get_json()["tasks"]]
    form = _while_a_step_writes(deployed.database, lambda: clerk.get(f"/tasks/{task['id']}"))
    assert form.status_code == 200
    assert form.get_json()["form"]["schema"] is not None
    notices = _while_a_step_writes(deployed.database, lambda: clerk.get("/notifications"))
    assert notices.status_code == 200
    web = Web(app, "clerk")
    page = _while_a_step_writes(deployed.database, lambda: web.get("/inbox"))
    assert page.status_code == 200
    assert task["title"] in page.get_data(as_text=True)


def test_a_case_its_history_and_its_page_answer_while_a_step_holds_the_lock_and_auditors_are_still_recorded(
    deployed: Host, login: Any, app: Flask
) -> None:
    clerk = login("clerk")
    started = clerk.post("/instances", json={"process_id": "six_steps", "data": {}}).get_json()
    case_id = started["id"]
    case = _while_a_step_writes(deployed.database, lambda: clerk.get(f"/instances/{case_id}"))
    assert case.status_code == 200
    assert case.get_json() == started
    events = _while_a_step_writes(deployed.database, lambda: clerk.get(f"/instances/{case_id}/events"))
    assert [e["type"] for e in events.get_json()["events"]] == ["instance_created"]
    web = Web(app, "clerk")
    page = _while_a_step_writes(deployed.database, lambda: web.get(f"/cases/{case_id}"))
    assert page.status_code == 200
    history = _while_a_step_writes(deployed.database, lambda: web.get(f"/cases/{case_id}/history"))
    assert history.status_code == 200
    # an auditor's reading is itself recorded: the event is written first (under the lock), then the page is read
    auditor, auditor_web = login("auditor"), Web(app, "auditor")
    assert auditor.get(f"/instances/{case_id}").status_code == 200
    assert auditor_web.get(f"/cases/{case_id}").status_code == 200
    assert auditor_web.get(f"/cases/{case_id}/history").status_code == 200
    events = clerk.get(f"/instances/{case_id}/events").get_json()["events"]
    viewed = [(e["actor"], e["payload"]["what"]) for e in events if e["type"] == "case_viewed"]
    assert viewed == [("auditor", "case"), ("auditor", "case"), ("auditor", "history")]


def test_a_read_transaction_cannot_write_and_its_connection_writes_again_after(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads never wait for a step; only SQLite's read transactions are made read-only")
    name = text("SELECT name FROM user_account WHERE username = 'temp'")
    with database.transaction() as session:
        columns = "(username, name, password_hash, active)"
        session.execute(text(f"INSERT INTO user_account {columns} VALUES ('temp', 'Temp', 'x', 1)"))
    with database.read_transaction() as session:
        assert session.scalar(name) == "Temp"
        with pytest.raises(OperationalError, match="readonly database"):
            session.execute(text("DELETE FROM user_account WHERE username = 'temp'"))
    with database.read_transaction() as session:
        assert session.scalar(name) == "Temp"
    for _ in range(3):  # whichever pooled connection comes next, a step's transaction writes again
        with database.transaction() as session:
            session.execute(text("UPDATE user_account SET name = name || '!' WHERE username = 'temp'"))
    with database.read_transaction() as session:
        assert session.scalar(name) == "Temp!!!"


def test_a_postgresql_read_holds_no_transaction_open_between_its_statements(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's read transactions are transactions: they make writes fail (the test above)")
    with database.read_transaction() as session:
        pid = session.scalar(text("SELECT pg_backend_pid()"))
        session.scalar(text("SELECT count(*) FROM user_account"))
        # Seen from another connection, as a DBA would: nothing for VACUUM to wait on, no BEGIN/COMMIT to pay.
        with database.engine.connect() as other:
            state = other.scalar(text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
        assert state == "idle"
    with database.transaction() as session:  # a step's transaction on the same pooled connections is one again
        pid = session.scalar(text("SELECT pg_backend_pid()"))
        with database.engine.connect() as other:
            state = other.scalar(text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid})
        assert state == "idle in transaction"


def test_the_task_page_a_case_diagram_the_reports_and_the_modeller_answer_while_a_step_holds_the_lock(
    deployed: Host, login: Any, app: Flask
) -> None:
    started = login("clerk").post("/instances", json={"process_id": "six_steps", "data": {}}).get_json()
    [task] = started["tasks"]
    clerk, jb = Web(app, "clerk"), Web(app, "jb_staff")
    pages = {
        f"/tasks/{task['id']}": (clerk, task["title"]),
        f"/cases/{started['id']}/diagram/six_steps.bpmn": (clerk, "bpmn:process"),
        "/reports": (jb, "全区合计"),
        "/reports.csv": (jb, "承办单位"),
        "/modeller/six_steps": (clerk, "six_steps"),
        "/modeller/six_steps/versions": (clerk, "six_steps"),
    }
    for path, (web, shown) in pages.items():
        page = _while_a_step_writes(deployed.database, lambda web=web, path=path: web.get(path))
        assert page.status_code == 200, path
        assert shown in page.get_data(as_text=True), path


def test_a_step_goes_on_while_an_auditors_history_page_is_read_and_the_page_shows_its_own_reading(
    deployed: Host, login: Any, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history page replays the case from its events, the longest read there is; an auditor's used to hold the
    write lock all that time on SQLite, for the `case_viewed` event it leaves. Now only that event waits for it."""
    clerk = login("clerk")
    case_id = clerk.post("/instances", json={"process_id": "six_steps", "data": {}}).get_json()["id"]
    reading, read_on = threading.Event(), threading.Event()
    real_history_page = cases.history_page

    def slow_history_page(*args: Any, **kwargs: Any) -> Any:
        page = real_history_page(*args, **kwargs)  # the first try stops here, asking for its reading to be recorded
        reading.set()
        read_on.wait(10)
        return page

    monkeypatch.setattr(cases, "history_page", slow_history_page)
    auditor, answers = Web(app, "auditor"), []
    reader = threading.Thread(target=lambda: answers.append(auditor.get(f"/cases/{case_id}/history")), daemon=True)
    reader.start()
    assert reading.wait(10)

    def write() -> None:
        with deployed.database.transaction() as session:
            session.execute(text("UPDATE user_account SET name = name WHERE username = 'clerk'"))

    wrote_meanwhile, writer = a_write_goes_through(write)
    read_on.set()
    reader.join(10)
    writer.join(10)
    assert wrote_meanwhile, "the step waited for the auditor's page"
    assert answers[0].status_code == 200
    assert answers[0].get_data(as_text=True).count('data-type="case_viewed"') == 1  # its own reading, recorded once
    events = clerk.get(f"/instances/{case_id}/events").get_json()["events"]
    assert [(e["actor"], e["payload"]) for e in events if e["type"] == "case_viewed"] == [
        ("auditor", {"what": "history"})
    ]
