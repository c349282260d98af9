"""The modeller speaks the page's language: on a Chinese page bpmn-js's palette, context pad, replace menu and the
properties panel's element types are in Chinese; on an English page they stay as bpmn-js words them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_modeller import select_element
from tests.conftest import PASSWORDS

ENGLISH = re.compile(r"[A-Za-z]{3,}")


def open_diagram(page: Any, process_id: str) -> None:
    page.goto(f"/modeller/{process_id}")
    page.wait_for_selector("#canvas[data-state='ready']")


def header_type(page: Any) -> str:
    return str(page.text_content(".bio-properties-panel-header-type")).strip()  # as written, not as CSS capitalises it


def replace_menu(page: Any) -> list[str]:
    """The element types the context pad's "change type" offers for the selected element."""
    page.click(".djs-context-pad .entry[data-action='replace']")
    page.wait_for_selector(".djs-popup .entry")
    labels = [t.strip() for t in page.locator(".djs-popup .entry .djs-popup-label").all_inner_texts()]
    page.keyboard.press("Escape")
    return labels


def test_a_chinese_modeller_names_element_types_and_tools_in_chinese(new_page: Callable[[], Any]) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    open_diagram(analyst, "litigation_case")
    assert analyst.get_attribute(".djs-palette .entry[data-action='create.task']", "aria-label") == "任务"
    assert analyst.get_attribute(".djs-palette .entry[data-action='create.exclusive-gateway']", "aria-label") == "网关"

    select_element(analyst, "intake")
    assert header_type(analyst) == "用户任务"
    assert analyst.get_attribute(".djs-context-pad .entry[data-action='append.gateway']", "title") == "接网关"
    assert analyst.get_attribute(".djs-context-pad .entry[data-action='replace']", "title") == "更改类型"
    offered = replace_menu(analyst)
    assert {"任务", "服务任务", "脚本任务", "业务规则任务", "调用活动", "子流程（折叠）"} <= set(offered)
    assert not [label for label in offered if ENGLISH.search(label)], offered

    open_diagram(analyst, "litigation_case")  # afresh: the task's context pad would cover the gateway
    select_element(analyst, "government_defendant")
    assert header_type(analyst) == "排他网关"
    analyst.click(".djs-context-pad .entry[data-action='replace']")
    analyst.wait_for_selector(".djs-popup .entry")
    screenshot(analyst, "modeller-replace-menu-zh")
    offered = [t.strip() for t in analyst.locator(".djs-popup .entry .djs-popup-label").all_inner_texts()]
    analyst.keyboard.press("Escape")
    assert {"并行网关", "包容网关", "事件网关"} <= set(offered)
    assert not [label for label in offered if ENGLISH.search(label)], offered

    open_diagram(analyst, "loss_report")
    select_element(analyst, "loss_report_overdue")
    assert header_type(analyst) == "定时边界事件"
    offered = replace_menu(analyst)
    assert {"消息边界事件", "定时边界事件（非中断）", "升级边界事件（非中断）"} <= set(offered)
    assert not [label for label in offered if ENGLISH.search(label)], offered


def test_an_english_modeller_keeps_bpmn_js_words(new_page: Callable[[], Any]) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    analyst.goto("/lang/en?next=/modeller/litigation_case")
    analyst.wait_for_selector("#canvas[data-state='ready']")
    assert analyst.get_attribute(".djs-palette .entry[data-action='create.task']", "aria-label") == "Create task"
    select_element(analyst, "intake")
    assert header_type(analyst) == "User Task"
    assert {"Task", "Service task", "Call activity"} <= set(replace_menu(analyst))
