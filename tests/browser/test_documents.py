"""Issue #9's documents in a real browser: the handling unit opens its defence task on a registered case,
downloads the power of attorney pre-filled from the case, and uploads the sealed copy on the case page."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document

from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.browser.test_history import register_case
from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import PDF
from workflow_host import create_app
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host


def defence_task(host: Host, clock: FixedClock) -> str:
    client = create_app({"TESTING": True, "HOST": host}).test_client()
    with use_clock(clock):
        officer = Api(client, "land_officer", PASSWORDS["land_officer"])
        [task] = [t for t in officer.get("/tasks").get_json()["tasks"] if t["name"] == "prepare_defence"]
    return str(task["id"])


def test_the_unit_downloads_its_documents_and_files_the_sealed_copy(
    new_page: Callable[[], Any], live: LiveServer, measures: Host, clock: FixedClock, tmp_path: Path
) -> None:
    case_id = register_case(measures, clock)
    task_id = defence_task(measures, clock)
    page = new_page()
    sign_in(page, "land_officer", PASSWORDS["land_officer"])
    page.goto(f"/tasks/{task_id}")
    box = page.locator("#documents")
    assert box.locator("h2").inner_text() == "文书"
    assert box.locator("a").count() == 3
    screenshot(page, "documents-task")
    with page.expect_download() as download:
        box.locator("a", has_text="授权委托书").click()
    saved = tmp_path / "poa.docx"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "授权委托书-石拐区自然资源局-(2026)蒙0205行初21号.docx"
    lines = [p.text for p in Document(io.BytesIO(saved.read_bytes())).paragraphs]
    assert lines[:2] == ["授权委托书", "(2026)蒙0205行初21号"]
    assert "现委托上列受委托人在原告李某诉石拐区自然资源局行政处罚决定一案中，作为我方诉讼代理人。" in lines

    page.goto(f"/cases/{case_id}")
    form = page.locator("form.upload-document")
    form.locator("select[name=document]").select_option("power_of_attorney")
    sealed = tmp_path / "授权委托书（盖章）.pdf"
    sealed.write_bytes(PDF)
    form.locator("input[type=file]").set_input_files(str(sealed))
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".flash-success")
    assert "盖章文本已存入案件材料" in page.locator(".flash-success").inner_text()
    assert "授权委托书（盖章）.pdf" in page.locator("#documents").inner_text()
    screenshot(page, "documents-case")
