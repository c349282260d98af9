"""Issue #7's form editor in a real browser: the preview follows the schema as the analyst types."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.conftest import PASSWORDS


def test_the_preview_follows_the_schema_as_it_is_typed(new_page: Callable[[], Any], live: LiveServer) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    analyst.goto("/modeller/forms/archive_file")
    assert analyst.locator("#form-preview input, #form-preview select, #form-preview textarea").count() > 3
    schema = json.loads(analyst.input_value("#schema"))
    schema["properties"]["archive_note"] = {"type": "string", "title": "归档备注（新增）"}
    analyst.fill("#schema", json.dumps(schema, ensure_ascii=False, indent=2))
    analyst.wait_for_selector("#form-preview >> text=归档备注（新增）")
    analyst.fill("#schema", "{ not json")
    analyst.wait_for_selector("#form-preview[data-state='invalid']")
    assert "JSON 格式不正确" in analyst.inner_text("#form-problems")
    screenshot(analyst, "form-editor")


def test_a_save_says_the_forms_own_revision_and_refreshes_the_header(
    new_page: Callable[[], Any], live: LiveServer
) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    analyst.goto("/modeller/forms/archive_file")
    assert analyst.inner_text("#version-revision") == "1"
    opened_at = analyst.inner_text("#version-deployed-at")
    schema = json.loads(analyst.input_value("#schema"))
    schema["properties"]["archive_note"] = {"type": "string", "title": "归档备注（新增）"}
    analyst.fill("#schema", json.dumps(schema, ensure_ascii=False, indent=2))
    analyst.click("#save-form")
    analyst.wait_for_selector("#form-status[data-tone='ok']")
    version = analyst.inner_text("#version-id")
    # the form's second revision, not "版本 2" of every process and form together (it may be any number)
    assert analyst.inner_text("#form-status") == f"已保存：第 2 版（系统版本 {version}）。"
    assert analyst.inner_text("#version-revision") == "2"
    assert analyst.inner_text("#version-deployed-at") == "2026-09-21 09:00" != opened_at
    assert analyst.inner_text("#version-deployed-by") == "分析员"
    screenshot(analyst, "form-editor-saved")
