"""Issue #4's acceptance path in a real browser: a clerk registers a case (one invalid field first), the
handling unit's officer finds the task with its deadline and claims it, another unit's officer cannot see it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORDS
from workflow_host.host import Host
from workflow_host.models import InboxTask, Instance

CASE_NO = "(2026)蒙0205行初12号"


def fill_intake(page: Any, case_no: str) -> None:
    page.fill("#field-notice_received_on", "2026-09-19")
    page.fill("#field-complaint_served_on", "2026-09-20")
    page.fill("#field-case_no", case_no)
    page.fill("#field-court", "包头市石拐区人民法院")
    page.fill("#field-plaintiff", "张某")
    page.fill("#field-cause", "不服限期拆除决定")
    page.check("input[name='f.defendant'][value='unit']")
    page.select_option("#field-defendant_unit", "land_bureau")
    page.select_option("#field-acting_units-0", "land_bureau")
    page.check("input[name='f.reconsideration'][value='none']")
    page.check("input[name='f.significance'][value='ordinary']")


def the_case(host: Host) -> tuple[Instance, list[InboxTask]]:
    with host.database.transaction() as session:
        case = session.scalars(select(Instance)).one()
        tasks = list(session.scalars(select(InboxTask).where(InboxTask.instance_id == case.id)))
        session.expunge_all()
    return case, tasks


def test_clerk_registers_a_case_and_the_handling_unit_claims_it(new_page: Callable[[], Any], measures: Host) -> None:
    clerk = new_page()
    sign_in(clerk, "clerk", PASSWORDS["clerk"])
    clerk.click("nav.mainnav >> text=新建案件")
    clerk.check("input[name='process_id'][value='litigation_case']")
    clerk.click("button:has-text('登记')")
    clerk.wait_for_url("**/tasks/*")
    intake_url = clerk.url

    fill_intake(clerk, "x")  # one invalid field: a case number of one character
    clerk.click("button[value='complete']")
    error = clerk.locator("#field-case_no-error")
    assert error.inner_text() == "“案号”至少填写 2 个字。"
    assert "表单有误，未作保存" in clerk.locator(".flash-error").inner_text()
    assert clerk.input_value("#field-court") == "包头市石拐区人民法院"  # nothing typed is lost
    screenshot(clerk, "task-form-invalid")
    case, tasks = the_case(measures)
    assert "case_no" not in json.loads(case.data_json)  # nothing was saved
    assert [(t.element_id, t.status) for t in tasks] == [("intake", "ready")]
    revision = case.revision

    clerk.fill("#field-case_no", CASE_NO)
    clerk.fill("#field-complaint_served_on", "2026-09-18")  # before the notice: the diagram's own check refuses
    clerk.click("button[value='complete']")
    refusal = clerk.locator(".flash-error").inner_text()
    assert refusal == "收到起诉状副本日期不能早于收到应诉通知书日期"  # in the diagram's words, nothing else
    assert clerk.input_value("#field-case_no") == CASE_NO
    assert the_case(measures)[0].revision == revision

    clerk.fill("#field-complaint_served_on", "2026-09-20")
    clerk.click("button[value='complete']")
    clerk.wait_for_url(lambda url: url != intake_url)
    case, tasks = the_case(measures)
    assert case.revision > revision
    assert json.loads(case.data_json)["case_no"] == CASE_NO
    assert ("intake", "completed") in [(t.element_id, t.status) for t in tasks]

    officer = new_page()
    sign_in(officer, "land_officer", PASSWORDS["land_officer"])
    row = officer.locator("tr", has_text=CASE_NO)
    assert row.count() == 1
    assert "准备答辩材料" in row.inner_text()
    assert "2026-10-08 23:59" in row.locator("td.due").inner_text()  # ALL Art. 67, past National Day
    assert "剩余 17 天" in row.locator("td.due").inner_text()
    assert officer.locator(".tab[data-tab='unclaimed'] .count").inner_text() == "1"
    row.locator("button:has-text('认领')").click()
    officer.wait_for_load_state()
    assert "您已认领此任务" in officer.locator(".flash-success").inner_text()
    row = officer.locator("tr", has_text=CASE_NO)
    assert "自然资源局法制员" in row.inner_text()  # who claimed it, by name
    assert officer.locator(".tab[data-tab='claimed'] .count").inner_text() == "1"
    screenshot(officer, "inbox")
    officer.set_viewport_size({"width": 820, "height": 1180})  # a tablet held upright
    assert officer.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(officer, "inbox-tablet")
    officer.set_viewport_size({"width": 1280, "height": 900})

    row.locator("a").first.click()
    officer.wait_for_url("**/tasks/*")
    assert "准备答辩材料" in officer.locator("h1").inner_text()
    assert officer.locator(".instructions").count() == 1
    screenshot(officer, "task")
    task_url = officer.url

    officer.click("text=查看案件")
    officer.wait_for_selector("#diagram[data-state='ready']")
    assert int(officer.get_attribute("#diagram", "data-marked") or 0) > 0
    assert officer.locator(".djs-element.state-active").count() >= 1
    assert officer.locator(".djs-element.state-completed").count() >= 1
    screenshot(officer, "case")

    other = new_page()
    sign_in(other, "town_officer", PASSWORDS["town_officer"])
    assert other.locator("tr", has_text=CASE_NO).count() == 0
    assert other.locator(".tab[data-tab='todo'] .count").inner_text() == "0"
    response = other.goto(task_url)
    assert response is not None
    assert response.status == 403
    assert "您无权查看此任务" in other.content()


def test_the_new_case_button_stands_clear_of_the_line_above(new_page: Callable[[], Any], measures: Host) -> None:
    """On 新建案件 the 登记 button sat tight under the last line above it (the parts of a case to run alone)."""
    clerk = new_page()
    sign_in(clerk, "clerk", PASSWORDS["clerk"])
    clerk.goto("/cases/new")
    button = clerk.locator("main form button.primary")
    above = button.locator("xpath=preceding-sibling::*[1]")
    gap = button.bounding_box()["y"] - (above.bounding_box()["y"] + above.bounding_box()["height"])
    assert gap >= 12, gap
    screenshot(clerk, "new-case")
