"""The navigation offers what its user may do: "New case" only to those who may start a process."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from tests.conftest import PASSWORDS
from tests.web.test_pages import Web, host_of
from workflow_host.models import User
from workflow_host.services.instances import startable_processes


def nav_of(html: str) -> str:
    found = re.search(r'<nav class="mainnav">(.*?)</nav>', html, re.S)
    assert found, html
    return found.group(1)


def test_new_case_is_offered_only_to_users_who_may_start_a_process(app: Flask) -> None:
    with host_of(app).database.transaction() as session:
        starters = {u.username for u in session.scalars(select(User)) if startable_processes(session, u)}
    assert {"clerk", "land_officer"} <= starters
    assert not {"auditor", "analyst", "exec_vice", "district_head"} & starters
    for username in PASSWORDS:
        nav = nav_of(Web(app, username).get("/inbox").get_data(as_text=True))
        assert ('href="/cases/new"' in nav) == (username in starters), username
        assert ("新建案件" in nav) == (username in starters), username
        assert 'href="/cases"' in nav  # the case list stays for everyone


def test_an_auditor_who_opens_the_new_case_page_is_told_there_is_nothing_to_start(app: Flask) -> None:
    html = Web(app, "auditor").get("/cases/new").get_data(as_text=True)
    assert "新建案件" not in nav_of(html)
    assert "没有您可以发起的流程。" in html
