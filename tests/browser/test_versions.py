"""Issue #7's version diff in a real browser: two versions side by side, the changed task marked on both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.conftest import PASSWORDS
from workflow_host.host import Host
from workflow_host.services import deployment, versions


def test_the_diff_page_marks_what_changed_between_two_versions(
    new_page: Callable[[], Any], live: LiveServer, measures: Host
) -> None:
    with measures.database.transaction() as session:
        old = versions.latest_version(session, "archive")
        name, xml = versions.version_source(session, old, "archive")
        assert b'id="file_case_records"' in xml
        start = xml.index(b'id="file_case_records"')
        named = xml.index(b'name="', start) + len(b'name="')
        renamed = xml[:named] + "（修订）".encode() + xml[named:]
        new = deployment.deploy_upload(session, measures.runtime, "archive", {name: renamed}, "analyst").version
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    analyst.goto("/modeller/archive/versions")
    analyst.click(f"tr[data-version='{new.id}'] >> text=与版本")
    analyst.wait_for_selector("#diagram-old[data-state='ready']")
    analyst.wait_for_selector("#diagram-new[data-state='ready']")
    for holder in ("#diagram-old", "#diagram-new"):
        assert analyst.locator(f"{holder} g[data-element-id='file_case_records'].diff-changed").count() == 1
    assert "file_case_records" in analyst.locator("ul.diff-changed").inner_text()
    screenshot(analyst, "version-diff")
