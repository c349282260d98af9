"""Who a task is for, as the inbox, the task page and the case page say it: the unit whose staff do it, or a role
tagged as a role, never a role under a unit's heading nor the unit a role signs for as though it did the task."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.processes.support import PROCESSES, at, complete, deploy_only, diagram_files, signer
from tests.processes.test_appearance import CASE as APPEARANCE
from tests.processes.test_appearance import assess
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


def joint_case(host: Host, units: list[str]) -> Flask:
    """A joint act (Art. 3 item 2) whose units handle the performance of its decision together
    (processes/compliance.bpmn, handling_units of two units)."""
    deploy_only(host, diagram_files("compliance.bpmn"))
    case = {"outcome": "ordered_to_act_again", "effective_on": "2026-10-20", "handling_units": units}
    started = signer(host)("jb_staff").post("/instances", json={"process_id": "compliance", "data": case})
    assert started.status_code == 201
    return create_app({"TESTING": True, "HOST": host})


@pytest.fixture
def joint_app(host: Host) -> Iterator[Flask]:
    """The land bureau and Wudangzhao town's joint act."""
    with use_clock(FixedClock(at("2026-10-22T09:00"))):
        yield joint_case(host, JOINT)


JOINT = ["land_bureau", "wudangzhao"]
BOTH = "石拐区自然资源局、五当召镇人民政府"


def test_a_joint_act_s_task_names_every_unit_on_the_inbox_the_task_and_the_case_page(joint_app: Flask) -> None:
    for username in ("land_officer", "town_officer"):  # each unit's staff sees whose task it is: both units'
        page = Web(joint_app, username).get("/inbox").get_data(as_text=True)
        assert holder_cells(page) == [BOTH]
    town = Web(joint_app, "town_officer")
    [task_id] = re.findall(r'data-task="([^"]+)"', town.get("/inbox").get_data(as_text=True))
    task_page = town.get(f"/tasks/{task_id}").get_data(as_text=True)
    meta = re.search(r'<p class="meta">(.*?)</p>', task_page, re.S)
    assert meta is not None
    assert BOTH in meta.group(1)
    case_id = re.search(r'href="/cases/(\d+)"', task_page)
    assert case_id is not None
    steps = re.search(
        r'<ul class="steps">(.*?)</ul>', town.get(f"/cases/{case_id.group(1)}").get_data(as_text=True), re.S
    )
    assert steps is not None
    assert BOTH in steps.group(1)


def test_the_inbox_finds_a_joint_act_s_task_under_each_of_its_units(joint_app: Flask) -> None:
    town = Web(joint_app, "town_officer")
    page = town.get("/inbox").get_data(as_text=True)
    offered = re.findall(
        r'<option value="([^"]*)"[^>]*>[^<]*</option>', page.split('name="unit"', 1)[1].split("</select>")[0]
    )
    assert offered == ["", *JOINT]  # the filter offers both units
    for unit in JOINT:
        assert holder_cells(town.get(f"/inbox?unit={unit}").get_data(as_text=True)) == [BOTH]
    assert holder_cells(town.get("/inbox?unit=justice_bureau").get_data(as_text=True)) == []


def test_an_inbox_filter_holding_a_nul_character_falls_back_to_no_filter(joint_app: Flask) -> None:
    town = Web(joint_app, "town_officer")
    for name in ("case", "step", "unit"):  # PostgreSQL refuses the character in a query: it was a 500
        response = town.get(f"/inbox?{name}=%00")
        assert response.status_code == 200, name
        assert holder_cells(response.get_data(as_text=True)) == [BOTH], name


def test_the_api_lists_every_unit_of_a_joint_act_s_task_and_keeps_the_first_as_its_unit(
    joint_app: Flask, host: Host
) -> None:
    [task] = signer(host)("town_officer").get("/tasks").get_json()["tasks"]
    assert (task["unit"], task["units"], task["roles"]) == ("land_bureau", JOINT, ["handling_unit"])


def test_a_step_offered_to_two_roles_names_both(host: Host) -> None:
    """Art. 13: the principal head or the head in charge confirms appearing; each of them sees it is either's."""
    with use_clock(FixedClock(at("2026-11-01T09:00"))):
        deploy_only(host, diagram_files("appearance.bpmn", "court_appearance.dmn"))
        jb = signer(host)("jb_staff")
        assert jb.post("/instances", json={"process_id": "appearance", "data": APPEARANCE}).status_code == 201
        assess(jb, major_public_interest=True)
        app = create_app({"TESTING": True, "HOST": host})
        for username in ("district_head", "li_vice"):
            cells = holder_cells(Web(app, username).get("/inbox").get_data(as_text=True))
            assert cells == ["角色 区长、分管副区长 所涉单位：石拐区自然资源局"]


def test_the_head_of_any_unit_of_a_joint_act_hands_its_task_to_his_own_staff(host: Host) -> None:
    with use_clock(FixedClock(at("2026-10-22T09:00"))):
        app = joint_case(host, ["land_bureau", "justice_bureau"])
        head = Web(app, "zhao")  # heads the justice bureau, the second unit
        [task_id] = re.findall(r'data-task="([^"]+)"', Web(app, "jb_staff").get("/inbox").get_data(as_text=True))
        page = head.get(f"/tasks/{task_id}").get_data(as_text=True)
        assert 'option value="jb_staff"' in page
        assert 'option value="land_officer"' not in page  # the land bureau's staff are its own head's to assign
        head.post(f"/tasks/{task_id}/assign", {"assignee": "land_officer"})
        assert 'data-task="' not in Web(app, "land_officer").get("/inbox?tab=claimed").get_data(as_text=True)
        head.post(f"/tasks/{task_id}/assign", {"assignee": "jb_staff"})
        claimed = Web(app, "jb_staff").get("/inbox?tab=claimed").get_data(as_text=True)
        assert re.findall(r'data-task="([^"]+)"', claimed) == [task_id]
