"""Issue #7: leaving the modeller, the form editor or the decision editor with unsaved changes asks first: a link
of the page asks in the page's language (stay or leave), closing the tab gets the browser's question; a page
without changes, or whose changes were saved, lets the analyst go without a question."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.browser.conftest import LiveServer, sign_in
from tests.browser.test_decisions import MAJOR, SHORTER, replace_cell
from tests.browser.test_documents import defence_task
from tests.browser.test_history import register_case
from tests.conftest import PASSWORDS
from workflow_host.engine import FixedClock
from workflow_host.host import Host

QUESTION = "有未保存的修改"


def answer_dialogs(page: Any, accept: bool) -> list[tuple[str, str]]:
    """Record every dialog the page opens (type, message) and answer it."""
    seen: list[tuple[str, str]] = []

    def handle(dialog: Any) -> None:
        seen.append((dialog.type, dialog.message))
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", handle)
    return seen


def test_the_modeller_asks_before_a_link_leaves_unsaved_changes(new_page: Callable[[], Any], live: LiveServer) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    analyst.goto("/modeller/signoff")
    analyst.wait_for_selector("#canvas[data-state='ready']")
    analyst.click(".crumbs a")  # nothing changed: no question
    analyst.wait_for_url("**/modeller/signoff/versions")
    analyst.go_back()
    analyst.wait_for_selector("#canvas[data-state='ready']")

    analyst.click("#canvas g.djs-element[data-element-id='decide_signoff_chain'] .djs-hit")
    analyst.fill("#bio-properties-panel-name", "确定审签层级（改）")
    analyst.wait_for_selector("#canvas[data-dirty]")
    seen = answer_dialogs(analyst, accept=False)
    analyst.click("nav.mainnav a[href='/inbox']")
    assert [kind for kind, _message in seen] == ["confirm"]
    assert QUESTION in seen[0][1]
    assert analyst.url.endswith("/modeller/signoff")  # stayed, the change still there
    assert analyst.input_value("#bio-properties-panel-name") == "确定审签层级（改）"


def test_the_form_editor_lets_the_analyst_leave_after_saying_so(new_page: Callable[[], Any], live: LiveServer) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    analyst.goto("/modeller/forms/archive_file")
    schema = json.loads(analyst.input_value("#schema"))
    schema["title"] = "归档（改）"
    analyst.fill("#schema", json.dumps(schema, ensure_ascii=False))
    seen = answer_dialogs(analyst, accept=True)
    analyst.click(".crumbs a")
    analyst.wait_for_url("**/modeller")
    assert [kind for kind, _message in seen] == ["confirm"]  # asked once: the browser did not ask again


def test_the_decision_editor_guards_closing_the_tab_until_saved(new_page: Callable[[], Any], live: LiveServer) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    analyst.goto("/modeller/decisions/signoff_chain")
    analyst.wait_for_selector("#decision[data-state='ready']")
    replace_cell(analyst, MAJOR, SHORTER)
    seen = answer_dialogs(analyst, accept=False)
    analyst.close(run_before_unload=True)
    analyst.wait_for_timeout(500)
    assert [kind for kind, _message in seen] == ["beforeunload"]
    assert not analyst.is_closed()

    analyst.click("#save")
    analyst.wait_for_selector("#modeller-status[data-tone='ok']")
    analyst.click(".crumbs a")  # saved: no question
    analyst.wait_for_url("**/modeller")
    assert [kind for kind, _message in seen] == ["beforeunload"]


def test_a_task_form_asks_before_a_link_leaves_what_was_typed(
    new_page: Callable[[], Any], live: LiveServer, measures: Host, clock: FixedClock
) -> None:
    register_case(measures, clock)
    task_id = defence_task(measures, clock)
    officer = new_page()
    sign_in(officer, "land_officer", PASSWORDS["land_officer"])
    officer.goto(f"/tasks/{task_id}")
    officer.fill("#field-statement_of_defence", "一、被诉决定认定事实清楚。")
    seen = answer_dialogs(officer, accept=False)
    officer.click("nav.mainnav a[href='/inbox']")
    assert [kind for kind, _message in seen] == ["confirm"]
    assert QUESTION in seen[0][1]
    assert officer.url.endswith(f"/tasks/{task_id}")  # stayed, with what was typed
    assert officer.input_value("#field-statement_of_defence") == "一、被诉决定认定事实清楚。"

    officer.click("button[value='draft']")  # the form's own buttons are never asked about
    officer.wait_for_selector(".flash-success")
    assert len(seen) == 1
    officer.click("nav.mainnav a[href='/inbox']")  # saved: nothing to lose, no question
    officer.wait_for_url("**/inbox")
    assert len(seen) == 1
