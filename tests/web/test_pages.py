"""The pages over a real app and database: sign-in and CSRF, the task form (errors beside fields, drafts,
rows, files), claim and assign, conflicts as messages, and who may see what."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from tests.conftest import PASSWORDS
from workflow_host.host import Host
from workflow_host.models import CaseAttachment, InboxTask, Instance, User
from workflow_host.services import instances
from workflow_host.services.form_validation import form_errors
from workflow_host.web.form_posted import parse_form

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Web:
    """A browser-like session: cookies, the CSRF token of the last page."""

    def __init__(self, app: Flask, username: str | None = None) -> None:
        self.client: FlaskClient = app.test_client()
        self.token = ""
        if username:
            self.sign_in(username)

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        found = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        return self.client.post(path, data={"csrf_token": self.token, **(data or {})}, **kwargs)

    def sign_in(self, username: str) -> None:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": PASSWORDS[username]})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.get("/inbox")


def start_case(web: Web, process_id: str = "six_steps") -> tuple[int, str]:
    web.get("/cases/new")
    response = web.post("/cases/new", {"process_id": process_id})
    assert response.status_code == 302
    task_id = response.headers["Location"].rsplit("/", 1)[-1]
    web.get(f"/tasks/{task_id}")
    return task_id_case(web.client.application, task_id), task_id


def task_id_case(app: Flask, task_id: str) -> int:
    with host_of(app).database.transaction() as session:
        task = session.get(InboxTask, task_id)
        assert task is not None
        return task.instance_id


def host_of(app: Flask) -> Host:
    return app.extensions["workflow_host"]  # type: ignore[no-any-return]


def task_row(app: Flask, task_id: str) -> InboxTask:
    with host_of(app).database.transaction() as session:
        task = session.get(InboxTask, task_id)
        assert task is not None
        session.expunge(task)
        return task


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'id="field-{field}-error">([^<]+)<', html)


def test_sign_in_needs_the_password_and_goes_only_to_this_site(app: Flask) -> None:
    web = Web(app)
    assert web.get("/inbox").headers["Location"].startswith("/login?next=/inbox")
    web.get("/login")
    wrong = web.post("/login", {"username": "clerk", "password": "nope"})
    assert wrong.status_code == 401
    assert "用户名或密码错误" in wrong.get_data(as_text=True)
    away = web.post("/login?next=//evil.example/x", {"username": "clerk", "password": PASSWORDS["clerk"]})
    assert away.headers["Location"] == "/inbox"
    web.get("/inbox")
    web.get("/logout")  # a page asking to sign out: a link from elsewhere signs nobody out
    assert web.get("/inbox").status_code == 200
    assert web.post("/logout").status_code == 302
    assert web.get("/inbox").status_code == 302


def test_a_post_without_the_session_token_is_refused_and_changes_nothing(app: Flask) -> None:
    web = Web(app, "clerk")
    _case, task_id = start_case(web)
    forged = web.client.post(f"/tasks/{task_id}/claim", data={"csrf_token": "forged"})
    assert forged.status_code == 400
    assert "表单已过期" in forged.get_data(as_text=True)
    assert task_row(app, task_id).claimed_by is None
    assert web.post(f"/tasks/{task_id}/claim").status_code == 302
    assert task_row(app, task_id).claimed_by == "clerk"


def test_form_errors_appear_beside_their_fields_and_nothing_is_kept(app: Flask) -> None:
    web = Web(app, "clerk")
    case_id, task_id = start_case(web)
    response = web.post(
        f"/tasks/{task_id}", {"action": "complete", "f.case_no": "ab", "f.notice_received_on": "2026-13-40"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_errors(html, "case_no") == ["“案号”至少填写 3 个字。"]
    assert field_errors(html, "defendant") == ["请选择“被告”。"]  # a choice is chosen, not filled in
    assert field_errors(html, "notice_received_on") == [
        "“收到通知书日期”须为有效日期，按“年-月-日”填写，如 2026-03-02。"
    ]
    assert 'value="ab"' in html  # what was typed stays on the page
    assert task_row(app, task_id).status == "ready"
    with host_of(app).database.transaction() as session:
        case = session.get(Instance, case_id)
        assert case is not None
        assert case.revision == 1
        assert "case_no" not in case.data_json


def test_the_task_page_button_submits_rather_than_closes_the_matter(app: Flask) -> None:
    """Every step's button read 办结 (the matter closed), for 登记, 呈送 and 审签 alike."""
    web = Web(app, "clerk")
    _case_id, task_id = start_case(web)
    html = web.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert re.findall(r'<button type="submit" name="action" value="complete"[^>]*>([^<]*)</button>', html) == ["提交"]


def test_a_draft_keeps_typed_values_and_rows_without_completing(app: Flask) -> None:
    web = Web(app, "clerk")
    case_id, task_id = start_case(web)
    added = web.post(f"/tasks/{task_id}", {"action": "add:agents", "f.case_no": "(2026)蒙0205行初3号", "n.agents": "0"})
    html = added.get_data(as_text=True)
    assert 'name="f.agents.0.name"' in html
    assert 'value="(2026)蒙0205行初3号"' in html
    saved = web.post(
        f"/tasks/{task_id}",
        {"action": "draft", "f.case_no": "(2026)蒙0205行初3号", "n.agents": "1", "f.agents.0.name": "王某"},
    )
    assert saved.status_code == 302
    page = web.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "草稿已保存" in page
    assert 'value="王某"' in page
    assert task_row(app, task_id).status == "ready"
    with host_of(app).database.transaction() as session:
        case = session.get(Instance, case_id)
        assert case is not None
        assert "王某" not in case.data_json  # a draft is not case data


def test_an_evidence_file_is_stored_listed_and_downloadable_by_those_who_see_the_case(app: Flask) -> None:
    web = Web(app, "clerk")
    case_id, task_id = start_case(web)
    refused = web.post(
        f"/tasks/{task_id}",
        {"f.case_no": "(2026)蒙0205行初4号", "f.defendant": "unit", "f.notice_scan": (BytesIO(b"MZ\x90\x00"), "a.exe")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert field_errors(refused.get_data(as_text=True), "notice_scan") == [
        "“应诉通知书扫描件”：不接受此类文件（可上传 PDF、图片、Word/Excel、OFD、文本文件）。"
    ]
    disguised = web.post(
        f"/tasks/{task_id}",
        {
            "f.case_no": "(2026)蒙0205行初4号",
            "f.defendant": "unit",
            "f.notice_scan": (BytesIO(b"\x89PNG\r\n\x1a\n"), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert field_errors(disguised.get_data(as_text=True), "notice_scan") == [
        "“应诉通知书扫描件”：文件内容与扩展名不符。"
    ]
    done = web.post(
        f"/tasks/{task_id}",
        {
            "f.case_no": "(2026)蒙0205行初4号",
            "f.defendant": "unit",
            "f.notice_scan": (BytesIO(PDF), "../../应诉通知书.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    with host_of(app).database.transaction() as session:
        files = list(session.scalars(select(CaseAttachment).where(CaseAttachment.instance_id == case_id)))
        assert [(f.name, f.uploaded_by, f.field) for f in files] == [("应诉通知书.pdf", "clerk", "notice_scan")]
        attachment_id = files[0].id
    page = web.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "应诉通知书.pdf" in page
    download = web.get(f"/cases/{case_id}/files/{attachment_id}")
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    stranger = Web(app, "town_officer")
    assert stranger.get(f"/cases/{case_id}/files/{attachment_id}").status_code == 404
    assert stranger.get(f"/cases/{case_id}").status_code == 403


def test_a_unit_the_directory_does_not_have_is_marked_beside_its_field_and_nothing_is_kept(app: Flask) -> None:
    web = Web(app, "clerk")
    case_id, task_id = start_case(web)
    form = {"f.case_no": "(2026)蒙0205行初6号", "f.defendant": "unit", "f.defendant_unit": "no_such_bureau"}
    refused = web.post(f"/tasks/{task_id}", form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert field_errors(page, "defendant_unit") == ["“被告单位”请选择组织名录中的单位。"]
    assert "行初6号" in page  # what was typed is shown again
    assert web.get(f"/cases/{case_id}").status_code == 200
    with host_of(app).database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        assert row.case_no is None  # the intake was not taken


def test_completing_a_task_someone_just_completed_shows_a_message_not_an_error(app: Flask) -> None:
    first, second = Web(app, "clerk"), Web(app, "clerk")
    case_id, task_id = start_case(first)
    second.get(f"/tasks/{task_id}")
    form = {"f.case_no": "(2026)蒙0205行初5号", "f.defendant": "unit", "f.defendant_unit": "land_bureau"}
    assert first.post(f"/tasks/{task_id}", form).status_code == 302
    late = second.post(f"/tasks/{task_id}", form)
    assert late.status_code == 302
    assert late.headers["Location"] == f"/cases/{case_id}"
    assert "此任务刚刚已由他人办结（办公室科员）" in second.get(late.headers["Location"]).get_data(as_text=True)


def walk_to_prepare(app: Flask) -> tuple[int, str]:
    clerk, jb = Web(app, "clerk"), Web(app, "jb_staff")
    case_id, task_id = start_case(clerk)
    clerk.post(
        f"/tasks/{task_id}",
        {"f.case_no": "(2026)蒙0205行初6号", "f.defendant": "unit", "f.defendant_unit": "land_bureau"},
    )
    for web, name in ((clerk, "check"), (jb, "review")):
        with host_of(app).database.transaction() as session:
            step = session.scalar(select(InboxTask.id).where(InboxTask.element_id == name, InboxTask.status == "ready"))
        web.get(f"/tasks/{step}")
        assert web.post(f"/tasks/{step}", {"action": "complete"}).status_code == 302
    with host_of(app).database.transaction() as session:
        prepare = session.scalar(select(InboxTask.id).where(InboxTask.element_id == "prepare"))
    assert prepare is not None
    return case_id, prepare


def test_a_unit_head_assigns_the_units_task_to_a_colleague(app: Flask) -> None:
    _case, task_id = walk_to_prepare(app)
    officer = Web(app, "land_officer")
    page = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "交办给" not in page  # not the head
    refused = officer.post(f"/tasks/{task_id}/assign", {"assignee": "land_officer"})
    assert "您无权进行此操作" in officer.get(refused.headers["Location"]).get_data(as_text=True)
    head = Web(app, "land_head")
    page = head.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'option value="land_officer"' in page
    head.post(f"/tasks/{task_id}/assign", {"assignee": "land_officer"})
    assert task_row(app, task_id).claimed_by == "land_officer"
    inbox = officer.get("/inbox?tab=claimed").get_data(as_text=True)
    assert "(2026)蒙0205行初6号" in inbox


def test_the_inbox_pages_filters_and_sorts(app: Flask) -> None:
    clerk = Web(app, "clerk")
    for _ in range(27):
        start_case(clerk)
    first = clerk.get("/inbox").get_data(as_text=True)
    assert first.count('data-name="intake"') == 25
    assert "共 27 项，第 1 / 2 页" in first
    second = clerk.get("/inbox?page=2").get_data(as_text=True)
    assert second.count('data-name="intake"') == 2
    only_check = clerk.get("/inbox?step=check").get_data(as_text=True)
    assert "暂无待办事项" in only_check
    _case, task_id = start_case(clerk)
    clerk.post(
        f"/tasks/{task_id}",
        {"f.case_no": "(2026)蒙0205行初99号", "f.defendant": "unit", "f.defendant_unit": "land_bureau"},
    )
    found = clerk.get("/inbox?case=行初99").get_data(as_text=True)
    assert found.count("data-task=") == 1
    assert 'data-name="check"' in found
    unclaimed = clerk.get("/inbox?tab=unclaimed").get_data(as_text=True)
    assert re.search(r'data-tab="claimed"[^>]*>[^<]*<span class="count">0<', unclaimed)


@pytest.mark.parametrize("username", ["auditor"])
def test_an_auditor_reads_cases_but_has_no_form_to_submit(app: Flask, username: str) -> None:
    clerk = Web(app, "clerk")
    case_id, task_id = start_case(clerk)
    auditor = Web(app, username)
    assert auditor.get(f"/cases/{case_id}").status_code == 200
    page = auditor.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert 'value="complete"' not in page
    assert "此任务不由您办理" in page
    assert auditor.post(f"/tasks/{task_id}", {"f.case_no": "(2026)x", "f.defendant": "unit"}).status_code == 302
    assert task_row(app, task_id).status == "ready"


def test_cases_are_seen_by_their_units_the_district_roles_and_the_supervising_vice_head(app: Flask) -> None:
    clerk = Web(app, "clerk")
    case_id, task_id = start_case(clerk)
    clerk.post(
        f"/tasks/{task_id}",
        {"f.case_no": "(2026)蒙0205行初8号", "f.defendant": "unit", "f.defendant_unit": "land_bureau"},
    )
    for username, status in [
        ("land_officer", 200),  # the defendant unit, before any task of theirs
        ("jb_staff", 200),  # the justice bureau coordinates every response
        ("li_vice", 200),  # supervises the land bureau
        ("town_officer", 403),  # another unit
        ("analyst", 403),
    ]:
        assert Web(app, username).get(f"/cases/{case_id}").status_code == status, username


def test_the_history_page_lists_events_with_their_changes_filters_and_exports(app: Flask) -> None:
    clerk = Web(app, "clerk")
    case_id, task_id = start_case(clerk)
    clerk.post(
        f"/tasks/{task_id}",
        {"f.case_no": "(2026)蒙0205行初9号", "f.defendant": "unit", "f.defendant_unit": "land_bureau"},
    )
    page = clerk.get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert 'data-type="instance_created"' in page
    assert 'data-type="task_completed"' in page
    assert "(2026)蒙0205行初9号" in page
    only_created = clerk.get(f"/cases/{case_id}/history?type=instance_created").get_data(as_text=True)
    assert 'data-type="task_completed"' not in only_created
    assert 'data-type="instance_created"' in only_created
    at_start = clerk.get(f"/cases/{case_id}/history?at=1").get_data(as_text=True)
    moment = at_start.split('id="moment-data"')[1].split("</dl>")[0]
    assert "(2026)蒙0205行初9号" not in moment
    export = clerk.get(f"/cases/{case_id}/history/export?format=csv")
    assert export.headers["Content-Type"].startswith("text/csv")
    assert ",办结环节," in export.get_data(as_text=True)  # the event in words (tests/web/test_history_export.py)
    assert Web(app, "town_officer").get(f"/cases/{case_id}/history").status_code == 403
    auditor = Web(app, "auditor")
    auditor.get(f"/cases/{case_id}/history")
    again = auditor.get(f"/cases/{case_id}/history?type=case_viewed").get_data(as_text=True)
    assert again.count('data-type="case_viewed"') == 2  # every auditor reading is itself recorded


def test_a_deadline_in_a_year_without_published_holidays_is_marked_provisional(app: Flask) -> None:
    clerk = Web(app, "clerk")
    with host_of(app).database.transaction() as session:
        user = session.get(User, "clerk")
        assert user is not None
        started = instances.start_instance(
            session, host_of(app).runtime, user, "defence_deadline", {"complaint_served_on": "2027-03-01"}
        )
    inbox = clerk.get("/inbox").get_data(as_text=True)
    row = inbox.split('data-name="file_defence"')[1].split("</tr>")[0]
    assert "2027-03-16 23:59" in row
    assert "（暂定）" in row
    case = clerk.get(f"/cases/{started['id']}").get_data(as_text=True)
    assert "2027-03-16 <em>（暂定）</em>" in case


def test_hostile_case_data_is_shown_as_text_under_a_strict_content_policy(app: Flask) -> None:
    clerk = Web(app, "clerk")
    case_id, task_id = start_case(clerk)
    hostile = '<script>alert("x")</script>\u202e<img src=x onerror=alert(1)>'
    clerk.post(f"/tasks/{task_id}", {"f.case_no": hostile, "f.defendant": "unit", "f.defendant_unit": "land_bureau"})
    for path in (f"/cases/{case_id}", "/inbox", f"/cases/{case_id}/history"):
        response = clerk.get(path)
        html = response.get_data(as_text=True)
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert "&lt;script&gt;alert" in html, path
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_report_page_shows_the_year_and_exports_csv(app: Flask) -> None:
    jb = Web(app, "jb_staff")
    page = jb.get("/reports?year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="report-table"' in html
    assert "全区合计" in html
    # losses count by the decision that stands once in effect; a first-instance loss under appeal is pending
    assert '<th scope="col">裁判未生效</th>' in html
    assert "一审判决败诉但仍在上诉期内或已上诉、二审尚未审结的，计入“裁判未生效”，不计为败诉" in html
    assert 'href="/reports"' in html  # the nav shows it to those who may read it
    csv = jb.get("/reports.csv?year=2026")
    assert csv.headers["Content-Disposition"] == 'attachment; filename="art19-report-2026.csv"'
    assert csv.get_data(as_text=True).startswith("\ufeff承办单位")
    xlsx = jb.client.get("/reports.xlsx?year=2026")
    assert xlsx.headers["Content-Disposition"] == 'attachment; filename="art19-report-2026.xlsx"'
    assert xlsx.get_data().startswith(b"PK")
    assert "/reports.xlsx?year=2026" in html
    officer = Web(app, "land_officer")
    assert officer.get("/reports").status_code == 403
    assert 'href="/reports"' not in officer.get("/inbox").get_data(as_text=True)


def test_password_guessing_is_slowed_down_for_pages_and_api(app: Flask) -> None:
    web = Web(app)
    web.get("/login")
    for _ in range(5):
        assert web.post("/login", {"username": "clerk", "password": "guess"}).status_code == 401
    locked = web.post("/login", {"username": "clerk", "password": PASSWORDS["clerk"]})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.get_data(as_text=True)
    api = app.test_client().post("/api/v1/auth/token", json={"username": "clerk", "password": PASSWORDS["clerk"]})
    assert api.status_code == 429
    assert api.get_json()["error"] == "too_many_attempts"
    other = app.test_client().post("/api/v1/auth/token", json={"username": "jb_staff", "password": "x"})
    assert other.status_code == 401  # other users are not affected, and the API counts its failures too


def test_a_file_attached_to_a_form_with_errors_stays_attached(app: Flask) -> None:
    web = Web(app, "clerk")
    case_id, task_id = start_case(web)
    bad = web.post(
        f"/tasks/{task_id}",
        {"f.case_no": "ab", "f.defendant": "unit", "f.notice_scan": (BytesIO(PDF), "通知书.pdf")},
        content_type="multipart/form-data",
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "通知书.pdf" in html
    kept = re.search(r'name="f.notice_scan.keep" value="([0-9a-f]{64})"', html)
    assert kept is not None
    done = web.post(
        f"/tasks/{task_id}",
        {"f.case_no": "(2026)蒙0205行初11号", "f.defendant": "unit", "f.notice_scan.keep": kept.group(1)},
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    with host_of(app).database.transaction() as session:
        case = session.get(Instance, case_id)
        assert case is not None
        assert kept.group(1) in case.data_json


def test_odd_addresses_get_a_page_not_a_server_error(app: Flask) -> None:
    web = Web(app, "jb_staff")
    assert web.get("/lang/en?next=/x%0D%0ALocation:%20//evil").headers["Location"] == "/inbox"
    assert web.get("/inbox?page=99999999999999999999999").status_code == 200
    assert web.get("/reports?year=99999").status_code == 200
    assert web.get("/reports?year=-3").status_code == 200


def test_a_number_field_refuses_nan_and_infinity() -> None:
    schema = {"type": "object", "properties": {"amount": {"type": "number", "minimum": 0}}}
    for typed in ("nan", "inf", "1e400"):
        value = parse_form(schema, {}, ImmutableMultiDict([("f.amount", typed)]), ImmutableMultiDict(), lambda *_: "")
        assert value == {"amount": typed}
        assert [e.validator for e in form_errors(schema, value)] == ["type"]
