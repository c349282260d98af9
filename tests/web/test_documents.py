"""The documents box on the task and case pages of a real defence (processes/defence.bpmn): download links that
give the filled-in DOCX, only to those who may see the case; the generation on the history page; the sealed
copy uploaded back to the case."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from docx import Document
from flask import Flask

from tests.processes.support import at, deploy_only, diagram_files, signer, start_case, tasks
from tests.services.test_documents import CASE, MATERIALS, user
from tests.web.test_pages import PDF, Web
from tests.web.test_reads_beside_steps import a_write_goes_through
from workflow_host import create_app
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.services import documents
from workflow_host.services.task_completion import save_draft
from workflow_host.services.termination import terminate_case


@pytest.fixture
def defence(host: Host) -> Iterator[tuple[Flask, int, str]]:
    """The app with a land-bureau defence waiting at `prepare_defence`, a draft of its materials saved."""
    with use_clock(FixedClock(at("2026-09-21T09:00"))):
        deploy_only(host, diagram_files("defence.bpmn"))
        case_id = start_case(signer(host)("jb_staff"), "defence", CASE)
        [task] = tasks(signer(host)("land_officer"), "prepare_defence")
        with host.database.transaction() as session:
            save_draft(session, user(session, "land_officer"), task["id"], MATERIALS)
        yield create_app({"TESTING": True, "HOST": host}), case_id, task["id"]


def links(html: str) -> list[str]:
    return re.findall(r'href="(/(?:tasks|cases)/[^"]+/documents/[^"]+)"', html)


def test_the_task_page_offers_its_documents_filled_in(defence: tuple[Flask, int, str]) -> None:
    app, _case_id, task_id = defence
    officer = Web(app, "land_officer")
    html = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "文书" in html
    assert "在案件页面的“文书”栏上传盖章文本" in html
    assert "请先保存草稿" in html  # the documents print this form's draft
    found = links(html)
    assert found == [
        f"/tasks/{task_id}/documents/statement_of_defence?unit=land_bureau",
        f"/tasks/{task_id}/documents/legal_representative_certificate?unit=land_bureau",
        f"/tasks/{task_id}/documents/power_of_attorney?unit=land_bureau",
    ]
    response = officer.client.get(found[2])
    assert response.status_code == 200
    assert response.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = unquote(response.headers["Content-Disposition"])
    assert "授权委托书-石拐区自然资源局-（2026）蒙0205行初12号.docx" in disposition
    doc = Document(io.BytesIO(response.get_data()))
    assert [p.text for p in doc.paragraphs][:2] == ["授权委托书", "（2026）蒙0205行初12号"]


def test_only_those_who_see_the_case_get_its_documents(defence: tuple[Flask, int, str]) -> None:
    app, case_id, task_id = defence
    paths = [f"/tasks/{task_id}/documents/power_of_attorney", f"/cases/{case_id}/documents/power_of_attorney"]
    for username, allowed in (("land_officer", True), ("auditor", True), ("town_officer", False), ("analyst", False)):
        web = Web(app, username)
        assert [web.client.get(p).status_code == 200 for p in paths] == [allowed, allowed], username
    assert Web(app, "land_officer").get(f"/cases/{case_id}/documents/no_such_document").status_code == 404
    assert Web(app, "land_officer").get(f"/tasks/{task_id}/documents/loss_analysis_report").status_code == 404


def test_a_download_another_site_starts_is_refused_and_records_nothing(defence: tuple[Flask, int, str]) -> None:
    app, case_id, task_id = defence
    officer = Web(app, "land_officer")
    path = f"/cases/{case_id}/documents/power_of_attorney"
    refused = officer.client.get(path, headers={"Sec-Fetch-Site": "cross-site"})  # a link or script elsewhere
    assert refused.status_code == 403
    assert "由其他网站发起的下载已被拒绝" in refused.get_data(as_text=True)
    task_path = f"/tasks/{task_id}/documents/power_of_attorney"
    assert officer.client.get(task_path, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    history = Web(app, "auditor").get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert "生成文书" not in history
    for started_by in ("same-origin", "none"):  # a link on the case page; one opened from a chat or mail client
        assert officer.client.get(path, headers={"Sec-Fetch-Site": started_by}).status_code == 200
    assert "生成文书" in Web(app, "auditor").get(f"/cases/{case_id}/history").get_data(as_text=True)


def test_a_generation_shows_on_the_history_page(defence: tuple[Flask, int, str]) -> None:
    app, case_id, task_id = defence
    assert Web(app, "land_officer").client.get(f"/tasks/{task_id}/documents/statement_of_defence").status_code == 200
    history = Web(app, "auditor").get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert "生成文书" in history


def test_the_sealed_copy_is_uploaded_on_the_case_page(defence: tuple[Flask, int, str]) -> None:
    app, case_id, _task_id = defence
    officer = Web(app, "land_officer")
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f"/cases/{case_id}/documents/power_of_attorney?unit=land_bureau" in page
    assert 'name="document"' in page
    sent = {"document": "power_of_attorney", "file": (io.BytesIO(PDF), "授权委托书（盖章）.pdf")}
    response = officer.post(f"/cases/{case_id}/documents", sent, content_type="multipart/form-data")
    assert response.status_code == 302
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "盖章文本已存入案件材料" in page
    assert "授权委托书（盖章）.pdf" in page
    auditor = Web(app, "auditor")
    assert 'name="document"' not in auditor.get(f"/cases/{case_id}").get_data(as_text=True)
    sent = {"document": "power_of_attorney", "file": (io.BytesIO(PDF), "另一份.pdf")}
    refused = auditor.post(f"/cases/{case_id}/documents", sent, content_type="multipart/form-data")
    assert refused.status_code == 404
    history = auditor.get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert "上传盖章文本" in history


def test_a_sealed_copy_that_is_no_pdf_is_refused_in_chinese_and_the_uploader_is_named(
    defence: tuple[Flask, int, str],
) -> None:
    """It read 无法完成操作：'fake.pdf': this type of file is not accepted (allowed: …), though the name was .pdf and
    its content was what failed; and the sealed copies listed their uploader as land_officer."""
    app, case_id, _task_id = defence
    officer = Web(app, "land_officer")
    officer.get(f"/cases/{case_id}")
    fake = {"document": "power_of_attorney", "file": (io.BytesIO(b"just some text"), "fake.pdf")}
    refused = officer.post(f"/cases/{case_id}/documents", fake, content_type="multipart/form-data")
    page = officer.get(refused.headers["Location"]).get_data(as_text=True)
    assert "无法完成操作：“fake.pdf”：文件内容与扩展名不符。" in page
    assert "not accepted" not in page
    sent = {"document": "power_of_attorney", "file": (io.BytesIO(PDF), "授权委托书（盖章）.pdf")}
    officer.post(f"/cases/{case_id}/documents", sent, content_type="multipart/form-data")
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    kept = re.search(r"授权委托书（盖章）\.pdf</a> · ([^·]+) ·", page)
    assert kept is not None
    assert kept.group(1).strip() == "自然资源局法制员"


def test_a_draft_stays_with_the_tasks_candidates(defence: tuple[Flask, int, str]) -> None:
    """The justice bureau sees every case, but the land bureau's unsubmitted defence is the land bureau's: the
    task page and the documents show the bureau's staff the case's data, not the draft."""
    app, _case_id, task_id = defence
    draft_text = "请求驳回原告的诉讼请求"

    def defence_text(username: str) -> str:
        response = Web(app, username).client.get(f"/tasks/{task_id}/documents/statement_of_defence")
        assert response.status_code == 200, username
        return "\n".join(p.text for p in Document(io.BytesIO(response.get_data())).paragraphs)

    assert draft_text in defence_text("land_officer")
    assert draft_text in defence_text("auditor")
    assert draft_text not in defence_text("jb_staff")
    assert draft_text in Web(app, "land_officer").get(f"/tasks/{task_id}").get_data(as_text=True)
    page = Web(app, "jb_staff").get(f"/tasks/{task_id}")
    assert page.status_code == 200
    assert draft_text not in page.get_data(as_text=True)


def test_only_the_cases_units_and_the_district_file_sealed_copies(defence: tuple[Flask, int, str]) -> None:
    """The vice head in charge sees the land bureau's case, but its sealed papers are the bureau's (or the
    district's) to file."""
    app, case_id, _task_id = defence
    sent = {"document": "power_of_attorney", "file": (io.BytesIO(PDF), "授权委托书（盖章）.pdf")}
    vice = Web(app, "li_vice")
    assert 'name="document"' not in vice.get(f"/cases/{case_id}").get_data(as_text=True)
    assert vice.post(f"/cases/{case_id}/documents", sent, content_type="multipart/form-data").status_code == 404
    justice = Web(app, "jb_staff")
    assert 'name="document"' in justice.get(f"/cases/{case_id}").get_data(as_text=True)
    sent = {"document": "power_of_attorney", "file": (io.BytesIO(PDF), "授权委托书（盖章）.pdf")}
    assert justice.post(f"/cases/{case_id}/documents", sent, content_type="multipart/form-data").status_code == 302


def test_steps_go_on_while_a_document_is_filled_and_the_generation_is_recorded_after(
    defence: tuple[Flask, int, str], host: Host, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filling a document takes tens of milliseconds; on SQLite a download that held the write lock meanwhile made
    every step of every case wait for it. Now only the record of the generation takes the lock."""
    app, case_id, task_id = defence
    filling, filled = threading.Event(), threading.Event()
    real_render = documents.render

    def slow_render(*args: Any, **kwargs: Any) -> bytes:
        filling.set()
        filled.wait(10)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(documents, "render", slow_render)
    officer, answers = Web(app, "land_officer"), []
    path = f"/tasks/{task_id}/documents/power_of_attorney"

    def get() -> None:
        with use_clock(FixedClock(at("2026-09-21T09:30"))):  # the fixture's day, in this thread too
            answers.append(officer.client.get(path))

    download = threading.Thread(target=get, daemon=True)
    download.start()
    assert filling.wait(10)

    def write() -> None:
        with host.database.transaction() as session:
            save_draft(session, user(session, "land_officer"), task_id, {**MATERIALS, "defence_facts": "改"})

    wrote_meanwhile, writer = a_write_goes_through(write)
    filled.set()
    download.join(10)
    writer.join(10)
    assert wrote_meanwhile, "the write waited for the document to be filled"
    assert answers[0].status_code == 200
    history = Web(app, "auditor").get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert "生成文书" in history


def test_a_terminated_case_keeps_its_sealed_copies_and_takes_no_new_papers(defence: tuple[Flask, int, str]) -> None:
    """A terminated case still offered its documents to fill in and took a sealed copy uploaded to it."""
    app, case_id, task_id = defence
    officer = Web(app, "land_officer")
    sent = {"document": "power_of_attorney", "file": (io.BytesIO(PDF), "授权委托书（盖章）.pdf")}
    assert officer.post(f"/cases/{case_id}/documents", sent, content_type="multipart/form-data").status_code == 302
    with app.app_context(), use_clock(FixedClock(at("2026-09-22T09:00"))):
        host = app.config["HOST"]
        with host.database.transaction() as session:
            terminate_case(session, user(session, "jb_staff"), case_id, "重复登记，与另一案件为同一起诉")

    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert links(page) == []  # nothing to fill in any more, on the case page
    assert "本案已终止" in page
    assert 'name="document"' not in page
    [kept] = re.findall(r'href="(/cases/\d+/files/\d+)">授权委托书（盖章）.pdf</a> ·', page)
    assert officer.client.get(kept).status_code == 200  # what was filed stays readable
    assert links(officer.get(f"/tasks/{task_id}").get_data(as_text=True)) == []
    for path in (f"/cases/{case_id}/documents/power_of_attorney", f"/tasks/{task_id}/documents/power_of_attorney"):
        refused = officer.client.get(path)
        assert refused.status_code == 409
        assert "本案已终止" in refused.get_data(as_text=True)

    uploads = officer.get(f"/cases/{case_id}/history").get_data(as_text=True).count("上传盖章文本")
    sent = {"document": "power_of_attorney", "file": (io.BytesIO(PDF), "另一份.pdf")}
    refused = officer.post(f"/cases/{case_id}/documents", sent, content_type="multipart/form-data")
    assert refused.status_code == 409
    assert "本案已终止，不再制作文书，也不再接收盖章文本" in refused.get_data(as_text=True)
    page = officer.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "另一份.pdf" not in page
    history = officer.get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert history.count("上传盖章文本") == uploads  # nothing recorded
