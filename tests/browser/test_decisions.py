"""Issue #7's decision editor in a real browser: an analyst opens the Art. 4 sign-off table from the modeller
index, changes an output cell in dmn-js and saves a new version that the version list shows and that decides
the new chain; an expression the sandbox refuses is listed and nothing is saved; a clerk only looks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.conftest import PASSWORDS
from tests.processes.test_decisions import decide, harness
from workflow_host.host import Host

PAGE = "/modeller/decisions/signoff_chain"
MAJOR = "td[data-row-id='sc_major'][data-col-id='out_signoff_chain'] .content-editable"
ORDINARY = "td[data-row-id='sc_ordinary'][data-col-id='out_signoff_chain'] .content-editable"
SHORTER = '["office_deputy_director", "office_director", "vice_head_in_charge", "district_head"]'


def open_decision(page: Any) -> dict[str, Any]:
    page.goto("/modeller")
    page.click("#decision-table a[href$='/signoff_chain']")
    page.wait_for_selector("#decision[data-state='ready']")
    config: dict[str, Any] = json.loads(page.locator("#decision-config").text_content() or "{}")
    return config


def shown_version(page: Any) -> int:
    return int(page.get_attribute("#version-id", "data-version-id") or 0)


def replace_cell(page: Any, selector: str, text: str) -> None:
    """Type over a cell of the table as an analyst would; the page is marked dirty once dmn-js took it."""
    page.click(selector)
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(text)
    page.wait_for_selector("#decision[data-dirty]")


def test_an_analyst_changes_a_cell_and_saves_a_version_that_decides_with_it(
    new_page: Callable[[], Any], measures: Host
) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    config = open_decision(analyst)
    first = shown_version(analyst)
    assert "当" in analyst.inner_text("#decision")  # dmn-js speaks the page's language
    replace_cell(analyst, MAJOR, SHORTER)
    assert "未保存" in analyst.inner_text("#modeller-status")
    analyst.click("#save")
    analyst.wait_for_selector("#modeller-status[data-tone='ok']")
    saved = shown_version(analyst)
    assert saved > first
    assert analyst.inner_text("#modeller-status") == f"已保存：第 2 版（系统版本 {saved}）。"
    # the header follows the save: this file's second revision, deployed now by the analyst
    assert analyst.inner_text("#version-revision") == "2"
    assert analyst.inner_text("#version-deployed-at") == "2026-09-21 09:00"
    assert analyst.inner_text("#version-deployed-by") == "分析员"
    screenshot(analyst, "decision-saved")

    analyst.goto("/modeller/signoff/versions")  # the process calling the table lists the version
    assert analyst.get_attribute("#versions-table tbody tr:first-child", "data-version") == str(saved)
    source = analyst.request.get(config["urls"]["source"]).body()
    assert SHORTER.encode() in source
    decided = decide(
        measures.runtime,
        measures.runtime.compile(harness("signoff_chain", source)).spec_json,
        "signoff_chain",
        {"significance": "major"},
    )
    assert decided["signoff_chain"] == json.loads(SHORTER)


def test_an_expression_the_sandbox_refuses_is_listed_and_nothing_is_saved(new_page: Callable[[], Any]) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    open_decision(analyst)
    first = shown_version(analyst)
    replace_cell(analyst, ORDINARY, "().__class__.__base__.__subclasses__()")
    analyst.click("#save")
    analyst.wait_for_selector("#modeller-status[data-tone='error']")
    problems = analyst.inner_text("#errors")
    assert "sc_ordinary" in problems
    assert "规则 1（sc_ordinary）的输出值不被接受" in problems  # in the page's language
    assert "__subclasses__" in problems
    assert "未保存" in analyst.inner_text("#modeller-status")  # "nothing was saved"
    assert analyst.locator("#decision[data-dirty]").count() == 1  # the change stays on the page to be mended
    assert analyst.locator("#decision td.validation-error[data-row-id='sc_ordinary']").count() >= 2  # the rule
    assert analyst.locator("#decision td.validation-error:not([data-row-id='sc_ordinary'])").count() == 0
    analyst.click("#errors button[data-row-id='sc_ordinary']")
    assert shown_version(analyst) == first
    screenshot(analyst, "decision-refused")


def test_a_clerk_sees_the_table_but_cannot_change_or_save_it(new_page: Callable[[], Any], live: LiveServer) -> None:
    clerk = new_page()
    sign_in(clerk, "clerk", PASSWORDS["clerk"])
    clerk.goto(PAGE)
    clerk.wait_for_selector("#decision[data-state='ready']")
    assert "district_head" in clerk.inner_text("#decision")
    assert clerk.locator("#save").count() == 0
    assert clerk.locator("#decision [contenteditable='true']").count() == 0


def test_a_business_rule_task_links_to_the_table_it_calls(new_page: Callable[[], Any], live: LiveServer) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    analyst.goto("/modeller/signoff")
    analyst.wait_for_selector("#canvas[data-state='ready']")
    analyst.click("#canvas g.djs-element[data-element-id='decide_signoff_chain'] .djs-hit")
    analyst.click("#spiff-open-decision")
    analyst.wait_for_url("**" + PAGE)
    analyst.wait_for_selector("#decision[data-state='ready']")
