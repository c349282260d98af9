"""What an analyst reads when the modeller's check or save refuses a diagram: each problem in the page's language
(Chinese first), located by its element — a lane that is no role, a flow whose end is gone, a script the sandbox
refuses — while the API keeps its English words and says which problem it is (`code`, `params`)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.web.test_modeller_api import post_xml
from tests.web.test_pages import Web

BROKEN = [
    (
        "lane",
        (b'<bpmn:lane id="justice_bureau"', b'<bpmn:lane id="jb_team"'),
        "review",
        "泳道“jb_team”不是角色；请以办理其中任务的角色命名泳道（泳道编号）：gov_office（区政府办公室）、",
    ),
    (
        "flow",
        (b'sourceRef="check" targetRef="decide_units"', b'sourceRef="check" targetRef="decide_unit"'),
        "f3",
        "顺序流指向的“decide_unit”不是本流程中的元素",
    ),
    (
        "script",
        (b"step_count = 2", b"step_count = ().__class__"),
        "decide_units",
        "脚本不被接受：第 2 行：不允许使用“__class__”：名称不能以“_”开头",
    ),
    (
        "bpmn",  # what SpiffWorkflow's own validation finds, its words in a Chinese frame
        (b'<bpmn:startEvent id="start"', b'<bpmn:startEvnt id="start"'),
        None,
        "流程图不符合 BPMN 规范：",
    ),
]


def refused(app: Flask, change: tuple[bytes, bytes], language: str = "") -> list[dict[str, Any]]:
    analyst = Web(app, "analyst")
    if language:
        analyst.get(f"/lang/{language}")
    source = analyst.get("/modeller/six_steps/source.bpmn").data
    assert change[0] in source
    answer = post_xml(analyst, "/modeller/six_steps/validate", source.replace(change[0], change[1]))
    assert answer.status_code == 422, answer.get_json()
    return list(answer.get_json()["errors"])


@pytest.mark.parametrize(("change", "element", "told"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_the_modeller_says_what_is_wrong_in_chinese(
    app: Flask, change: tuple[bytes, bytes], element: str, told: str
) -> None:
    errors = refused(app, change)
    assert [e["element_id"] for e in errors] == [element]
    assert errors[0]["message"].startswith(told), errors[0]["message"]


def test_an_english_page_reads_them_in_english(app: Flask) -> None:
    [error] = refused(app, BROKEN[2][1], "en")
    assert error["message"] == (
        "the script was refused: line 2: “__class__” is not allowed: names may not start with “_”"
    )


def test_the_api_keeps_its_words_and_names_the_problem(app: Flask, login: Any) -> None:
    analyst = login("analyst")
    source = Web(app, "analyst").get("/modeller/six_steps/source.bpmn").data
    renamed = source.replace(b'<bpmn:lane id="justice_bureau"', b'<bpmn:lane id="jb_team"')
    answer = analyst.client.post(
        "/api/v1/processes/six_steps/versions",
        data=renamed,
        content_type="application/xml",
        headers=analyst.headers,
    )
    assert answer.status_code == 422
    [error] = answer.get_json()["errors"]
    assert error["message"].startswith("lane 'jb_team' is not a role (gov_office, ")
    assert (error["code"], error["params"]["lane"]) == ("lane_not_role", "jb_team")


def test_a_flow_left_without_its_end_is_told_in_chinese(app: Flask) -> None:
    """The modeller drops the end of a flow whose element is gone; the schema check's words are told in Chinese."""
    errors = refused(app, (b' targetRef="decide_units"', b""))
    assert [e["element_id"] for e in errors] == [None]
    assert errors[0]["message"] == "sequenceFlow 元素缺少必需的属性 targetRef"
