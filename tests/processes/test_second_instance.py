"""A case that goes to second instance, as a clerk walks it in the browser (processes/litigation_case.bpmn with its
call activities, every diagram and form deployed): what the pages show and what the forms start with once the
first instance's values are no longer the ones that belong."""

from __future__ import annotations

import html as html_lib
import re

from flask import Flask

from tests.processes.test_litigation_case import (  # noqa: F401  (NOW and desk are the fixtures' module values)
    NOW,
    SECOND,
    CaseDesk,
    appealed,
    desk,
)
from tests.web.test_pages import Web
from workflow_host import create_app


def pages(desk: CaseDesk) -> Flask:  # noqa: F811
    return create_app({"TESTING": True, "HOST": desk.host})


def field_value(page: str, name: str) -> str:
    """What the form's text or date input `f.<name>` starts with."""
    found = re.search(rf'<input type="[a-z-]+" id="[^"]*" name="f\.{name}" value="([^"]*)"', page)
    assert found, name
    return html_lib.unescape(found.group(1))


def task_page(app: Flask, username: str, task: dict[str, str]) -> str:
    return html_lib.unescape(Web(app, username).get(f"/tasks/{task['id']}").get_data(as_text=True))


def test_the_second_instance_is_registered_on_a_blank_form_not_under_the_first_instance_number(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = appealed(desk)
    register = desk.task("land_officer", "register_instance")
    page = task_page(pages(desk), "land_officer", register)
    # the first instance's number, court and day of service are not the second instance's
    assert [field_value(page, f) for f in ("case_no", "court", "complaint_served_on")] == ["", "", ""]
    assert "(2026)蒙0205行初12号" in page  # the case is still shown under its number while it waits
    form = desk("land_officer").get(f"/tasks/{register['id']}").get_json()["form"]
    assert form["start_blank"] == ["case_no", "court", "complaint_served_on"]  # for an API client's form too
    desk.at("2026-05-20T10:00")
    desk.complete("land_officer", "register_instance", SECOND)
    assert desk.case(case_id)["data"]["case_no"] == SECOND["case_no"]
