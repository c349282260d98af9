"""Terminating a case from its page: offered to an administrator and, until a step is done, to the registrant; a
reason and a tick to confirm; then the case says who stopped it, when (Beijing time) and why, reads 已终止 in the
case list, and its history names the event in Chinese."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from sqlalchemy import select

from tests.web.test_pages import Web, host_of, start_case
from workflow_host.engine import LOCAL_TZ
from workflow_host.models import AuditEvent, InboxTask, Instance
from workflow_host.services.directory import load_directory

INTAKE = {"f.case_no": "(2026)蒙0205行初41号", "f.defendant": "unit", "f.defendant_unit": "land_bureau"}
REASON = "同一应诉通知书重复登记，以（2026）蒙0205行初40号为准"


@pytest.fixture
def admin(app: Flask) -> Web:
    with host_of(app).database.transaction() as session:
        load_directory(session, "users:\n  - {username: admin, name: 系统管理员, password: pw-admin, roles: [admin]}\n")
    web = Web(app)
    web.get("/login")
    assert web.post("/login", {"username": "admin", "password": "pw-admin"}).status_code == 302
    web.get("/inbox")  # the signed-in session's CSRF token
    return web


def _registered(app: Flask) -> int:
    """A six_steps case the clerk registered (its intake done): it waits at `check`."""
    clerk = Web(app, "clerk")
    case_id, intake = start_case(clerk)
    assert clerk.post(f"/tasks/{intake}", {**INTAKE, "action": "complete"}).status_code == 302
    return case_id


def _status(app: Flask, case_id: int) -> str:
    with host_of(app).database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        return row.status


def _offered(web: Web, case_id: int) -> bool:
    return f'action="/cases/{case_id}/terminate"' in web.get(f"/cases/{case_id}").get_data(as_text=True)


def _drawn_open(web: Web, case_id: int) -> bool:
    """Whether the case's diagram shows an open step."""
    page = web.get(f"/cases/{case_id}").get_data(as_text=True)
    found = re.search(r'<script id="diagram-states" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    return '"active"' in found.group(1)


def test_an_admin_terminates_a_case_and_its_page_says_who_when_and_why(app: Flask, admin: Web) -> None:
    case_id = _registered(app)
    assert _offered(admin, case_id)
    assert _drawn_open(admin, case_id)
    assert not _offered(Web(app, "land_officer"), case_id)  # sees the case (its unit), may not stop it
    assert not _offered(Web(app, "clerk"), case_id)  # registered it, but its intake is done

    answer = admin.post(f"/cases/{case_id}/terminate", {"reason": f"  {REASON} ", "confirm": "yes"})

    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/cases/{case_id}")
    page = admin.get(f"/cases/{case_id}").get_data(as_text=True)
    with host_of(app).database.transaction() as session:
        at = session.scalar(select(AuditEvent.at).where(AuditEvent.type == "instance_terminated"))
        assert at is not None
        [check] = session.scalars(select(InboxTask).where(InboxTask.element_id == "check"))
        assert check.status == "cancelled"
    when = at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
    assert f"本案已于 {when} 由 系统管理员 终止，终止理由：{REASON}" in page
    assert "已终止" in page
    assert "案件已终止：已退出所有人的待办事项" in page  # the flash
    assert not _offered(admin, case_id)
    assert not _drawn_open(admin, case_id)  # where it stopped is no open step
    assert "没有待办环节。" in page
    assert _status(app, case_id) == "terminated"


def test_the_case_list_and_the_history_name_the_termination_in_chinese(app: Flask, admin: Web) -> None:
    case_id = _registered(app)
    assert admin.post(f"/cases/{case_id}/terminate", {"reason": REASON, "confirm": "yes"}).status_code == 302

    listed = Web(app, "clerk").get("/cases").get_data(as_text=True)
    row = re.search(rf'<tr>\s*<td><a href="/cases/{case_id}">.*?</tr>', listed, re.S)
    assert row is not None
    assert "已终止" in row.group(0)

    history = Web(app, "auditor").get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert "案件终止" in history
    assert f"终止理由：{REASON}" in history
    exported = Web(app, "auditor").get(f"/cases/{case_id}/history/export?format=csv").get_data(as_text=True)
    [line] = [r for r in csv.reader(io.StringIO(exported.lstrip("\ufeff"))) if len(r) > 3 and r[2] == "案件终止"]
    assert (line[3], line[5]) == ("系统管理员（admin）", f"终止理由：{REASON}")


def test_without_the_tick_or_a_reason_nothing_happens_and_what_was_typed_stays(app: Flask, admin: Web) -> None:
    case_id = _registered(app)
    unticked = admin.post(f"/cases/{case_id}/terminate", {"reason": REASON})
    assert unticked.status_code == 422
    page = unticked.get_data(as_text=True)
    assert "请勾选确认终止本案" in page
    assert f">{REASON}</textarea>" in page

    short = admin.post(f"/cases/{case_id}/terminate", {"reason": " 错 ", "confirm": "yes"})
    assert short.status_code == 422
    assert "终止理由应为 2 至 500 个字，现为 1 个字" in short.get_data(as_text=True)

    blank = admin.post(f"/cases/{case_id}/terminate", {"reason": "  ", "confirm": "yes"})
    assert blank.status_code == 422
    assert "请填写终止本案的理由" in blank.get_data(as_text=True)
    assert _status(app, case_id) == "running"


def test_a_case_terminated_already_says_so(app: Flask, admin: Web) -> None:
    case_id = _registered(app)
    assert admin.post(f"/cases/{case_id}/terminate", {"reason": REASON, "confirm": "yes"}).status_code == 302
    again = admin.post(f"/cases/{case_id}/terminate", {"reason": REASON, "confirm": "yes"})
    assert again.status_code == 409
    assert "本案已经终止" in again.get_data(as_text=True)


def test_the_registrant_may_terminate_before_a_step_is_done_and_others_may_not(app: Flask) -> None:
    clerk = Web(app, "clerk")
    case_id, _intake = start_case(clerk)
    assert _offered(clerk, case_id)
    refused = Web(app, "land_officer").post(f"/cases/{case_id}/terminate", {"reason": REASON, "confirm": "yes"})
    assert refused.status_code == 403
    assert "您无权终止本案" in refused.get_data(as_text=True)
    assert _status(app, case_id) == "running"
    assert clerk.post(f"/cases/{case_id}/terminate", {"reason": "测试录入", "confirm": "yes"}).status_code == 302
    assert _status(app, case_id) == "terminated"
    assert case_id not in [
        int(n) for n in re.findall(r'href="/cases/(\d+)"', clerk.get("/inbox").get_data(as_text=True))
    ]


def test_a_form_sent_after_its_case_was_terminated_says_so_not_that_the_task_was_done(app: Flask, admin: Web) -> None:
    clerk = Web(app, "clerk")
    case_id, intake = start_case(clerk)  # the clerk has the intake form open
    assert admin.post(f"/cases/{case_id}/terminate", {"reason": REASON, "confirm": "yes"}).status_code == 302
    sent = clerk.post(f"/tasks/{intake}", {**INTAKE, "action": "complete"})
    assert sent.status_code == 302
    page = clerk.get(sent.headers["Location"]).get_data(as_text=True)
    assert "此环节已撤销（案件已终止或已不再经过此环节），不能再办理。" in page
    assert "此任务已办结" not in page
    claimed = clerk.post(f"/tasks/{intake}/claim", {"back": f"/cases/{case_id}"})  # the inbox's button, still shown
    page = clerk.get(claimed.headers["Location"]).get_data(as_text=True)
    assert "此环节已撤销（案件已终止或已不再经过此环节），不能再办理。" in page
    assert "此任务已办结" not in page
