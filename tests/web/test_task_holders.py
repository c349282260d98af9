"""Who a task is for, as the inbox, the task page and the case page say it: the unit whose staff do it, or a role
tagged as a role, never a role under a unit's heading nor the unit a role signs for as though it did the task."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.processes.support import PROCESSES, at, complete, deploy_only, diagram_files, signer
from tests.processes.test_signoff import NOTICE
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host


@pytest.fixture
def signoff_app(host: Host) -> Iterator[Flask]:
    """The sign-off diagram deployed, a notice of a suit against the land bureau's act registered and submitted:
    the deputy director of the office signs first (Art. 4)."""
    with use_clock(FixedClock(at("2026-09-30T10:00"))):
        decisions = sorted(p.name for p in PROCESSES.glob("*.dmn"))
        deploy_only(host, diagram_files("signoff.bpmn", *decisions))
        clerk = signer(host)("clerk")
        assert clerk.post("/instances", json={"process_id": "signoff"}).status_code == 201
        complete(clerk, "register_notice", NOTICE)
        yield create_app({"TESTING": True, "HOST": host})


def holder_cells(html: str) -> list[str]:
    """The text of the inbox's 办理单位/角色 cells."""
    cells = re.findall(r'<td class="holder">(.*?)</td>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]


def test_the_inbox_names_the_unit_or_the_role_a_task_is_for(signoff_app: Flask) -> None:
    clerk = Web(signoff_app, "clerk")
    page = clerk.get("/inbox").get_data(as_text=True)
    assert "办理单位/角色" in page
    assert holder_cells(page) == ["石拐区人民政府办公室"]  # the office's own step: the office, not a role

    [task_id] = re.findall(r'data-task="([^"]+)"', page)
    clerk.get(f"/tasks/{task_id}")
    assert clerk.post(f"/tasks/{task_id}", {"action": "complete"}).status_code == 302
    deputy = Web(signoff_app, "office_deputy").get("/inbox").get_data(as_text=True)
    # the deputy director signs for the land bureau's matter: a role, the bureau only as what it concerns
    assert holder_cells(deputy) == ["角色 政府办副主任 所涉单位：石拐区自然资源局"]


def test_the_task_and_case_pages_name_a_role_s_step_by_the_role(signoff_app: Flask) -> None:
    clerk = Web(signoff_app, "clerk")
    [task_id] = re.findall(r'data-task="([^"]+)"', clerk.get("/inbox").get_data(as_text=True))
    clerk.get(f"/tasks/{task_id}")
    clerk.post(f"/tasks/{task_id}", {"action": "complete"})
    deputy = Web(signoff_app, "office_deputy")
    [sign_id] = re.findall(r'data-task="([^"]+)"', deputy.get("/inbox").get_data(as_text=True))
    task_page = deputy.get(f"/tasks/{sign_id}").get_data(as_text=True)
    meta = re.search(r'<p class="meta">(.*?)</p>', task_page, re.S)
    assert meta is not None
    assert "政府办副主任" in meta.group(1)
    assert "所涉单位：石拐区自然资源局" in meta.group(1)
    case_id = re.search(r'href="/cases/(\d+)"', task_page)
    assert case_id is not None
    case_page = deputy.get(f"/cases/{case_id.group(1)}").get_data(as_text=True)
    steps = re.search(r'<ul class="steps">(.*?)</ul>', case_page, re.S)
    assert steps is not None
    assert "政府办副主任" in steps.group(1)
