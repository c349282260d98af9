"""Who may do what, route by route: every page and API route of the app is listed here with the users who may
use it on one case of the land bureau, and each user is tried on each route. A route added without a line
here fails the first test."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path as FilePath
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import PDF, Web, host_of, start_case
from workflow_host.models import CaseAttachment, InboxTask
from workflow_host.services import deployment

ROOT = FilePath(__file__).resolve().parents[2]
USERS = ["clerk", "land_officer", "town_officer", "li_vice", "auditor", "analyst"]
EVERYONE = set(USERS)
CASE_VIEWERS = {"clerk", "land_officer", "li_vice", "auditor"}  # district role, the unit, its vice head, audit
REPORT_READERS = {"clerk", "auditor", "analyst"}
ANALYSTS = {"analyst"}
PUBLIC = {"account.index", "account.login", "account.logout", "account.confirm_logout", "account.language"}
PUBLIC |= {"api.openapi", "api.token", "static"}


class World:
    """One case of the land bureau waiting at the unit's `prepare` step, with a file."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        clerk, jb = Web(app, "clerk"), Web(app, "jb_staff")
        self.case, intake = start_case(clerk)
        form = {"f.case_no": "(2026)蒙0205行初31号", "f.defendant": "unit", "f.defendant_unit": "land_bureau"}
        scan = {"f.notice_scan": (BytesIO(PDF), "通知书.pdf")}
        assert clerk.post(f"/tasks/{intake}", {**form, **scan}, content_type="multipart/form-data").status_code == 302
        for web, name in ((clerk, "check"), (jb, "review")):
            step = self.task_id(name)
            web.get(f"/tasks/{step}")
            assert web.post(f"/tasks/{step}", {"action": "complete"}).status_code == 302
        self.prepare = self.task_id("prepare")
        table = (ROOT / "processes" / "signoff_chain.dmn").read_bytes()  # a decision table for the decision editor
        with host_of(app).database.transaction() as session:
            uploads = deployment.with_uploads(session, {"signoff_chain.dmn": table})
            deployment.deploy(session, host_of(app).runtime, uploads, "analyst")
        with host_of(app).database.transaction() as session:
            self.file = session.scalar(select(CaseAttachment.id).where(CaseAttachment.instance_id == self.case))

    def task_id(self, name: str) -> str:
        with host_of(self.app).database.transaction() as session:
            found = session.scalar(
                select(InboxTask.id).where(InboxTask.element_id == name, InboxTask.status == "ready")
            )
            assert found is not None
            return found

    def claimed_by(self) -> str | None:
        with host_of(self.app).database.transaction() as session:
            task = session.get(InboxTask, self.prepare)
            assert task is not None
            return task.claimed_by


Path = Callable[[World], str]
# endpoint → (path, users who may read it): pages and API reads, tried with every user
READS: dict[str, tuple[Path, set[str]]] = {
    "inbox.inbox": (lambda w: "/inbox", EVERYONE),
    "cases.new_case": (lambda w: "/cases/new", EVERYONE),
    "cases.cases": (lambda w: "/cases", EVERYONE),  # each sees the cases they may (test_case_list.py)
    "cases.case": (lambda w: f"/cases/{w.case}", CASE_VIEWERS),
    "cases.history": (lambda w: f"/cases/{w.case}/history", CASE_VIEWERS),
    "cases.export": (lambda w: f"/cases/{w.case}/history/export", CASE_VIEWERS),
    "cases.diagram": (lambda w: f"/cases/{w.case}/diagram/six_steps.bpmn", CASE_VIEWERS),
    "cases.download": (lambda w: f"/cases/{w.case}/files/{w.file}", CASE_VIEWERS),
    # the fixture's process offers no document: refused alike (tests/web/test_documents.py runs the real ones)
    "cases.document": (lambda w: f"/cases/{w.case}/documents/power_of_attorney", set()),
    "tasks.document": (lambda w: f"/tasks/{w.prepare}/documents/power_of_attorney", set()),
    "tasks.task": (lambda w: f"/tasks/{w.prepare}", CASE_VIEWERS),
    "reports.report": (lambda w: "/reports", REPORT_READERS),
    "reports.report_file": (lambda w: "/reports.csv", REPORT_READERS),
    "reports.report_workbook": (lambda w: "/reports.xlsx", REPORT_READERS),
    "modeller.index": (lambda w: "/modeller", EVERYONE),
    "modeller.modeller": (lambda w: "/modeller/six_steps", EVERYONE),
    "modeller.source": (lambda w: "/modeller/six_steps/source.bpmn", EVERYONE),
    "modeller.catalog": (lambda w: "/modeller/six_steps/catalog", EVERYONE),
    "modeller.versions_page": (lambda w: "/modeller/six_steps/versions", EVERYONE),
    "modeller.version_xml": (lambda w: "/modeller/six_steps/versions/1.bpmn", EVERYONE),
    "modeller.diff": (lambda w: "/modeller/six_steps/diff?from=1&to=1", EVERYONE),
    "modeller.form_editor": (lambda w: "/modeller/forms/intake", EVERYONE),
    "modeller.migrate": (lambda w: "/modeller/six_steps/migrate", ANALYSTS),
    "decisions.editor": (lambda w: "/modeller/decisions/signoff_chain", EVERYONE),
    "decisions.source": (lambda w: "/modeller/decisions/signoff_chain/source.dmn", EVERYONE),
    "api.list_processes": (lambda w: "/api/v1/processes", EVERYONE),
    "api.list_tasks": (lambda w: "/api/v1/tasks", EVERYONE),
    "api.list_instances": (lambda w: "/api/v1/instances", EVERYONE),  # each sees their own (test_case_list.py)
    "api.list_notifications": (lambda w: "/api/v1/notifications", EVERYONE),
    "api.get_instance": (lambda w: f"/api/v1/instances/{w.case}", CASE_VIEWERS),
    "api.instance_events": (lambda w: f"/api/v1/instances/{w.case}/events", CASE_VIEWERS),
    "api.export": (lambda w: f"/api/v1/instances/{w.case}/export", CASE_VIEWERS),
    "api.get_task": (lambda w: f"/api/v1/tasks/{w.prepare}", {"land_officer", "auditor"}),
}
# endpoint → (path, users who may, body): writes, tried with each user who may not (refused, nothing changes);
# what the users who may do is tested route by route in test_pages.py, test_api_*.py and test_modeller_api.py
WRITES: dict[str, tuple[Path, set[str], dict[str, Any]]] = {
    "api.claim": (lambda w: f"/api/v1/tasks/{w.prepare}/claim", {"land_officer"}, {}),
    "api.unclaim": (lambda w: f"/api/v1/tasks/{w.prepare}/unclaim", {"land_officer"}, {}),
    "api.complete": (lambda w: f"/api/v1/tasks/{w.prepare}/complete", {"land_officer"}, {"data": {}}),
    "api.verify": (lambda w: f"/api/v1/instances/{w.case}/verify", CASE_VIEWERS, {}),
    # administrators, and the registrant (the clerk) until a step is done: three are (test_api_termination.py)
    "api.terminate": (lambda w: f"/api/v1/instances/{w.case}/terminate", set(), {"reason": "重复登记"}),
    # the district roles, and anyone holding a lane of the process (here: handling units)
    "api.start_instance": (
        lambda w: "/api/v1/instances",
        {"clerk", "land_officer", "town_officer"},
        {"process_id": "six_steps"},
    ),
    "api.deploy_version": (lambda w: "/api/v1/processes/six_steps/versions", ANALYSTS, {}),
    "api.read_notification": (lambda w: "/api/v1/notifications/1/read", set(), {}),
    "api.revoke": (lambda w: "/api/v1/auth/revoke", EVERYONE, {}),  # one's own token (tests/security)
    "inbox.claim": (lambda w: f"/tasks/{w.prepare}/claim", {"land_officer"}, {}),
    "inbox.unclaim": (lambda w: f"/tasks/{w.prepare}/unclaim", {"land_officer"}, {}),
    "inbox.assign": (lambda w: f"/tasks/{w.prepare}/assign", set(), {"assignee": "land_officer"}),
    "inbox.read_notification": (lambda w: "/notifications/1/read", set(), {}),
    "tasks.submit": (lambda w: f"/tasks/{w.prepare}", {"land_officer"}, {"action": "complete"}),
    "cases.upload_document": (lambda w: f"/cases/{w.case}/documents", set(), {"document": "power_of_attorney"}),
    "cases.verify": (lambda w: f"/cases/{w.case}/verify", CASE_VIEWERS, {}),
    "termination.terminate": (lambda w: f"/cases/{w.case}/terminate", set(), {"reason": "重复登记", "confirm": "yes"}),
    "modeller.save": (lambda w: "/modeller/six_steps/save", ANALYSTS, {}),
    "modeller.validate": (lambda w: "/modeller/six_steps/validate", EVERYONE, {}),
    "modeller.form_save": (lambda w: "/modeller/forms/intake/save", ANALYSTS, {}),
    "modeller.form_preview": (lambda w: "/modeller/forms/intake/preview", EVERYONE, {}),
    "decisions.save": (lambda w: "/modeller/decisions/signoff_chain/save", ANALYSTS, {}),
    "decisions.validate": (lambda w: "/modeller/decisions/signoff_chain/validate", EVERYONE, {}),
}


def test_every_route_of_the_app_is_in_the_matrix(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC - READS.keys() - WRITES.keys() == set()
    assert (READS.keys() | WRITES.keys()) - endpoints == set()


def _get(app: Flask, world: World, username: str, path: str) -> int:
    if path.startswith("/api/"):
        return int(Api(app.test_client(), username, PASSWORDS[username]).get(path[len("/api/v1") :]).status_code)
    return int(Web(app, username).client.get(path).status_code)  # bodies may be binary (XLSX, DOCX)


@pytest.mark.parametrize("username", USERS)
def test_each_user_reads_exactly_what_the_matrix_allows(app: Flask, username: str) -> None:
    world = World(app)
    wrong = []
    for endpoint, (path, allowed) in READS.items():
        status = _get(app, world, username, path(world))
        if (status < 400) != (username in allowed):
            wrong.append(f"{endpoint} {path(world)} → {status}")
    assert wrong == []


def _post(app: Flask, username: str, path: str, body: dict[str, Any]) -> int:
    if path.startswith("/api/"):
        api = Api(app.test_client(), username, PASSWORDS[username])
        return int(api.post(path[len("/api/v1") :], json=body).status_code)
    web = Web(app, username)
    if path.startswith("/modeller/forms/"):
        return int(web.post(path, {"schema": "{}", "ui_schema": "{}"}).status_code)
    if path.startswith("/modeller/"):
        headers = {"X-CSRF-Token": web.token}
        return int(web.client.post(path, data=b"<x/>", content_type="application/xml", headers=headers).status_code)
    return int(web.post(path, body).status_code)


def test_a_user_who_may_not_write_changes_nothing(app: Flask) -> None:
    world = World(app)
    for endpoint, (path, allowed, body) in WRITES.items():
        for username in sorted(EVERYONE - allowed):
            before = world.claimed_by()
            where = path(world)
            status = _post(app, username, where, body)
            denied = status in (401, 403, 404) or (status in (302, 303) and not where.startswith("/api/"))
            assert denied, f"{endpoint} as {username} → {status}"
            assert world.claimed_by() == before, f"{endpoint} as {username} changed the task"
    assert world.task_id("prepare") == world.prepare  # still waiting, nobody completed it
