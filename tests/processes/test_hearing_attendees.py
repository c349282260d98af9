"""Who appeared at the hearing (processes/hearing.bpmn, record_hearing): the record starts from the appearance plan."""

from __future__ import annotations

import re

from tests.processes.support import SignIn, complete_task, instance, tasks
from tests.processes.test_hearing import ART13_PLAN, ART16_PLAN, ATTEND, CASE, HEARING, RECORD, hold_hearing, person
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import FixedClock
from workflow_host.host import Host

DIAGRAMS = ("hearing.bpmn",)
NOW = "2026-11-01T09:00"
LAWYER = {"name": "律师1", "agent_type": "public_lawyer", "work_unit": "石拐区司法局", "position": "公职律师"}
STAFF = {"name": "法制员1", "agent_type": "staff", "unit": "land_bureau", "position": "法制股股长"}


def record_task(
    host: Host, clock: FixedClock, sign_in: SignIn, plan: dict[str, object], **data: object
) -> tuple[int, str]:
    land = sign_in("land_officer")
    started = {**CASE, "appearance_plan": plan, **data}
    case_id = int(land.post("/instances", json={"process_id": "hearing", "data": started}).get_json()["id"])
    complete_task(land, tasks(land, "prepare_hearing")[0], ATTEND)
    land = hold_hearing(host, clock, sign_in, HEARING)
    [record] = tasks(land, "record_hearing")
    return case_id, record["id"]


def test_the_record_starts_with_the_heads_who_confirmed_and_the_agents(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    case_id, task_id = record_task(
        host, clock, sign_in, {**ART13_PLAN, "agents": [{**LAWYER, "for_unit": "justice_bureau"}]}
    )
    land = sign_in("land_officer")
    assert land.get(f"/tasks/{task_id}").get_json()["data"]["attendees"] == [
        {"name": "李某某", "role": "vice_head_in_charge", "unit": "district_government"},
        {"name": "赵某某", "role": "justice_bureau_head", "unit": "justice_bureau"},
        {"name": "律师1", "role": "public_lawyer"},
    ]
    web = Web(create_app({"TESTING": True, "HOST": host}), "land_officer")
    page = web.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert re.search(r'name="f\.attendees\.0\.name"[^>]*value="李某某"', page)
    government = re.search(r'<select[^>]*name="f\.attendees\.0\.unit".*?</select>', page, re.S)
    assert government is not None
    assert '<option value="district_government" selected>石拐区人民政府</option>' in government.group(0)
    assert 'name="f.attendees.0.spoke" value="true" checked' not in page  # who spoke is the unit's to say
    assert "未实际出庭的请删除该行" in page  # a planned head is no record of an appearance until checked

    attendees = [{**a, "spoke": True} for a in land.get(f"/tasks/{task_id}").get_json()["data"]["attendees"]]
    complete_task(land, {"id": task_id}, {**RECORD, "attendees": attendees})
    assert instance(land, case_id)["data"]["head_appeared"] is True
    case_page = web.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "所在单位：石拐区人民政府" in case_page
    assert '<dt title="a">' not in case_page  # the last agent the record's script went through is no case data


def test_under_article_16_the_unit_head_and_staff_agents_come_with_their_unit(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    plan = {**ART16_PLAN, "agents": [{**STAFF, "for_unit": "land_bureau"}]}
    _case_id, task_id = record_task(host, clock, sign_in, plan)
    assert sign_in("land_officer").get(f"/tasks/{task_id}").get_json()["data"]["attendees"] == [
        {"name": "张某某", "role": "unit_head", "unit": "land_bureau"},
        {"name": "法制员1", "role": "staff", "unit": "land_bureau"},
    ]


def test_without_a_plan_the_record_starts_empty(host: Host, clock: FixedClock, sign_in: SignIn) -> None:
    _case_id, task_id = record_task(host, clock, sign_in, None)  # type: ignore[arg-type]
    assert sign_in("land_officer").get(f"/tasks/{task_id}").get_json()["data"]["attendees"] == []
    complete_task(sign_in("land_officer"), {"id": task_id}, {**RECORD, "attendees": [person("张某某", "unit_head")]})


def test_the_agents_the_power_of_attorney_entrusts_are_listed_once(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    """Art. 13: the plan names the heads; the land bureau's officer its power of attorney entrusts appears too
    (a walk found the record without them), and the lawyer both name comes once."""
    entrusted = {"agents": [{**STAFF, "unit": None, "work_unit": "石拐区自然资源局"}, LAWYER]}
    materials = {"land_bureau": {"power_of_attorney": entrusted}}
    plan = {**ART13_PLAN, "agents": [{**LAWYER, "for_unit": "justice_bureau"}]}
    _case_id, task_id = record_task(host, clock, sign_in, plan, defence_materials=materials)
    assert sign_in("land_officer").get(f"/tasks/{task_id}").get_json()["data"]["attendees"] == [
        {"name": "李某某", "role": "vice_head_in_charge", "unit": "district_government"},
        {"name": "赵某某", "role": "justice_bureau_head", "unit": "justice_bureau"},
        {"name": "律师1", "role": "public_lawyer"},
        {"name": "法制员1", "role": "staff", "unit": "land_bureau"},
    ]


def test_a_unit_that_arranged_its_agents_is_not_given_its_power_of_attorneys_as_well(
    host: Host, clock: FixedClock, sign_in: SignIn
) -> None:
    """Under Art. 16 the unit named who goes; the agents of its earlier power of attorney are not listed too."""
    materials = {"land_bureau": {"power_of_attorney": {"agents": [LAWYER]}}}
    plan = {**ART16_PLAN, "agents": [{**STAFF, "for_unit": "land_bureau"}]}
    _case_id, task_id = record_task(host, clock, sign_in, plan, defence_materials=materials)
    names = [a["name"] for a in sign_in("land_officer").get(f"/tasks/{task_id}").get_json()["data"]["attendees"]]
    assert names == ["张某某", "法制员1"]
