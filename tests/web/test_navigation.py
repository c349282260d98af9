"""The navigation offers what its user may do: "New case" only to those who may start a process."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import Web, host_of
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services.instances import startable_processes


def nav_of(html: str) -> str:
    found = re.search(r'<nav class="mainnav">(.*?)</nav>', html, re.S)
    assert found, html
    return found.group(1)


def test_new_case_is_offered_only_to_users_who_may_start_a_process(app: Flask) -> None:
    with host_of(app).database.transaction() as session:
        starters = {u.username for u in session.scalars(select(User)) if startable_processes(session, u)}
    assert "clerk" in starters
    # the fixtures' processes open in the office's lane: a unit's officer has nothing to do in a case just opened
    assert not {"land_officer", "auditor", "analyst", "exec_vice", "district_head"} & starters
    for username in PASSWORDS:
        nav = nav_of(Web(app, username).get("/inbox").get_data(as_text=True))
        assert ('href="/cases/new"' in nav) == (username in starters), username
        assert ("新建案件" in nav) == (username in starters), username
        assert 'href="/cases"' in nav  # the case list stays for everyone


def test_an_auditor_who_opens_the_new_case_page_is_told_there_is_nothing_to_start(app: Flask) -> None:
    html = Web(app, "auditor").get("/cases/new").get_data(as_text=True)
    assert "新建案件" not in nav_of(html)
    assert "没有您可以发起的流程。" in html


def test_a_unit_s_officer_may_open_the_parts_that_begin_with_their_unit_but_not_a_lawsuit(measures: Host) -> None:
    """A land bureau officer opened 行政应诉案件 and landed on a case with nothing to do: its registration is the
    district office's (the start event's lane). The parts that begin with the handling unit stay theirs to open."""
    app = create_app({"TESTING": True, "HOST": measures})
    page = Web(app, "land_officer").get("/cases/new").get_data(as_text=True)
    offered = set(re.findall(r'name="process_id" value="(\w+)"', page))
    assert "litigation_case" not in offered
    assert {"appeal", "compliance"} <= offered
    refused = Api(app.test_client(), "land_officer", PASSWORDS["land_officer"]).post(
        "/instances", json={"process_id": "litigation_case", "data": {}}
    )
    assert refused.status_code == 403
    clerk_page = Web(app, "clerk").get("/cases/new").get_data(as_text=True)
    assert "litigation_case" in set(re.findall(r'name="process_id" value="(\w+)"', clerk_page))
