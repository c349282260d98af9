"""An administrator terminates a case registered twice, in a real browser: opens 终止案件 on the case page, gives the
reason, ticks the confirmation, and the case then says who terminated it, when and why; its step leaves the
clerk's inbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.browser.test_history import register_case
from tests.conftest import PASSWORDS
from workflow_host.engine import FixedClock
from workflow_host.host import Host
from workflow_host.services.directory import load_directory

ADMIN = "users:\n  - {username: admin, name: 系统管理员, password: pw-admin, roles: [admin]}\n"
REASON = "同一应诉通知书重复登记，以先登记的案件为准"


def test_an_admin_terminates_a_case_from_its_page(
    new_page: Callable[[], Any], live: LiveServer, measures: Host, clock: FixedClock
) -> None:
    with measures.database.transaction() as session:
        load_directory(session, ADMIN)
    case_id = register_case(measures, clock)
    admin = new_page()
    sign_in(admin, "admin", "pw-admin")
    admin.goto(f"/cases/{case_id}")
    admin.click("#terminate summary")
    admin.fill("#terminate-reason", REASON)
    admin.click("#terminate button[type=submit]")  # not ticked: the browser asks for the tick, nothing is sent
    assert admin.url.endswith(f"/cases/{case_id}")
    assert admin.locator("#terminated").count() == 0
    admin.check("#terminate input[name=confirm]")
    screenshot(admin, "terminate-form")
    admin.click("#terminate button[type=submit]")
    admin.wait_for_selector("#terminated")

    banner = admin.locator("#terminated").inner_text()
    assert banner == f"本案已于 2026-09-21 09:00 由 系统管理员 终止，终止理由：{REASON}"
    assert admin.locator(".page-head .status").inner_text() == "已终止"
    assert admin.locator("#terminate").count() == 0
    screenshot(admin, "terminated-case")

    clerk = new_page()
    sign_in(clerk, "clerk", PASSWORDS["clerk"])
    assert clerk.locator(f"a[href='/cases/{case_id}']").count() == 0
    assert clerk.locator("a[href^='/tasks/']").count() == 0
