"""Issue #6's page in a real browser: an auditor opens a case's timeline, moves the step slider back three
events and sees the diagram and the data as they were at that moment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.conftest import PASSWORDS, Api
from workflow_host import create_app
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host

INTAKE = {
    "notice_received_on": "2026-09-19",
    "complaint_served_on": "2026-09-20",
    "case_no": "(2026)蒙0205行初21号",
    "court": "包头市石拐区人民法院",
    "plaintiff": "李某",
    "cause": "不服行政处罚决定",
    "defendant": "unit",
    "defendant_unit": "land_bureau",
    "acting_units": ["land_bureau"],
    "reconsideration": "none",
    "significance": "ordinary",
}


def register_case(host: Host, clock: FixedClock) -> int:
    """A case registered over the API: created, intake completed, defence deadline computed (3 events)."""
    client = create_app({"TESTING": True, "HOST": host}).test_client()
    with use_clock(clock):
        clerk = Api(client, "clerk", PASSWORDS["clerk"])
        case_id = int(clerk.post("/instances", json={"process_id": "litigation_case"}).get_json()["id"])
        task = clerk.get("/tasks").get_json()["tasks"][0]
        assert clerk.post(f"/tasks/{task['id']}/complete", json={"data": INTAKE}).status_code == 200
    return case_id


def test_the_step_slider_shows_the_case_as_it_was(
    new_page: Callable[[], Any], live: LiveServer, measures: Host, clock: FixedClock
) -> None:
    case_id = register_case(measures, clock)
    auditor = new_page()
    sign_in(auditor, "auditor", PASSWORDS["auditor"])
    auditor.goto(f"/cases/{case_id}/history")
    auditor.wait_for_selector("#diagram[data-state='ready']")
    last = int(auditor.get_attribute("#at", "max") or 0)
    assert last == 4  # the three of the case, and this auditor's reading recorded as the fourth
    assert auditor.locator("#event-4").get_attribute("data-type") == "case_viewed"
    assert "(2026)蒙0205行初21号" in auditor.locator("#moment-data").inner_text()
    assert auditor.locator("g[data-element-id='intake'].state-completed").count() == 1
    intake_row = auditor.locator("#event-2")
    assert intake_row.locator("details.event-changes").get_attribute("open") is None  # one line until opened
    assert "案号" in intake_row.locator("details.event-changes > summary").inner_text()
    link = intake_row.locator("td.moment-link a")
    line = auditor.evaluate("parseFloat(getComputedStyle(document.querySelector('td.moment-link a')).lineHeight)")
    assert link.bounding_box()["height"] < 1.5 * line  # 查看此刻 on one line, not a character a line
    auditor.click("#open-all")
    assert intake_row.locator("details.event-changes").get_attribute("open") is not None
    added = intake_row.locator("li:has(strong[title='case_no'])")
    assert added.locator("strong").inner_text() == "案号"
    assert "(2026)蒙0205行初21号" in added.locator("ins").inner_text()
    screenshot(auditor, "history-latest")

    auditor.eval_on_selector("#at", "el => { el.value = Number(el.value) - 3; el.dispatchEvent(new Event('change')); }")
    auditor.wait_for_url(f"**/cases/{case_id}/history?*at=1*")
    auditor.wait_for_selector("#diagram[data-state='ready']")
    assert auditor.input_value("#at") == "1"
    assert "(2026)蒙0205行初21号" not in auditor.locator("#moment-data").inner_text()
    assert auditor.locator("g[data-element-id='intake'].state-active").count() == 1
    assert auditor.locator("g[data-element-id='intake'].state-completed").count() == 0
    assert "第 1 条记录之后的案件" in auditor.locator(".moment h2").inner_text()
    screenshot(auditor, "history-moment")
