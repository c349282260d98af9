"""A walk chose 负责人不出庭 on 安排出庭应诉人员 and still saw the head's 姓名*/职务* and the help for a head who
appears. The page now shows each part of the arrangement by the answer (ui:showWhen), its stars with it, and sends
only what it shows; without JavaScript it shows everything."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.conftest import PASSWORDS, Api
from workflow_host import create_app
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.services.timers import fire_due_timers

CASE = {
    "case_no": "(2026)蒙0205行初12号",
    "defendant": "unit",
    "defendant_unit": "land_bureau",
    "instance_level": "first",
    "lost_first_instance": False,
    "head_appeared_first_instance": False,
    "handling_units": ["land_bureau"],
    "hearing_on": "2026-11-20T09:30:00+08:00",
}
STATEMENT = "本局局长因参加自治区专项督查，开庭当日不能出庭应诉，特此说明。"
ACCOMPANY = "负责人出庭的，可另有至多二名诉讼代理人随同出庭。"


def officer_task_page(new_page: Callable[[], Any], task_id: str) -> Any:
    """The land bureau officer's page of the task, its show-when script ready."""
    page = new_page()
    sign_in(page, "land_officer", PASSWORDS["land_officer"])
    page.goto(f"/tasks/{task_id}")
    page.wait_for_selector("form.task-form[data-show-when-ready]")
    return page


def arrangement(host: Host, clock: FixedClock) -> tuple[Api, int, str]:
    client = create_app({"TESTING": True, "HOST": host}).test_client()
    with use_clock(clock):
        jb = Api(client, "jb_staff", PASSWORDS["jb_staff"])
        started = jb.post("/instances", json={"process_id": "appearance", "data": CASE}).get_json()
        land = Api(client, "land_officer", PASSWORDS["land_officer"])
        [task] = [t for t in land.get("/tasks").get_json()["tasks"] if t["name"] == "arrange_appearance"]
    return jb, int(started["id"]), str(task["id"])


def test_the_arrangement_shows_the_head_or_the_agents_statement_by_the_answer(
    new_page: Callable[[], Any], live: LiveServer, measures: Host, clock: FixedClock
) -> None:
    jb, case_id, task_id = arrangement(measures, clock)
    page = officer_task_page(new_page, task_id)
    head, statement = page.locator("#field-unit_head"), page.locator("#field-head_absence_statement")
    accompany = page.get_by_text(ACCOMPANY)
    assert not head.is_visible()
    assert not statement.is_visible()

    page.check("input[name='f.unit_head_appears'][value='true']")
    assert head.is_visible()
    assert accompany.is_visible()
    assert not statement.is_visible()
    assert head.locator("legend .req").first.is_visible()  # 出庭的承办单位负责人 * : the schema asks for the head then
    page.fill("#field-unit_head-name", "张某某")
    page.fill("#field-unit_head-position", "局长")

    page.check("input[name='f.unit_head_appears'][value='false']")
    assert not head.is_visible()
    assert not accompany.is_visible()
    assert page.get_by_text("负责人不出庭的，须委托一至二名诉讼代理人").is_visible()
    assert statement.is_visible()
    assert page.locator("label[for='field-head_absence_statement'] .req").is_visible()
    assert page.locator("#field-agents > legend .req").is_visible()
    page.click("button[value='add:agents']")  # the page comes back with a row, the answers as they were
    page.wait_for_selector("#field-agents-0-name")
    assert page.is_checked("input[name='f.unit_head_appears'][value='false']")
    assert not head.is_visible()
    assert not page.locator("#field-agents-0-unit").is_visible()  # an agent's unit once the kind is chosen
    page.fill("#field-agents-0-name", "法制员1")
    page.select_option("#field-agents-0-agent_type", "staff")
    assert page.locator("#field-agents-0-unit").is_visible()
    assert not page.locator("#field-agents-0-work_unit").is_visible()
    page.select_option("#field-agents-0-unit", "land_bureau")
    page.fill("#field-agents-0-position", "法制股股长")
    page.fill("#field-agents-0-id_number", "11010519491231002X")
    page.fill("#field-head_absence_statement", STATEMENT)
    screenshot(page, "arrangement-head-absent")
    page.click("button[value='complete']")
    page.wait_for_url(f"**/cases/{case_id}")

    with use_clock(clock):
        plan = jb.get(f"/instances/{case_id}").get_json()["data"]["appearance_plan"]
    assert plan["heads"] == []  # the head typed before choosing 负责人不出庭 was not sent
    assert [a["name"] for a in plan["agents"]] == ["法制员1"]
    assert plan["head_absence_statements"] == [{"unit": "land_bureau", "statement": STATEMENT}]


def test_without_javascript_the_arrangement_shows_every_field(
    chromium: Any, live: LiveServer, measures: Host, clock: FixedClock
) -> None:
    _jb, _case_id, task_id = arrangement(measures, clock)
    context = chromium.new_context(locale="zh-CN", base_url=live.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, "land_officer", PASSWORDS["land_officer"])
        page.goto(f"/tasks/{task_id}")
        assert page.locator("#field-unit_head").is_visible()
        assert page.locator("#field-head_absence_statement").is_visible()
        assert page.get_by_text(ACCOMPANY).is_visible()
    finally:
        context.close()


NO_HEARING = "原告于开庭前申请撤诉，人民法院裁定准许，本案未开庭。"


def hearing_to_record(host: Host, clock: FixedClock) -> tuple[Api, int, str]:
    """A hearing whose day has passed (the court had set it before the clock's morning), its record to make."""
    client = create_app({"TESTING": True, "HOST": host}).test_client()
    with use_clock(clock):
        land = Api(client, "land_officer", PASSWORDS["land_officer"])
        held = {**CASE, "hearing_on": "2026-09-18T09:30:00+08:00"}
        started = land.post("/instances", json={"process_id": "hearing", "data": held}).get_json()
        [prepare] = [t for t in land.get("/tasks").get_json()["tasks"] if t["name"] == "prepare_hearing"]
        land.post(f"/tasks/{prepare['id']}/complete", json={"data": {"attendance": "attend"}})
        fire_due_timers(host.database, host.runtime, clock.now())
        [task] = [t for t in land.get("/tasks").get_json()["tasks"] if t["name"] == "record_hearing"]
    return land, int(started["id"]), str(task["id"])


def test_a_hearing_that_did_not_take_place_is_recorded_with_only_that_answer_and_its_note(
    new_page: Callable[[], Any], live: LiveServer, measures: Host, clock: FixedClock
) -> None:
    """The plaintiff withdrew before the day: 是 on 未开庭即审结 hides who appeared, the summary and the mediation,
    shows the note, and the page sends neither the attendees the plan listed nor anything else of a hearing."""
    land, case_id, task_id = hearing_to_record(measures, clock)
    page = officer_task_page(new_page, task_id)
    attendees, summary = page.locator("#field-attendees"), page.locator("#field-hearing_summary")
    note = page.locator("#field-ended_before_hearing_note")
    assert page.is_checked("input[name='f.ended_before_hearing'][value='false']")  # 否 until the unit says so
    assert attendees.is_visible()
    assert summary.is_visible()
    assert not note.is_visible()

    page.check("input[name='f.ended_before_hearing'][value='true']")
    assert not attendees.is_visible()
    assert not summary.is_visible()
    assert not page.locator("#field-mediation_attempted").is_visible()
    assert not page.locator("#field-attended_on_time").is_visible()
    assert note.is_visible()
    page.fill("#field-ended_before_hearing_note", NO_HEARING)
    screenshot(page, "hearing-record-ended-before-hearing")
    page.click("button[value='complete']")
    page.wait_for_url(f"**/cases/{case_id}")

    with use_clock(clock):
        case = land.get(f"/instances/{case_id}").get_json()
    assert case["status"] == "completed"
    record = case["data"]["hearing_record"]
    assert (record["hearing_held"], record["ended_before_hearing_note"]) == (False, NO_HEARING)
    assert "attendees" not in record
    assert "attendees" not in case["data"]
