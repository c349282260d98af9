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
