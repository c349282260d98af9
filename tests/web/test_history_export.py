"""The history page's CSV export reads in Excel as the page does (Chinese headers, events in words, people by
name, Beijing time, UTF-8 with a byte order mark); the API's export and events keep their format."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

from flask import Flask

from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import Web
from tests.web.test_yes_no import APPEAL, appeal_waiting_for_the_decision
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.models import User

BEIJING = timezone(timedelta(hours=8))


def case(measures: Host) -> tuple[Flask, int]:
    app = create_app({"TESTING": True, "HOST": measures})
    case_id, _task = appeal_waiting_for_the_decision(app)
    return app, case_id


def exported(web: Web, path: str) -> tuple[str, list[list[str]]]:
    response = web.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    body = response.get_data(as_text=True)
    return body, list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_page_export_is_in_chinese_words_and_beijing_time(measures: Host) -> None:
    app, case_id = case(measures)
    body, rows = exported(Web(app, "clerk"), f"/cases/{case_id}/history/export?format=csv")
    assert body.startswith("\ufeff")  # Excel opens it as UTF-8
    assert rows[0][0].startswith("(2026)蒙0205行初31号 办理记录；哈希链末端 ")
    assert rows[1][:6] == ["序号", "时间（北京时间）", "事件", "办理人", "环节", "登记或决定的内容"]
    events = Api(app.test_client(), "clerk", PASSWORDS["clerk"]).get(f"/instances/{case_id}/events").get_json()
    first = events["events"][0]
    local = datetime.fromisoformat(first["at"]).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    assert rows[2][:4] == ["1", local, "登记立案", "办公室科员（clerk）"]
    opinion = next(row for row in rows[2:] if row[4] == "报送上诉意见")
    assert opinion[2] == "办结环节"
    assert opinion[3] == "自然资源局法制员（land_officer）"
    assert "是否要求上诉：不服，要求上诉" in opinion[5]
    assert "审级：一审" in rows[2][5]
    assert [row[6] for row in rows[2:]] == [e["hash"] for e in events["events"]]  # still checkable
    assert not any("task_completed" in cell for row in rows for cell in row[:6])


def test_the_page_export_names_a_person_with_a_post_once_with_the_account(measures: Host) -> None:
    """It read 自然资源局法制员（法制员）（land_officer）: two brackets in a row."""
    with measures.database.transaction() as db:
        officer = db.get(User, "land_officer")
        assert officer is not None
        officer.position = "法制员"
    app, case_id = case(measures)
    _body, rows = exported(Web(app, "clerk"), f"/cases/{case_id}/history/export?format=csv")
    opinion = next(row for row in rows[2:] if row[4] == "报送上诉意见")
    assert opinion[3] == "自然资源局法制员（法制员，land_officer）"
    assert rows[2][3] == "办公室科员（clerk）"  # no post: the account alone in the brackets


def test_the_page_export_speaks_english_in_english(measures: Host) -> None:
    app, case_id = case(measures)
    clerk = Web(app, "clerk")
    clerk.get("/lang/en")
    _body, rows = exported(clerk, f"/cases/{case_id}/history/export?format=csv")
    assert rows[1][:4] == ["No.", "Time (Beijing)", "Event", "Who"]
    assert rows[2][2] == "Case registered"


def test_the_raw_export_and_the_api_keep_their_format(measures: Host) -> None:
    app, case_id = case(measures)
    _body, raw = exported(Web(app, "clerk"), f"/cases/{case_id}/history/export?format=csv&raw=1")
    assert raw[0][0].startswith("# instance ")
    assert raw[1] == ["seq", "type", "actor", "at", "version_hash", "state_hash", "prev_hash", "hash", "payload"]
    assert raw[2][1:3] == ["instance_created", "clerk"]
    api = Api(app.test_client(), "clerk", PASSWORDS["clerk"])
    from_api = api.get(f"/instances/{case_id}/export?format=csv").get_data(as_text=True)
    assert from_api.startswith("# instance ")
    assert list(csv.reader(io.StringIO(from_api)))[1] == raw[1]


def test_text_typed_as_a_formula_stays_text_in_excel(measures: Host) -> None:
    """A case number typed as =HYPERLINK(…) (or anything starting = + - @) would run as a formula when the auditor
    opens the export in Excel or WPS: every cell that would start one starts with an apostrophe instead."""
    app = create_app({"TESTING": True, "HOST": measures})
    clerk = Api(app.test_client(), "clerk", PASSWORDS["clerk"])
    typed = '=HYPERLINK("http://evil.example/","点此查看")'
    created = clerk.post("/instances", json={"process_id": "appeal", "data": {**APPEAL, "case_no": typed}})
    case_id = created.get_json()["id"]
    _body, rows = exported(Web(app, "clerk"), f"/cases/{case_id}/history/export?format=csv")
    assert rows[0][0].startswith(f"'{typed} 办理记录")
    starts = [cell[:1] for row in rows for cell in row if cell]
    assert not {"=", "+", "-", "@"} & set(starts)


def test_an_auditors_reading_is_worded_not_a_code(measures: Host) -> None:
    """An auditor's reading of the case is itself an event: the export said what was read as the code the host
    keeps (`history`, `export csv`); it says it in words, in the page's language."""
    app, case_id = case(measures)
    auditor = Web(app, "auditor")
    assert auditor.get(f"/cases/{case_id}/history").status_code == 200
    _body, rows = exported(auditor, f"/cases/{case_id}/history/export?format=csv")
    read = [row[5] for row in rows[2:] if row[2] == "审计查阅"]
    assert read[-2:] == ["查阅办理记录", "导出办理记录（CSV）"]
    auditor.get("/lang/en")
    _body, rows = exported(auditor, f"/cases/{case_id}/history/export?format=csv")
    read = [row[5] for row in rows[2:] if row[2] == "Read by an auditor"]
    assert read[-3:] == ["Read the case history", "Exported the case history (CSV)", "Exported the case history (CSV)"]
    assert not any(cell in ("history", "export csv") for row in rows for cell in row[:6])
