"""Art. 6 defence (processes/defence.bpmn) run over the JSON API by the people its lanes name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Api
from tests.processes.support import (
    CST,
    NS,
    PROCESSES,
    SignIn,
    cites_article,
    complete_task,
    flow_nodes,
    flow_waypoints,
    id_number,
    inside,
    is_conditional,
    lane_of,
    overlap,
    read_diagram,
    refused,
    shape_boxes,
    start_case,
    tasks,
)
from workflow_host.engine import FixedClock

DIAGRAMS = ("defence.bpmn",)
NOW = "2026-09-21T09:00"  # the day after the complaint copy was served, unless a test moves the clock
CASE = {
    "case_no": "(2026)蒙0205行初12号",
    "complaint_served_on": "2026-09-20",
    "handling_units": ["land_bureau", "wudangzhao"],
    "justice_bureau_reconsideration_part": False,
}
DEFENCE_DUE = datetime(2026, 10, 8, 23, 59, 59, tzinfo=CST)  # ALL Art. 67 counted past National Day 2026


def start(api: Api, **changes: Any) -> int:
    return start_case(api, "defence", {**CASE, **changes})


def materials(organ: str, agents: int = 1, **power: Any) -> dict[str, Any]:
    """A complete submission of Art. 6: defence materials (1)-(3), certificate, power of attorney."""
    staff = [
        {
            "name": f"{organ}干部{n}",
            "agent_type": "staff",
            "work_unit": organ,
            "position": "法制员",
            "id_number": id_number("19800101", n),
        }
        for n in range(1, agents + 1)
    ]
    return {
        "statement_of_defence": f"{organ}答辩状（代拟稿）：被诉行政行为认定事实清楚，程序合法，请求驳回原告诉讼请求。",
        "legal_basis": [{"name": "中华人民共和国土地管理法", "provisions": "第八十三条"}],
        "evidence": [
            {"name": "责令限期拆除决定书", "kind": "documentary", "purpose": "证明被诉行为的内容", "pages": 2},
            {"name": "现场检查笔录", "kind": "inspection_record", "purpose": "证明违法事实", "source": "执法大队"},
        ],
        "other_materials": [{"name": "送达回证"}],
        "legal_representative_certificate": {"organ": organ, "name": "张某某", "position": "局长"},
        "power_of_attorney": {
            "principal": organ,
            "agents": staff,
            "entrusted_matters": "代理本机关参加（2026）蒙0205行初12号行政诉讼案件第一审诉讼",
            "authority_scope": "general",
            **power,
        },
    }


SPECIAL_POWERS = ["admit_claims", "settle_or_mediate"]
ACCEPT = {"materials_complete": True, "review_opinion": "材料及手续齐备"}
SEND_BACK = {
    "materials_complete": False,
    "missing_items": ["evidence"],
    "supplement_reasons": "缺少现场检查笔录原件的复印件，请补充后重新提交。",
}
SEAL = {
    "seal_affixed": True,
    "sealed_on": "2026-09-21",  # the day the materials were ready (the clock: NOW)
    "sealed_documents": ["statement_of_defence", "legal_representative_certificate", "power_of_attorney"],
}
FILING = {"filed_on": "2026-09-21", "filed_by": "司法局干部", "filing_method": "in_person"}


def prepare_all(land: Api, town: Api) -> None:
    [land_task], [town_task] = tasks(land, "prepare_defence"), tasks(town, "prepare_defence")
    complete_task(land, land_task, materials("石拐区自然资源局"))
    special = {"authority_scope": "special", "special_powers": SPECIAL_POWERS}
    complete_task(town, town_task, materials("五当召镇人民政府", agents=2, **special))


def test_each_unit_prepares_its_part_and_a_send_back_reaches_only_that_unit(sign_in: SignIn) -> None:
    jb, land, town, clerk = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer"), sign_in("clerk")
    case_id = start(jb)

    [land_task], [town_task] = tasks(land, "prepare_defence"), tasks(town, "prepare_defence")
    assert (land_task["unit"], land_task["lane"]) == ("land_bureau", "handling_unit")
    assert town_task["unit"] == "wudangzhao"
    assert datetime.fromisoformat(land_task["due_at"]) == DEFENCE_DUE
    assert land.post(f"/tasks/{town_task['id']}/complete", json={"data": materials("x局")}).status_code == 403
    assert tasks(jb, "formal_review") == []
    assert town.get(f"/tasks/{town_task['id']}").get_json()["previous"] is None  # done for the first time
    prepare_all(land, town)
    submitted = materials("五当召镇人民政府", agents=2, authority_scope="special", special_powers=SPECIAL_POWERS)

    reviews = {t["unit"]: t for t in tasks(jb, "formal_review")}
    assert set(reviews) == {"land_bureau", "wudangzhao"}  # one formal review per unit
    complete_task(jb, reviews["land_bureau"], ACCEPT)
    complete_task(jb, reviews["wudangzhao"], SEND_BACK)
    for verdict in (SEND_BACK, ACCEPT):  # sent back twice, accepted the third time
        assert tasks(land, "prepare_defence") == []
        assert tasks(clerk, "affix_seal") == []
        [again] = tasks(town, "prepare_defence")
        detail = town.get(f"/tasks/{again['id']}").get_json()
        assert detail["form"]["schema"]["title"] == "答辩材料及法律文书"
        assert detail["data"]["supplement_request"]["supplement_reasons"] == SEND_BACK["supplement_reasons"]
        # the unit starts from what it sent last time, not from a blank form
        assert (detail["previous"]["data"], detail["previous"]["completed_by"]) == (submitted, "town_officer")
        submitted = materials("五当召镇人民政府（补正）")
        complete_task(town, again, submitted)
        [review] = tasks(jb, "formal_review")
        assert review["unit"] == "wudangzhao"
        assert jb.get(f"/tasks/{review['id']}").get_json()["previous"] is None  # a verdict starts blank
        complete_task(jb, review, verdict)

    [seal] = tasks(clerk, "affix_seal")
    assert tasks(jb, "file_defence") == []
    complete_task(clerk, seal, SEAL)
    [filing] = tasks(jb, "file_defence")
    complete_task(jb, filing, FILING)

    case = jb.get(f"/instances/{case_id}").get_json()
    assert case["status"] == "completed"
    data = case["data"]
    assert set(data["defence_materials"]) == {"land_bureau", "wudangzhao"}
    assert data["defence_materials"]["wudangzhao"]["legal_representative_certificate"]["organ"].endswith("（补正）")
    assert data["defence_materials"]["wudangzhao"]["round"] == 3
    assert [(r["unit"], r["round"], r["materials_complete"]) for r in data["review_history"]] == [
        ("land_bureau", 1, True),
        ("wudangzhao", 1, False),
        ("wudangzhao", 2, False),
        ("wudangzhao", 3, True),
    ]
    assert data["review_history"][-2]["supplement_reasons"] == SEND_BACK["supplement_reasons"]
    assert "reconsideration_materials" not in data
    assert (data["sealed_on"], data["filed_by"]) == ("2026-09-21", "司法局干部")
    assert jb.post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_the_reconsideration_part_is_prepared_in_parallel_only_when_the_act_was_upheld(sign_in: SignIn) -> None:
    jb, land, clerk = sign_in("jb_staff"), sign_in("land_officer"), sign_in("clerk")
    without = start(jb, handling_units=["land_bureau"])
    assert tasks(jb, "prepare_reconsideration_part") == []

    upheld = start(jb, handling_units=["land_bureau"], justice_bureau_reconsideration_part=True)
    [part] = tasks(jb, "prepare_reconsideration_part")
    assert part["instance_id"] == upheld
    assert sorted(t["instance_id"] for t in tasks(land, "prepare_defence")) == [without, upheld]
    complete_task(jb, part, materials("石拐区人民政府"))
    assert tasks(clerk, "affix_seal") == []  # the units' part is not ready yet

    for task in tasks(land, "prepare_defence"):
        complete_task(land, task, materials("石拐区自然资源局"))
    for task in tasks(jb, "formal_review"):
        complete_task(jb, task, ACCEPT)
    seals = tasks(clerk, "affix_seal")
    assert sorted(t["instance_id"] for t in seals) == [without, upheld]

    data = jb.get(f"/instances/{upheld}").get_json()["data"]
    assert data["reconsideration_materials"]["power_of_attorney"]["principal"] == "石拐区人民政府"
    assert "statement_of_defence" not in data  # the part's fields are kept together, not loose in the case
    assert "reconsideration_materials" not in jb.get(f"/instances/{without}").get_json()["data"]


def drive_to_filing(sign_in: SignIn) -> tuple[int, Api]:
    jb, land, town, clerk = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer"), sign_in("clerk")
    case_id = start(jb)
    prepare_all(land, town)
    for task in tasks(jb, "formal_review"):
        complete_task(jb, task, ACCEPT)
    [seal] = tasks(clerk, "affix_seal")
    complete_task(clerk, seal, SEAL)
    return case_id, jb


def test_the_defence_deadline_runs_past_national_day_and_is_met_by_filing_in_time(
    sign_in: SignIn, clock: FixedClock
) -> None:
    case_id, jb = drive_to_filing(sign_in)
    [deadline] = jb.get(f"/instances/{case_id}").get_json()["deadlines"]
    assert deadline["variable"] == "defence_deadline"
    assert deadline["title"] == "答辩期限（行政诉讼法第六十七条）"
    assert (deadline["start_on"], deadline["rule"]) == ("2026-09-20", "15 日")
    # 15 days end on 5 October, inside the National Day holiday (1-7 October): the period ends on the 8th
    assert (deadline["due_on"], deadline["provisional"], deadline["status"]) == ("2026-10-08", False, "open")

    clock.set(datetime(2026, 10, 8, 16, 30, tzinfo=CST))
    jb = sign_in("jb_staff")
    [filing] = tasks(jb, "file_defence")
    assert datetime.fromisoformat(filing["due_at"]) == DEFENCE_DUE
    complete_task(jb, filing, {**FILING, "filed_on": "2026-10-08"})

    [deadline] = jb.get(f"/instances/{case_id}").get_json()["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("met", "jb_staff")
    assert deadline["closed_at"].startswith("2026-10-08T")


@pytest.mark.parametrize(
    ("level", "title"),
    [
        ("first", "答辩期限（行政诉讼法第六十七条）"),
        ("second", "答辩期限（二审：收到上诉状副本之日起十五日内）"),
        ("retrial", "答辩期限（再审：收到再审应诉通知之日起十五日内）"),
    ],
)
def test_the_defence_deadline_is_titled_by_the_instance_it_runs_in(sign_in: SignIn, level: str, title: str) -> None:
    jb = sign_in("jb_staff")
    case_id = start(jb, instance_level=level)  # ALL Art. 67 is the first instance's period, not the appellee's
    [deadline] = jb.get(f"/instances/{case_id}").get_json()["deadlines"]
    assert (deadline["title"], deadline["start_on"], deadline["due_on"]) == (title, "2026-09-20", "2026-10-08")
    [prepare] = tasks(sign_in("land_officer"), "prepare_defence")
    assert datetime.fromisoformat(prepare["due_at"]) == DEFENCE_DUE


def test_a_name_the_form_does_not_declare_is_refused_and_changes_nothing(sign_in: SignIn, clock: FixedClock) -> None:
    # task data is merged into the case's: an undeclared name would rewrite who handles the case (and who sees it)
    case_id, jb = drive_to_filing(sign_in)
    before = jb.get(f"/instances/{case_id}").get_json()["data"]
    smuggled = {**FILING, "filed_on": "2026-10-08", "handling_units": ["gov_office"], "defence_deadline": None}
    assert refused(jb, "file_defence", smuggled) == {"/handling_units", "/defence_deadline"}
    assert jb.get(f"/instances/{case_id}").get_json()["data"] == before
    assert [t["name"] for t in tasks(jb, "file_defence")] == ["file_defence"]


def test_the_deadline_is_judged_by_the_filing_date_entered_not_by_when_it_is_recorded(
    sign_in: SignIn, clock: FixedClock
) -> None:
    case_id, _ = drive_to_filing(sign_in)
    clock.set(datetime(2026, 10, 12, 9, 0, tzinfo=CST))  # recorded four days late: the filing was on the last day
    jb = sign_in("jb_staff")
    assert refused(jb, "file_defence", {**FILING, "filed_on": "2026-10-13"}) == {"/filed_on"}  # after today
    assert refused(jb, "file_defence", {**FILING, "filed_on": "2026-09-19"}) == {"/filed_on"}  # before service
    [filing] = tasks(jb, "file_defence")
    complete_task(jb, filing, {**FILING, "filed_on": "2026-10-08"})
    [deadline] = jb.get(f"/instances/{case_id}").get_json()["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("met", "jb_staff")
    assert deadline["closed_at"].startswith("2026-10-12T")  # when it was recorded, kept beside the verdict
    events = sign_in("auditor").get(f"/instances/{case_id}/events").get_json()["events"]
    [met] = [e for e in events if e["type"] == "deadline_met"]
    assert met["payload"]["met_on"] == "2026-10-08"


def test_a_filing_after_the_deadline_is_recorded_as_missed(sign_in: SignIn, clock: FixedClock) -> None:
    case_id, _ = drive_to_filing(sign_in)
    clock.set(datetime(2026, 10, 9, 10, 0, tzinfo=CST))
    jb = sign_in("jb_staff")
    [filing] = tasks(jb, "file_defence")
    complete_task(jb, filing, {**FILING, "filed_on": "2026-10-09"})
    [deadline] = jb.get(f"/instances/{case_id}").get_json()["deadlines"]
    assert deadline["status"] == "missed"


def lawyer(n: int) -> dict[str, Any]:
    return {
        "name": f"律师{n}",
        "agent_type": "public_lawyer",
        "work_unit": "石拐区司法局",
        "position": "公职律师",
        "id_number": id_number("19850101", n),
    }


@pytest.mark.parametrize(
    ("change", "paths"),
    [
        ({"agents": 3}, {"/power_of_attorney/agents"}),
        ({"authority_scope": "special"}, {"/power_of_attorney"}),
        ({"authority_scope": "special", "special_powers": []}, {"/power_of_attorney/special_powers"}),
        ({"special_powers": ["appeal"]}, {"/power_of_attorney/special_powers"}),
        ({"only_lawyers": True}, {"/power_of_attorney/agents"}),
    ],
    ids=["three-agents", "special-without-powers", "special-empty-powers", "general-with-powers", "lawyers-only"],
)
def test_a_power_of_attorney_against_art_6_and_16_is_refused_with_paths(
    sign_in: SignIn, change: dict[str, Any], paths: set[str]
) -> None:
    jb, land = sign_in("jb_staff"), sign_in("land_officer")
    case_id = start(jb)
    [task] = tasks(land, "prepare_defence")
    change = dict(change)
    data = materials("石拐区自然资源局", agents=change.pop("agents", 1))
    if change.pop("only_lawyers", False):
        data["power_of_attorney"]["agents"] = [lawyer(1), lawyer(2)]
    data["power_of_attorney"].update(change)

    response = land.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 422
    assert {e["path"] for e in response.get_json()["errors"]} == paths
    assert [t["id"] for t in tasks(land, "prepare_defence")] == [task["id"]]
    assert jb.get(f"/instances/{case_id}").get_json()["revision"] == 1


def test_a_seal_dated_ahead_or_a_filing_before_the_seal_is_refused_in_the_diagram_s_words(sign_in: SignIn) -> None:
    jb, land, town, clerk = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer"), sign_in("clerk")
    start(jb)
    prepare_all(land, town)
    for review in tasks(jb, "formal_review"):
        complete_task(jb, review, ACCEPT)
    [seal] = tasks(clerk, "affix_seal")
    ahead = clerk.post(f"/tasks/{seal['id']}/complete", json={"data": {**SEAL, "sealed_on": "2026-09-25"}})
    assert ahead.status_code == 422
    assert ahead.get_json()["reason"] == "用印日期不能晚于今天，请按实际加盖公章的日期登记。"
    before = clerk.post(f"/tasks/{seal['id']}/complete", json={"data": {**SEAL, "sealed_on": "2026-09-19"}})
    assert before.status_code == 422  # before the complaint copy was served (20 September): a seal of other papers
    assert before.get_json()["reason"].startswith("用印日期不能早于收到起诉状（上诉状）副本的日期（2026-09-20）")
    complete_task(clerk, seal, SEAL)
    [filing] = tasks(jb, "file_defence")
    early = jb.post(f"/tasks/{filing['id']}/complete", json={"data": {**FILING, "filed_on": "2026-09-20"}})
    assert early.status_code == 422
    assert early.get_json()["reason"].startswith("提交日期不能早于用印日期（2026-09-21）")
    complete_task(jb, filing, FILING)


def test_a_send_back_needs_the_items_and_the_reasons(sign_in: SignIn) -> None:
    jb, land, town = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer")
    start(jb)
    prepare_all(land, town)
    review = tasks(jb, "formal_review")[0]
    response = jb.post(f"/tasks/{review['id']}/complete", json={"data": {"materials_complete": False}})
    assert response.status_code == 422
    told = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert told["/missing_items"] == "“材料及手续齐备”为“不齐备，退回补正”时，请选择“缺少或需补正的项目”。"
    assert told["/supplement_reasons"] == "“材料及手续齐备”为“不齐备，退回补正”时，请填写“补正理由”。"
    complete_task(jb, review, ACCEPT)


FLOW_NODES = ("startEvent", "endEvent", "userTask", "scriptTask", "exclusiveGateway", "inclusiveGateway")


def test_the_diagram_is_drawn_lane_by_lane_and_documents_its_articles() -> None:
    root, process = read_diagram(PROCESSES / "defence.bpmn")
    shapes, waypoints = shape_boxes(root), flow_waypoints(root)
    lanes = process.findall(".//bpmn:lane", NS)
    assert {lane.get("name") for lane in lanes} == {"应诉承办单位", "区司法局", "区政府办公室"}
    lanes_of = lane_of(lanes)
    nodes = flow_nodes(process, FLOW_NODES)

    for node in nodes:
        node_id = node.get("id", "")
        assert node.get("name"), f"{node_id} has no (Chinese) name"
        assert inside(shapes[node_id], shapes[lanes_of[node_id]]), f"{node_id} is drawn outside its lane"
        if node.tag != f"{{{NS['bpmn']}}}endEvent":
            assert cites_article(node), f"{node_id} names no article"
    ids = [n.get("id", "") for n in nodes]
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            assert not overlap(shapes[a], shapes[b]), f"{a} overlaps {b}"
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        assert len(waypoints[flow.get("id", "")]) >= 2
        if is_conditional(flow):
            assert cites_article(flow), f"{flow.get('id')} names no article"
