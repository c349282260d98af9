"""Art. 4–5 sign-off (processes/signoff.bpmn) run over the JSON API by the people its lanes name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import PASSWORDS
from tests.processes.support import (
    NS,
    PROCESSES,
    Desk,
    at,
    complete,
    deploy_only,
    diagram_files,
    flow_nodes,
    flow_waypoints,
    has_chinese,
    holders,
    inbox,
    inside,
    only_task,
    overlap,
    read_diagram,
    shape_boxes,
    signer,
    touches,
)
from workflow_host.engine import FixedClock
from workflow_host.host import Host
from workflow_host.services.directory import load_directory
from workflow_host.services.notices import fire_due_notices
from workflow_host.services.timers import fire_due_timers

DIAGRAM = PROCESSES / "signoff.bpmn"
NOW = "2026-09-30T10:00"  # the morning the notice arrives, unless a test moves the clock

# A second vice district head in charge of a unit of his own, to tell "the supervisor of the unit concerned"
# from "anyone with the vice-head role" (in the shared test directory li_vice supervises every unit).
HOUSING = """
units:
  - {id: housing_bureau, name: 石拐区住房和城乡建设局, kind: department, supervisor: zhang_vice}
users:
  - {username: zhang_vice, name: 张副区长, password: pw-zhang, roles: [vice_head_in_charge]}
"""
PASSWORD = {**PASSWORDS, "zhang_vice": "pw-zhang"}
SIGNER = {
    "office_deputy_director": "office_deputy",
    "office_director": "director_wang",
    "vice_head_in_charge": "li_vice",
    "executive_vice_head": "exec_vice",
    "district_head": "district_head",
}
EVERYONE = ["clerk", *SIGNER.values(), "zhang_vice", "jb_staff", "land_officer"]
NOTICE = {
    "case_no": "(2026)蒙0205行初21号",
    "court": "包头市石拐区人民法院",
    "plaintiff": "张某",
    "cause": "不服区人民政府作出的收回国有土地使用权决定",
    "notice_received_on": "2026-09-30",
    "complaint_served_on": "2026-09-30",
    "acting_units": ["land_bureau"],
    "reconsideration": "none",
    "significance": "ordinary",
}
CHAINS = {
    "ordinary": ["office_deputy_director", "office_director", "vice_head_in_charge"],
    "larger": ["office_deputy_director", "office_director", "vice_head_in_charge", "executive_vice_head"],
    "major": [
        "office_deputy_director",
        "office_director",
        "vice_head_in_charge",
        "executive_vice_head",
        "district_head",
    ],
}
FLOW_NODES = (
    "startEvent",
    "endEvent",
    "userTask",
    "scriptTask",
    "businessRuleTask",
    "exclusiveGateway",
    "boundaryEvent",
)


def deploy_signoff_only(host: Host) -> None:
    """The housing bureau added to the directory; processes/signoff.bpmn, the decision tables and its forms deployed."""
    with host.database.transaction() as session:
        load_directory(session, HOUSING)
    decisions = sorted(p.name for p in PROCESSES.glob("*.dmn"))
    assert deploy_only(host, diagram_files(DIAGRAM.name, *decisions)) == {"signoff"}


@pytest.fixture
def desk(host: Host, clock: FixedClock) -> Desk:
    """The API as any directory user at the test's clock, on the sign-off diagram alone."""
    deploy_signoff_only(host)
    return Desk(host, signer(host, PASSWORD), clock)


@pytest.fixture
def cold_desk(host: Host, clock: FixedClock) -> Desk:
    """Like `desk`, but no case is kept warm between steps: every step restores it from the database."""
    deploy_signoff_only(host)
    cold = Host.on(host.settings, host.database, live_instances=0)
    return Desk(cold, signer(cold, PASSWORD), clock)


def register(desk: Desk, **changes: Any) -> int:
    """The office starts a sign-off and registers the notice."""
    clerk = desk("clerk")
    started = clerk.post("/instances", json={"process_id": "signoff"})
    assert started.status_code == 201, started.get_json()
    assert [t["name"] for t in started.get_json()["tasks"]] == ["register_notice"]
    complete(clerk, "register_notice", {**NOTICE, **changes})
    return int(started.get_json()["id"])


def test_a_notice_registered_at_intake_goes_straight_to_submission_with_its_two_days(desk: Desk) -> None:
    """Art. 4: litigation_case's intake already recorded the notice; the office is not asked to register it again."""
    intake = {**NOTICE, "defendant": "district_government", "defendant_unit": None, "entrusting_unit": None}
    started = desk("clerk").post("/instances", json={"process_id": "signoff", "data": intake})
    assert started.status_code == 201, started.get_json()
    assert [t["name"] for t in started.get_json()["tasks"]] == ["submit_for_signoff"]
    case_id = int(started.get_json()["id"])

    after = desk.case(case_id)
    assert after["data"]["notice_registered"] is True
    [deadline] = after["deadlines"]
    assert (deadline["variable"], deadline["rule"], deadline["start_on"]) == ("signoff_deadline", "2 日", "2026-09-30")
    assert (deadline["due_on"], deadline["status"], deadline["provisional"]) == ("2026-10-08", "open", False)
    submit = only_task(desk("clerk"), "submit_for_signoff")
    assert datetime.fromisoformat(submit["due_at"]) == datetime.fromisoformat("2026-10-08T23:59:59+08:00")

    complete(desk("clerk"), "submit_for_signoff", {})
    sign_in_turn(desk, CHAINS["ordinary"])
    desk.at("2026-10-09T10:00")  # the day the office forwards
    forward = only_task(desk("clerk"), "forward_notice")
    ahead = desk("clerk").post(f"/tasks/{forward['id']}/complete", json={"data": {"forwarded_on": "2026-10-10"}})
    assert ahead.status_code == 422
    assert ahead.get_json()["reason"] == "转办日期不能晚于今天，请登记实际转办的日期。"
    assert only_task(desk("clerk"), "forward_notice")["id"] == forward["id"]  # nothing kept
    complete(desk("clerk"), "forward_notice", {"forwarded_on": "2026-10-09"})
    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert done["deadlines"][0]["status"] == "met"
    assert (done["data"]["handling_units"], done["data"]["forward_to"]) == (
        ["land_bureau"],
        ["land_bureau", "justice_bureau"],
    )
    events = desk("clerk").get(f"/instances/{case_id}/events").get_json()["events"]
    completed = [e["payload"]["name"] for e in events if e["type"] == "task_completed"]
    assert completed == ["submit_for_signoff", "sign", "sign", "sign", "forward_notice"]


@pytest.mark.parametrize(
    "data",
    [{}, {"significance": "major"}, {**NOTICE, "case_no": ""}],
    ids=["nothing", "part_of_the_facts", "an_empty_case_no"],
)
def test_a_notice_not_fully_registered_is_registered_by_the_office(desk: Desk, data: dict[str, Any]) -> None:
    started = desk("clerk").post("/instances", json={"process_id": "signoff", "data": data})
    assert started.status_code == 201, started.get_json()
    assert [t["name"] for t in started.get_json()["tasks"]] == ["register_notice"]
    case_id = int(started.get_json()["id"])
    assert desk.case(case_id)["deadlines"] == []  # nothing counts before the receipt is recorded

    complete(desk("clerk"), "register_notice", NOTICE)
    after = desk.case(case_id)
    assert after["data"]["notice_registered"] is False
    assert [d["due_on"] for d in after["deadlines"]] == ["2026-10-08"]
    assert inbox(desk("clerk")) == ["submit_for_signoff"]


def sign_in_turn(desk: Desk, roles: list[str], vice_head: str = "li_vice") -> None:
    """Each signer in turn finds the one sign task, and nobody else sees anything meanwhile."""
    for role in roles:
        signer = vice_head if role == "vice_head_in_charge" else SIGNER[role]
        assert inbox(desk(signer)) == ["sign"], role
        assert [u for u in EVERYONE if u != signer and inbox(desk(u))] == [], role
        complete(desk(signer), "sign", {"signoff_decision": "agree", "signoff_opinion": f"同意（{role}）"})


@pytest.mark.parametrize("significance", ["ordinary", "larger", "major"])
def test_each_significance_goes_to_its_signers_in_order_then_is_forwarded(desk: Desk, significance: str) -> None:
    case_id = register(desk, significance=significance)
    complete(desk("clerk"), "submit_for_signoff", {"submission_note": "拟请区自然资源局会同区司法局办理。"})

    first = only_task(desk("office_deputy"), "sign")
    shown = desk("office_deputy").get(f"/tasks/{first['id']}").get_json()
    assert (first["title"], shown["form"]["schema"]["title"]) == ("审签", "审签")
    assert shown["form"]["ui_schema"]["signoff_decision"]["ui:enumNames"] == ["同意", "退回"]
    assert "第四条" in shown["instructions"]
    assert shown["data"]["signer_role"] == "office_deputy_director"

    sign_in_turn(desk, CHAINS[significance])
    assert holders(desk, EVERYONE) == ["clerk"]
    desk.at("2026-10-09T10:00")  # the day the office forwards (not a day ahead of the clock)
    complete(desk("clerk"), "forward_notice", {"forwarded_on": "2026-10-09", "forward_note": "请抓紧准备答辩材料。"})

    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert done["tasks"] == []
    data = done["data"]
    assert data["signoff_chain"] == CHAINS[significance]
    records = data["signoff_records"]
    assert [(r["round"], r["signer_role"], r["decision"]) for r in records] == [
        (1, role, "agree") for role in CHAINS[significance]
    ]
    assert records[0]["opinion"] == "同意（office_deputy_director）"
    assert (data["handling_units"], data["justice_bureau_reconsideration_part"]) == (["land_bureau"], False)
    assert data["forward_to"] == ["land_bureau", "justice_bureau"]
    assert data["forwarded_on"] == "2026-10-09"
    events = desk("clerk").get(f"/instances/{case_id}/events").get_json()["events"]
    signers = [e["actor"] for e in events if e["type"] == "task_completed" and e["payload"]["name"] == "sign"]
    assert signers == [SIGNER[role] for role in CHAINS[significance]]
    assert events[-1]["type"] == "instance_completed"


@pytest.mark.parametrize(
    ("facts", "handling_units"),
    [
        ({"acting_units": ["housing_bureau"]}, ["housing_bureau"]),  # Art. 3 item 1: the unit that made the act
        ({"acting_units": ["land_bureau"], "entrusting_unit": "housing_bureau"}, ["housing_bureau"]),  # item 3
    ],
    ids=["acting_unit", "entrusting_unit"],
)
def test_the_vice_head_who_signs_is_the_one_in_charge_of_the_unit_concerned(
    desk: Desk, facts: dict[str, Any], handling_units: list[str]
) -> None:
    case_id = register(desk, **facts)
    complete(desk("clerk"), "submit_for_signoff", {})
    sign_in_turn(desk, ["office_deputy_director", "office_director"])

    assert inbox(desk("zhang_vice")) == ["sign"]
    assert inbox(desk("li_vice")) == []  # holds the role, but does not supervise the housing bureau
    task = only_task(desk("zhang_vice"), "sign")
    assert task["unit"] == "housing_bureau"
    refused = desk("li_vice").post(f"/tasks/{task['id']}/complete", json={"data": {"signoff_decision": "agree"}})
    assert refused.status_code == 403

    sign_in_turn(desk, ["vice_head_in_charge"], vice_head="zhang_vice")
    desk.at("2026-10-09T10:00")  # the day the office forwards (not a day ahead of the clock)
    complete(desk("clerk"), "forward_notice", {"forwarded_on": "2026-10-09"})
    data = desk.case(case_id)["data"]
    assert data["units_concerned"] == ["housing_bureau"]
    assert data["handling_units"] == handling_units
    assert data["forward_to"] == ["housing_bureau", "justice_bureau"]


def test_a_return_goes_back_to_the_office_and_the_chain_decided_again_signs_from_the_start(cold_desk: Desk) -> None:
    desk = cold_desk
    case_id = register(desk)
    complete(desk("clerk"), "submit_for_signoff", {})
    sign_in_turn(desk, ["office_deputy_director"])
    returned = {"signoff_decision": "return", "signoff_opinion": "涉及群体性土地纠纷，应按较大事项呈送。"}
    complete(desk("director_wang"), "sign", returned)

    assert holders(desk, EVERYONE) == ["clerk"]  # the vice head never sees the returned notice
    assert inbox(desk("clerk")) == ["revise_submission"]
    complete(desk("clerk"), "revise_submission", {"revision_note": "已按较大事项重新呈送。", "significance": "larger"})
    sign_in_turn(desk, CHAINS["larger"])
    desk.at("2026-10-09T10:00")  # the day the office forwards (not a day ahead of the clock)
    complete(desk("clerk"), "forward_notice", {"forwarded_on": "2026-10-09"})

    done = desk.case(case_id)
    assert done["status"] == "completed"
    records = done["data"]["signoff_records"]
    assert [(r["round"], r["signer_role"], r["decision"]) for r in records] == [
        (1, "office_deputy_director", "agree"),
        (1, "office_director", "return"),
        *[(2, role, "agree") for role in CHAINS["larger"]],
    ]
    assert records[1]["opinion"] == returned["signoff_opinion"]
    assert done["data"]["signoff_rounds"] == 2


def test_forms_refuse_what_the_measures_do_not_allow_and_nothing_is_kept(desk: Desk) -> None:
    clerk = desk("clerk")
    case_id = int(clerk.post("/instances", json={"process_id": "signoff"}).get_json()["id"])
    task = only_task(clerk, "register_notice")
    bad = {**NOTICE, "significance": "urgent", "notice_received_on": "2026-09-31", "acting_units": []}
    del bad["case_no"]
    response = clerk.post(f"/tasks/{task['id']}/complete", json={"data": bad})
    assert response.status_code == 422
    paths = {e["path"] for e in response.get_json()["errors"]}
    assert paths == {"/", "/significance", "/notice_received_on", "/acting_units"}
    assert {"field": "/case_no", "message": "请填写“案号”。"}.items() <= response.get_json()["errors"][0].items()
    assert desk.case(case_id)["revision"] == 1
    assert desk.case(case_id)["deadlines"] == []

    complete(clerk, "register_notice", NOTICE)
    submit = only_task(clerk, "submit_for_signoff")
    forged = {"signoff_deadline": {"kind": "statutory_deadline", "due_on": "2027-01-01"}}
    assert clerk.post(f"/tasks/{submit['id']}/complete", json={"data": forged}).status_code == 422
    complete(clerk, "submit_for_signoff", {})

    sign = only_task(desk("office_deputy"), "sign")
    for data in ({"signoff_decision": "return"}, {"signoff_decision": "return", "signoff_opinion": " "}, {}):
        response = desk("office_deputy").post(f"/tasks/{sign['id']}/complete", json={"data": data})
        assert response.status_code == 422, data
    missing = {"path": "/", "field": "/signoff_decision", "message": "请选择“审签结果”。"}
    missing.update(kind="required", label="审签结果", detail={"choice": True})  # chosen, not typed
    assert response.get_json()["errors"] == [missing]  # `field`: where a form shows it
    assert inbox(desk("office_deputy")) == ["sign"]
    assert inbox(desk("clerk")) == []


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-09-28", "2026-09-30"),  # Monday: two ordinary days
        ("2026-09-24", "2026-09-28"),  # ends on Sat 26 Sep, Mid-Autumn holiday: next working day
        ("2026-09-30", "2026-10-08"),  # ends on 2 Oct, National Day holiday (1–7 Oct): next working day
    ],
)
def test_the_two_days_are_calendar_days_and_a_holiday_at_their_end_moves_it(
    desk: Desk, received: str, due: str
) -> None:
    desk.at(f"{received}T10:00")
    case_id = register(desk, notice_received_on=received, complaint_served_on=received)
    [deadline] = desk.case(case_id)["deadlines"]
    assert deadline["variable"] == "signoff_deadline"
    assert (deadline["title"], deadline["rule"], deadline["start_on"]) == ("呈送审签期限", "2 日", received)
    assert (deadline["due_on"], deadline["status"], deadline["provisional"]) == (due, "open", False)
    due_at = datetime.fromisoformat(f"{due}T23:59:59+08:00")
    assert datetime.fromisoformat(only_task(desk("clerk"), "submit_for_signoff")["due_at"]) == due_at
    assert datetime.fromisoformat(desk.case(case_id)["next_due_at"]) == due_at  # the overdue timer waits


def test_a_submission_on_the_first_working_day_after_the_national_day_holiday_is_in_time(desk: Desk) -> None:
    case_id = register(desk)
    desk.at("2026-10-08T17:30")
    complete(desk("clerk"), "submit_for_signoff", {})

    after = desk.case(case_id)
    [deadline] = after["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("met", "clerk")
    assert after["next_due_at"] is None  # the overdue timer went with the submission
    assert after["data"]["signoff_submitted_on"] == "2026-10-08"
    assert inbox(desk("office_deputy")) == ["sign"]
    assert fire_due_notices(desk.host.database, at("2026-10-12T09:00")) == []


def test_a_notice_not_submitted_in_time_is_escalated_to_the_office_director(desk: Desk) -> None:
    case_id = register(desk)
    host = desk.host
    assert fire_due_timers(host.database, host.runtime, at("2026-10-08T23:59")) == []
    assert inbox(desk("clerk")) == ["submit_for_signoff"]

    assert fire_due_timers(host.database, host.runtime, at("2026-10-09T00:00:01")) == [case_id]
    fire_due_notices(host.database, at("2026-10-09T00:00:01"))
    desk.at("2026-10-09T10:00")
    assert inbox(desk("clerk")) == []
    overdue = only_task(desk("director_wang"), "overdue_submit")
    assert overdue["due_at"] == "2026-10-08T15:59:59+00:00"
    assert desk.case(case_id)["deadlines"][0]["status"] == "missed"  # the host's notices said so at midnight

    refused = desk("director_wang").post(f"/tasks/{overdue['id']}/complete", json={"data": {}})
    assert refused.status_code == 422
    complete(desk("director_wang"), "overdue_submit", {"late_reason": "国庆假期值班人员未及时转交。"})

    [deadline] = desk.case(case_id)["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("missed", "director_wang")
    assert inbox(desk("office_deputy")) == ["sign"]
    sign_in_turn(desk, CHAINS["ordinary"])
    desk.at("2026-10-10T10:00")  # the day the office forwards (not a day ahead of the clock)
    complete(desk("clerk"), "forward_notice", {"forwarded_on": "2026-10-10"})
    done = desk.case(case_id)
    assert done["status"] == "completed"
    assert (done["data"]["late_reason"], done["data"]["signoff_submitted_on"]) == (
        "国庆假期值班人员未及时转交。",
        "2026-10-09",
    )


def test_the_diagram_draws_every_element_left_to_right_inside_its_lane() -> None:
    root, process = read_diagram(DIAGRAM)
    nodes = flow_nodes(process, FLOW_NODES)
    shapes, waypoints = shape_boxes(root), flow_waypoints(root)
    pool = shapes[root.find("bpmn:collaboration/bpmn:participant", NS).get("id")]

    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    heights = [shapes[lane.get("id")][3] - shapes[lane.get("id")][1] for lane in lanes]
    assert sum(heights) == pool[3] - pool[1]  # horizontal lanes stacked in the pool
    for lane in lanes:
        assert inside(shapes[lane.get("id")], pool)
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            assert inside(shapes[ref.text], shapes[lane.get("id")]), ref.text
    assert sorted(n.get("id") for n in nodes) == sorted(r.text for r in process.iterfind(".//bpmn:flowNodeRef", NS))

    boxes = [(n.get("id"), shapes[n.get("id")]) for n in nodes if n.get("attachedToRef") is None]
    for i, (a, box) in enumerate(boxes):
        assert [b for b, other in boxes[i + 1 :] if overlap(box, other)] == [], a

    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        points = waypoints[flow.get("id")]
        assert len(points) >= 2, flow.get("id")
        assert touches(points[0], shapes[flow.get("sourceRef")]), flow.get("id")
        assert touches(points[-1], shapes[flow.get("targetRef")]), flow.get("id")
    main = [
        "notice_received",
        "check_notice_registered",
        "notice_already_registered",
        "register_notice",
        "registration_merge",
        "compute_signoff_deadline",
        "submit_for_signoff",
        "decide_signoff_chain",
        "sign",
        "forwarded",
    ]
    assert [shapes[n][0] for n in main] == sorted(shapes[n][0] for n in main)


def test_every_element_names_itself_in_chinese_and_the_article_it_enforces() -> None:
    _root, process = read_diagram(DIAGRAM)
    for node in flow_nodes(process, FLOW_NODES):
        assert has_chinese(node.get("name")), node.get("id")
        assert "Art. " in node.findtext("bpmn:documentation", "", NS), node.get("id")
    assert all(has_chinese(lane.get("name")) for lane in process.iterfind("bpmn:laneSet/bpmn:lane", NS))
