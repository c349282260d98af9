"""Art. 13 and 16 appearance (processes/appearance.bpmn) run over the JSON API by the people its lanes name."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from tests.conftest import Api
from tests.processes.support import (
    ART13_FLAGS,
    NO_ART13_ITEM,
    PROCESSES,
    SignIn,
    check_layout,
    complete_task,
    id_number,
    instance,
    start_case,
    tasks,
)
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.host import Host

DIAGRAMS = ("appearance.bpmn", "court_appearance.dmn")
NOW = "2026-11-01T09:00"  # three weeks before the hearing
HEARING = "2026-11-20T09:30:00+08:00"
CASE = {
    "case_no": "(2026)蒙0205行初12号",
    "defendant": "district_government",
    "instance_level": "first",
    "lost_first_instance": False,
    "head_appeared_first_instance": False,
    "handling_units": ["land_bureau"],
    "hearing_on": HEARING,
}


def start(api: Api, **changes: Any) -> int:
    return start_case(api, "appearance", {**CASE, **changes})


def case_data(api: Api, case_id: int) -> dict[str, Any]:
    return dict(instance(api, case_id)["data"])


def assess(jb: Api, **flags: Any) -> None:
    [task] = tasks(jb, "assess_art13")
    complete_task(jb, task, {**NO_ART13_ITEM, **flags})


def staff(n: int, unit: str = "land_bureau") -> dict[str, Any]:
    return {
        "name": f"法制员{n}",
        "agent_type": "staff",
        "unit": unit,
        "position": "法制股股长",
        "id_number": id_number("19800101", n),
    }


def lawyer(n: int) -> dict[str, Any]:
    return {
        "name": f"律师{n}",
        "agent_type": "public_lawyer",
        "work_unit": "石拐区司法局",
        "position": "公职律师",
        "id_number": id_number("19850101", n),
    }


STATEMENT = "本局局长因参加自治区专项督查，开庭当日不能出庭应诉，特此说明。"
AGENTS_ONLY = {"unit_head_appears": False, "agents": [staff(1), lawyer(1)], "head_absence_statement": STATEMENT}
HEAD_APPEARS = {"unit_head_appears": True, "unit_head": {"name": "张某某", "position": "局长"}}

# Art. 13 item → (start data, assessment): items 1 and 2 follow from the data, items 3-8 from the assessment
ITEMS = {
    1: ({"instance_level": "second", "lost_first_instance": True}, {}),
    2: ({"instance_level": "second"}, {"head_wants_to_appear": True}),
    3: ({}, {"court_requested_head": True, "court_suggestion": "石拐区人民法院出庭建议书（2026）第3号"}),
    4: ({}, {"major_public_interest": True}),
    5: ({}, {"procuratorate_public_interest_suit": True}),
    6: ({}, {"large_compensation": True}),
    7: ({}, {"major_social_impact": True}),
    8: ({}, {"head_helps_resolve": True}),
}


@pytest.mark.parametrize("item", sorted(ITEMS))
def test_each_article_13_item_makes_both_heads_confirm_their_appearance(sign_in: SignIn, item: int) -> None:
    jb, land = sign_in("jb_staff"), sign_in("land_officer")
    changes, flags = ITEMS[item]
    case_id = start(jb, **changes)
    assess(jb, **flags)

    data = case_data(jb, case_id)
    assert (data["appearance_reasons"], data["head_must_appear"]) == ([item], True)
    assert all(data[flag] is flags.get(flag, False) for flag in ART13_FLAGS)
    for username in ("district_head", "li_vice"):  # the principal head or the head in charge
        [head] = tasks(sign_in(username), "confirm_head_appearance")
        assert head["instance_id"] == case_id
    for username in ("zhao", "jb_head"):  # the head of the legal-affairs organ
        assert len(tasks(sign_in(username), "confirm_legal_head_appearance")) == 1
    assert tasks(sign_in("exec_vice"), "confirm_head_appearance") == []
    assert tasks(land, "arrange_appearance") == []  # Art. 16 does not apply


def test_the_plan_names_the_government_head_and_the_legal_affairs_head(sign_in: SignIn) -> None:
    jb, vice, zhao = sign_in("jb_staff"), sign_in("li_vice"), sign_in("zhao")
    case_id = start(jb)
    assess(jb, major_public_interest=True, large_compensation=True)
    [legal] = tasks(zhao, "confirm_legal_head_appearance")
    [head] = tasks(vice, "confirm_head_appearance")
    assert datetime.fromisoformat(head["due_at"]) == datetime.fromisoformat(HEARING)

    refused = zhao.post(f"/tasks/{legal['id']}/complete", json={"data": {"legal_affairs_head": {"name": "赵某"}}})
    assert refused.status_code == 422  # no confirmation, no position
    complete_task(
        zhao,
        legal,
        {
            "legal_affairs_head": {"name": "赵某某", "position": "区司法局局长"},
            "legal_head_appearance_confirmed": True,
            "accompanying_agents": [lawyer(1)],
        },
    )
    assert jb.get(f"/instances/{case_id}").get_json()["status"] == "running"  # the government head has not confirmed
    government_head = {"role": "vice_head_in_charge", "name": "李某某", "position": "副区长"}
    complete_task(vice, head, {"government_head": government_head, "head_appearance_confirmed": True})

    case = jb.get(f"/instances/{case_id}").get_json()
    assert case["status"] == "completed"
    plan = case["data"]["appearance_plan"]
    assert (plan["article"], plan["appearance_reasons"], plan["defendant"]) == (13, [4, 6], "district_government")
    assert [(h["role"], h["name"]) for h in plan["heads"]] == [
        ("vice_head_in_charge", "李某某"),
        ("justice_bureau_head", "赵某某"),
    ]
    assert [a["name"] for a in plan["agents"]] == ["律师1"]
    assert plan["head_absence_statements"] == []
    assert not {"government_head", "legal_affairs_head", "government_head_roles"} & set(case["data"])
    assert jb.post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_item_2_is_not_asked_when_the_head_appeared_at_first_instance(sign_in: SignIn) -> None:
    jb, land = sign_in("jb_staff"), sign_in("land_officer")
    case_id = start(jb, instance_level="second", head_appeared_first_instance=True)
    [task] = tasks(jb, "assess_art13")
    form = jb.get(f"/tasks/{task['id']}").get_json()["form"]
    assert "head_wants_to_appear" not in form["schema"]["required"]  # 一审中未出庭 is the item's premise
    assert form["ui_schema"]["head_wants_to_appear"]["ui:widget"] == "hidden"
    items = {flag: False for flag in ART13_FLAGS if flag != "head_wants_to_appear"}
    refused = jb.post(f"/tasks/{task['id']}/complete", json={"data": {**items, "head_wants_to_appear": True}})
    assert refused.status_code == 422
    assert "本案一审负责人已出庭" in refused.get_json()["reason"]
    complete_task(jb, task, items)
    data = case_data(jb, case_id)
    assert (data["head_wants_to_appear"], data["appearance_reasons"], data["head_must_appear"]) == (False, [], False)
    assert len(tasks(land, "arrange_appearance")) == 1


ITEMS_3_TO_8 = {flag: False for flag in ART13_FLAGS if flag != "head_wants_to_appear"}
ITEM_2_ONLY_AT_SECOND_INSTANCE = (
    "第十三条第（二）项（主要负责或分管负责人一审中未出庭应诉，但认为二审有必要出庭应诉）只适用于二审，"
    "本审级不能选择“是”。"
)


def assessment_of(jb: Api, case_id: int) -> dict[str, Any]:
    [task] = [t for t in tasks(jb, "assess_art13") if t["instance_id"] == case_id]
    return dict(jb.get(f"/tasks/{task['id']}").get_json())


def test_item_2_is_neither_asked_nor_required_at_first_instance_and_stays_required_at_second(sign_in: SignIn) -> None:
    jb = sign_in("jb_staff")
    first, second = start(jb), start(jb, instance_level="second")

    task = assessment_of(jb, first)
    assert "head_wants_to_appear" not in task["form"]["schema"]["required"]
    assert task["form"]["ui_schema"]["head_wants_to_appear"]["ui:widget"] == "hidden"
    refused = jb.post(f"/tasks/{task['id']}/complete", json={"data": {**ITEMS_3_TO_8, "head_wants_to_appear": True}})
    assert refused.status_code == 422
    assert refused.get_json()["reason"] == ITEM_2_ONLY_AT_SECOND_INSTANCE
    complete_task(jb, task, ITEMS_3_TO_8)  # items 3 to 8 alone complete the first-instance assessment
    data = case_data(jb, first)
    assert (data["head_wants_to_appear"], data["appearance_reasons"], data["head_must_appear"]) == (False, [], False)

    task = assessment_of(jb, second)
    assert "head_wants_to_appear" in task["form"]["schema"]["required"]
    assert task["form"]["ui_schema"]["head_wants_to_appear"]["ui:widget"] == "radio"
    unanswered = jb.post(f"/tasks/{task['id']}/complete", json={"data": ITEMS_3_TO_8})
    assert unanswered.status_code == 422
    assert [e["field"] for e in unanswered.get_json()["errors"]] == ["/head_wants_to_appear"]
    complete_task(jb, task, {**ITEMS_3_TO_8, "head_wants_to_appear": True})
    assert case_data(jb, second)["appearance_reasons"] == [2]


def test_the_assessment_page_asks_item_2_only_at_second_instance(host: Host, sign_in: SignIn) -> None:
    jb = sign_in("jb_staff")
    first, second = start(jb), start(jb, instance_level="second")
    web = Web(create_app({"TESTING": True, "HOST": host}), "jb_staff")

    first_id = assessment_of(jb, first)["id"]
    page = web.get(f"/tasks/{first_id}").get_data(as_text=True)
    assert 'name="f.court_requested_head"' in page
    assert 'name="f.head_wants_to_appear"' not in page  # a first instance has no "second instance" to appear at
    answers = {f"f.{flag}": "false" for flag in ITEMS_3_TO_8}
    assert web.post(f"/tasks/{first_id}", {**answers, "action": "complete"}).status_code == 302
    assert case_data(jb, first)["head_wants_to_appear"] is False
    assert tasks(jb, "assess_art13")[0]["instance_id"] == second

    second_page = web.get(f"/tasks/{assessment_of(jb, second)['id']}").get_data(as_text=True)
    assert 'name="f.head_wants_to_appear"' in second_page


def test_the_assessment_opens_with_no_item_answered_and_each_must_be_answered(host: Host, sign_in: SignIn) -> None:
    jb = sign_in("jb_staff")
    second = start(jb, instance_level="second")
    task = assessment_of(jb, second)
    assert {flag: task["data"][flag] for flag in ART13_FLAGS} == dict.fromkeys(ART13_FLAGS)
    web = Web(create_app({"TESTING": True, "HOST": host}), "jb_staff")
    page = web.get(f"/tasks/{task['id']}").get_data(as_text=True)
    for flag in ART13_FLAGS:  # asked, with 是 and 否 offered and neither chosen for the bureau
        radios = re.findall(rf'<input type="radio" name="f\.{flag}"[^>]*>', page)
        assert [("checked" in r) for r in radios] == [False, False], flag

    answers = {f"f.{flag}": "false" for flag in ART13_FLAGS if flag != "head_helps_resolve"}
    refused = web.post(f"/tasks/{task['id']}", {**answers, "action": "complete"})
    assert refused.status_code == 422  # item 8 left unanswered
    assert "head_must_appear" not in case_data(jb, second)


def test_a_suit_against_a_unit_records_no_article_13_answer(sign_in: SignIn) -> None:
    jb, land = sign_in("jb_staff"), sign_in("land_officer")
    case_id = start(jb, defendant="unit", defendant_unit="land_bureau", instance_level="second")
    complete_task(land, tasks(land, "arrange_appearance")[0], HEAD_APPEARS)
    data = case_data(jb, case_id)
    assert {flag: data[flag] for flag in ART13_FLAGS} == dict.fromkeys(ART13_FLAGS)  # nobody was asked
    assert (data["appearance_reasons"], data["head_must_appear"]) == ([], False)


def test_items_1_and_2_do_not_apply_at_first_instance_whatever_the_data_says(sign_in: SignIn) -> None:
    jb = sign_in("jb_staff")
    case_id = start(jb, lost_first_instance=True)  # Art. 13 (1) needs a second-instance hearing
    assess(jb)
    data = case_data(jb, case_id)
    assert (data["appearance_reasons"], data["head_must_appear"]) == ([], False)


def test_outside_article_13_the_unit_head_appears_in_principle(sign_in: SignIn) -> None:
    jb, land, town = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer")
    case_id = start(jb)
    assess(jb)
    assert tasks(sign_in("li_vice"), "confirm_head_appearance") == []
    assert tasks(sign_in("zhao"), "confirm_legal_head_appearance") == []

    [task] = tasks(land, "arrange_appearance")
    assert (task["unit"], task["lane"]) == ("land_bureau", "handling_unit")
    assert tasks(town, "arrange_appearance") == []  # another unit's user does not see it
    assert town.post(f"/tasks/{task['id']}/complete", json={"data": HEAD_APPEARS}).status_code == 403
    complete_task(land, task, HEAD_APPEARS)

    data = case_data(jb, case_id)
    plan = data["appearance_plan"]
    assert (plan["article"], plan["appearance_reasons"]) == (16, [])
    assert plan["heads"] == [{"role": "unit_head", "name": "张某某", "position": "局长", "unit": "land_bureau"}]
    assert (plan["agents"], plan["head_absence_statements"]) == ([], [])
    assert data["head_must_appear"] is False
    assert not {"agents", "unit_head", "unit_head_appears", "head_absence_statement", "problems_to_fix"} & set(data)


def test_a_suit_against_a_unit_is_not_assessed_under_article_13(sign_in: SignIn) -> None:
    jb, land = sign_in("jb_staff"), sign_in("land_officer")
    case_id = start(
        jb, defendant="unit", defendant_unit="land_bureau", instance_level="second", lost_first_instance=True
    )
    assert tasks(jb, "assess_art13") == []
    [task] = tasks(land, "arrange_appearance")
    complete_task(land, task, AGENTS_ONLY)

    data = case_data(jb, case_id)
    assert (data["appearance_reasons"], data["head_must_appear"]) == ([], False)  # item 1 is for the government only
    plan = data["appearance_plan"]
    assert (plan["article"], plan["defendant"], plan["heads"]) == (16, "unit", [])
    assert [(a["name"], a["for_unit"]) for a in plan["agents"]] == [
        ("法制员1", "land_bureau"),
        ("律师1", "land_bureau"),
    ]
    assert plan["head_absence_statements"] == [{"unit": "land_bureau", "statement": STATEMENT}]


def test_the_arrangement_starts_with_the_agents_the_power_of_attorney_entrusts(sign_in: SignIn) -> None:
    """A walk retyped two agents' names, posts and 18-digit identity numbers the unit had given in its power of
    attorney a few weeks before."""
    jb, land = sign_in("jb_staff"), sign_in("land_officer")
    entrusted = [{**staff(1), "work_unit": "石拐区自然资源局"}, lawyer(1)]
    for agent in entrusted:
        agent.pop("unit", None)
    materials = {"land_bureau": {"power_of_attorney": {"agents": entrusted}}}
    start(jb, defendant="unit", defendant_unit="land_bureau", defence_materials=materials)
    [task] = tasks(land, "arrange_appearance")
    assert land.get(f"/tasks/{task['id']}").get_json()["data"]["agents"] == [staff(1), lawyer(1)]
    complete_task(land, task, {**AGENTS_ONLY, "agents": [staff(1), lawyer(1)]})


@pytest.mark.parametrize(
    ("data", "paths"),
    [
        ({**AGENTS_ONLY, "agents": [staff(1), staff(2), staff(3)]}, {"/agents"}),
        ({**AGENTS_ONLY, "agents": [lawyer(1), lawyer(2)]}, {"/agents"}),
        ({"unit_head_appears": False, "agents": [staff(1)]}, {"/"}),
        ({**AGENTS_ONLY, "head_absence_statement": "不能出庭"}, {"/head_absence_statement"}),
        ({"unit_head_appears": False, "agents": [], "head_absence_statement": STATEMENT}, {"/agents"}),
        ({"unit_head_appears": True}, {"/"}),
    ],
    ids=["three-agents", "lawyers-only", "no-statement", "statement-too-short", "no-agent", "head-unnamed"],
)
def test_an_arrangement_against_article_16_is_refused_and_nothing_is_kept(
    sign_in: SignIn, data: dict[str, Any], paths: set[str]
) -> None:
    jb, land = sign_in("jb_staff"), sign_in("land_officer")
    case_id = start(jb, defendant="unit", defendant_unit="land_bureau")
    before = jb.get(f"/instances/{case_id}").get_json()
    [task] = tasks(land, "arrange_appearance")

    response = land.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 422
    assert {e["path"] for e in response.get_json()["errors"]} == paths
    assert [t["id"] for t in tasks(land, "arrange_appearance")] == [task["id"]]
    after = jb.get(f"/instances/{case_id}").get_json()
    assert (after["revision"], after["data"]) == (before["revision"], before["data"])


def test_staff_of_another_unit_or_one_person_twice_is_sent_back_to_that_unit_only(sign_in: SignIn) -> None:
    jb, land, town = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer")
    case_id = start(jb, handling_units=["land_bureau", "wudangzhao"])
    assess(jb)
    [land_task], [town_task] = tasks(land, "arrange_appearance"), tasks(town, "arrange_appearance")
    outsider = {**AGENTS_ONLY, "agents": [staff(1, unit="justice_bureau"), lawyer(1)]}
    complete_task(land, land_task, outsider)
    complete_task(town, town_task, {**AGENTS_ONLY, "agents": [staff(2, "wudangzhao"), staff(2, "wudangzhao")]})

    [land_again], [town_again] = tasks(land, "arrange_appearance"), tasks(town, "arrange_appearance")
    problems = land.get(f"/tasks/{land_again['id']}").get_json()["data"]["problems_to_fix"]
    assert problems == ["以工作人员身份委托的诉讼代理人须为本单位工作人员（第十六条）：法制员1"]
    town_problems = town.get(f"/tasks/{town_again['id']}").get_json()["data"]["problems_to_fix"]
    assert town_problems == ["诉讼代理人重复：同一人不得重复列为诉讼代理人"]
    complete_task(land, land_again, AGENTS_ONLY)
    assert "appearance_plan" not in case_data(jb, case_id)  # the town has not fixed its arrangement yet
    complete_task(town, town_again, HEAD_APPEARS)
    assert tasks(land, "arrange_appearance") == tasks(town, "arrange_appearance") == []

    data = case_data(jb, case_id)
    assert [(h["unit"], h["role"]) for h in data["appearance_plan"]["heads"]] == [("wudangzhao", "unit_head")]
    assert [u["unit"] for u in data["appearance_plan"]["units"]] == ["land_bureau", "wudangzhao"]
    assert {r["instance_level"] for r in data["arrangement_history"]} == {"first"}
    assert [(r["round"], r["unit"], r["accepted"]) for r in data["arrangement_history"]] == [
        (1, "land_bureau", False),
        (1, "wudangzhao", False),
        (2, "land_bureau", True),
        (2, "wudangzhao", True),
    ]


def test_the_diagram_is_drawn_lane_by_lane_and_cites_its_articles() -> None:
    check_layout(PROCESSES / "appearance.bpmn")
