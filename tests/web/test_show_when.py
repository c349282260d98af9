"""A field shown by another answer of the same form (`ui:showWhen`): the page marks it for its script, a posted
form leaves out what its answers hide (with or without the script), and a star the schema asks for only under some
answers is marked with them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import render_template_string
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from tests.web.test_form_messages import deploy_probe
from tests.web.test_pages import Web, field_errors, start_case
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.models import Instance
from workflow_host.services.form_asked import asked_form
from workflow_host.services.form_fields import inline_refs
from workflow_host.services.form_validation import validate_form_data
from workflow_host.web.form_posted import parse_form
from workflow_host.web.formview import build_fields
from workflow_host.web.show_when import required_when

FORMS = Path(__file__).resolve().parents[2] / "forms"
UNITS = [("land_bureau", "石拐区自然资源局")]
TEMPLATE = '{% import "_form.html" as forms %}{{ forms.render(fields, {}) }}'


def form(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = json.loads((FORMS / f"{name}.schema.json").read_text(encoding="utf-8"))
    return schema, json.loads((FORMS / f"{name}.uischema.json").read_text(encoding="utf-8"))


def page(name: str, value: dict[str, Any], case: dict[str, Any] | None = None) -> str:
    """The task page's fields of a form, as asked of a case holding `case` when given."""
    schema, ui = form(name) if case is None else asked_form(*form(name), case)
    app = create_app({"TESTING": True, "HOST": object(), "BABEL_DEFAULT_LOCALE": "zh"})
    with app.test_request_context("/"):
        return render_template_string(TEMPLATE, fields=build_fields(schema, ui, value, UNITS))


def shown_when(html: str, element_id: str) -> Any:
    found = re.search(rf'id="{element_id}"[^>]*data-show-when=\'([^\']*)\'', html)
    return json.loads(found.group(1)) if found else None


def test_the_arrangement_marks_the_head_s_fields_for_the_head_appearing_and_the_statement_for_not() -> None:
    """A walk chose 负责人不出庭 and still saw 出庭的承办单位负责人 姓名*/职务* and the help for a head who appears."""
    html = page("appearance_arrange", {"agents": [{}]})
    assert shown_when(html, "field-unit_head") == {"f.unit_head_appears": ["true"]}
    statement = re.search(
        r'<div class="field field-textarea"([^>]*)>\s*<label for="field-head_absence_statement"', html
    )
    assert statement is not None
    assert statement.group(1) == ' data-show-when=\'{"f.unit_head_appears": ["false"]}\''
    helps = dict(
        (text, json.loads(cond))
        for cond, text in re.findall(r'<p class="help" data-show-when=\'([^\']*)\'>([^<]*)</p>', html)
    )
    assert helps["负责人出庭的，可另有至多二名诉讼代理人随同出庭。"] == {"f.unit_head_appears": ["true"]}
    assert helps[next(t for t in helps if t.startswith("负责人不出庭的，须委托"))] == {"f.unit_head_appears": ["false"]}
    # within an agent's row: the unit for the unit's own staff, a work unit for a lawyer or an adviser
    assert re.search(
        r'data-show-when=\'\{"f.agents.0.agent_type": \["staff"\]\}\'>\s*<label for="field-agents-0-unit"', html
    )


def test_a_star_the_schema_asks_for_under_an_answer_is_marked_with_that_answer() -> None:
    html = page("appearance_arrange", {})
    legend = re.search(r"<legend>出庭的承办单位负责人(.*?)</legend>", html)
    assert legend is not None
    star = re.search(r"data-required-when='([^']*)' hidden>\*", legend.group(1))
    assert star is not None
    assert json.loads(star.group(1)) == [{"f.unit_head_appears": ["true"]}]
    agents = re.search(r"<legend>诉讼代理人 <span[^>]*data-required-when='([^']*)'", html)
    assert agents is not None
    assert json.loads(agents.group(1)) == [{"f.unit_head_appears": ["false"]}]


def posted(name: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
    schema, ui = form(name)
    return parse_form(schema, ui, MultiDict(fields), ImmutableMultiDict(), lambda *_: "")


def test_a_posted_form_leaves_out_what_its_answers_hide_as_the_page_s_script_does() -> None:
    """Without the script every field shows; a head's name typed before choosing 负责人不出庭 is not kept."""
    data = posted(
        "appearance_arrange",
        [
            ("f.unit_head_appears", "false"),
            ("f.unit_head.name", "张某某"),
            ("f.unit_head.position", "局长"),
            ("n.agents", "1"),
            ("f.agents.0.name", "法制员1"),
            ("f.agents.0.agent_type", "staff"),
            ("f.agents.0.unit", "land_bureau"),
            ("f.agents.0.work_unit", "石拐区自然资源局"),
            ("f.head_absence_statement", "本局局长因公出差，开庭当日不能出庭应诉。"),
        ],
    )
    assert data == {
        "unit_head_appears": False,
        "agents": [{"name": "法制员1", "agent_type": "staff", "unit": "land_bureau"}],
        "head_absence_statement": "本局局长因公出差，开庭当日不能出庭应诉。",
    }
    head = posted(
        "appearance_arrange",
        [
            ("f.unit_head_appears", "true"),
            ("f.unit_head.name", "张某某"),
            ("f.unit_head.position", "局长"),
            ("f.head_absence_statement", "写了又改主意"),
        ],
    )
    assert head == {"unit_head_appears": True, "unit_head": {"name": "张某某", "position": "局长"}}


def test_the_review_s_missing_items_are_not_sent_once_the_materials_are_complete() -> None:
    data = posted(
        "defence_review",
        [
            ("f.materials_complete", "true"),
            ("n.missing_items", "1"),
            ("f.missing_items", "evidence"),
            ("f.supplement_reasons", "证据未编页"),
        ],
    )
    assert data == {"materials_complete": True}


def test_without_the_script_what_was_typed_beside_an_unanswered_choice_survives_an_error_and_a_draft(
    host: Host,
) -> None:
    """Without the script every field shows: a unit typed its 上诉理由 and 上诉请求 but forgot 是否要求上诉. The page
    sent back with 请选择 kept neither text, and 保存草稿 lost them too; only what is completed leaves them out."""
    deploy_probe(host, "appeal_opinion")
    web = Web(create_app({"TESTING": True, "HOST": host}), "clerk")
    case_id, task_id = start_case(web, "probe")
    typed = {"f.appeal_grounds": "一审判决认定事实不清，适用法律错误。", "f.appeal_claims": "撤销一审判决"}
    response = web.post(f"/tasks/{task_id}", {"action": "complete", **typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_errors(html, "unit_appeal_opinion")
    assert "一审判决认定事实不清，适用法律错误。" in html
    assert "撤销一审判决" in html
    assert web.post(f"/tasks/{task_id}", {"action": "draft", **typed}).status_code == 302
    assert "一审判决认定事实不清，适用法律错误。" in web.get(f"/tasks/{task_id}").get_data(as_text=True)
    # completed as 服判，不上诉: the grounds the answer hides are not what the case records
    assert (
        web.post(f"/tasks/{task_id}", {"action": "complete", "f.unit_appeal_opinion": "false", **typed}).status_code
        == 302
    )
    with host.database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        data = json.loads(row.data_json)
    assert data["unit_appeal_opinion"] is False
    assert "appeal_grounds" not in data
    assert "appeal_claims" not in data


# Fields the schema requires under one answer that still apply under the others: an opinion required to refuse or
# return, which a signer may also give when agreeing; the agents a head who appears may bring along.
APPLY_UNDER_EVERY_ANSWER = {
    ("appeal_decide", "government_appeal_opinion"),
    ("retrial_decide", "government_retrial_opinion"),
    ("signoff_sign", "signoff_opinion"),
    ("suggestion_approve_reply", "review_opinion"),
    ("appearance_arrange", "agents"),
}


def _conditional_without_show_when(name: str, schema: Any, ui: Any) -> list[str]:
    """The fields of `schema` (at every level) required under some answers and shown under all."""
    if not isinstance(schema, dict):
        return []
    ui = ui if isinstance(ui, dict) else {}
    found = [
        field
        for field in required_when(schema, ())
        if "ui:showWhen" not in (ui.get(field) or {}) and (name, field) not in APPLY_UNDER_EVERY_ANSWER
    ]
    for field, sub in (schema.get("properties") or {}).items():
        found += _conditional_without_show_when(name, sub, ui.get(field))
    if isinstance(schema.get("items"), dict):
        found += _conditional_without_show_when(name, schema["items"], ui.get("items"))
    return found


def test_a_field_required_only_under_some_answers_is_shown_only_under_them() -> None:
    """Six forms showed such fields (with their stars) whatever was answered: 被告行政机关 when the government was
    the defendant, 上诉人 when nobody appealed, 特别授权事项 for a general power of attorney…"""
    unshown = {}
    for path in sorted(FORMS.glob("*.schema.json")):
        name = path.name.removesuffix(".schema.json")
        ui_path = FORMS / f"{name}.uischema.json"
        ui = json.loads(ui_path.read_text(encoding="utf-8")) if ui_path.exists() else {}
        found = _conditional_without_show_when(name, inline_refs(json.loads(path.read_text(encoding="utf-8"))), ui)
        if found:
            unshown[name] = found
    assert unshown == {}


def wrapper_condition(html: str, element_id: str) -> Any:
    """The `data-show-when` of the field whose control or group has `element_id`."""
    found = re.search(rf"data-show-when='([^']*)'>\s*<(?:label for|fieldset id)=\"{element_id}\"", html)
    return json.loads(found.group(1)) if found else None


@pytest.mark.parametrize(
    ("name", "value", "element_id", "condition"),
    [
        ("case_intake", {}, "field-defendant_unit", {"f.defendant": ["unit"]}),
        ("appeal_record", {}, "field-appellant", {"f.plaintiff_appealed": ["true"]}),
        ("appeal_record", {}, "field-appeal_copy_received_on", {"f.plaintiff_appealed": ["true"]}),
        ("appeal_record", {}, "field-effective_on", {"f.plaintiff_appealed": ["false"]}),
        ("retrial_report", {}, "field-retrial_grounds", {"f.retrial_requested": ["true"]}),
        ("retrial_report", {}, "field-retrial_reasons", {"f.retrial_requested": ["true"]}),
        ("case_hearing_notice", {}, "field-hearing_on", {"f.ended_before_hearing": ["false"]}),
        ("hearing_record", {}, "field-attended_on_time", {"f.ended_before_hearing": ["false"]}),
        ("hearing_record", {}, "field-ended_before_hearing_note", {"f.ended_before_hearing": ["true"]}),
        (
            "hearing_record",
            {},
            "field-mediation_result",
            {"f.ended_before_hearing": ["false"], "f.mediation_attempted": ["true"]},
        ),
        (
            "defence_materials",
            {},
            "field-power_of_attorney-special_powers",
            {"f.power_of_attorney.authority_scope": ["special"]},
        ),
        (
            "appearance_legal_head_confirm",
            {"accompanying_agents": [{}]},
            "field-accompanying_agents-0-work_unit",
            {"f.accompanying_agents.0.agent_type": ["public_lawyer", "legal_adviser"]},
        ),
    ],
)
def test_the_task_page_shows_a_conditional_field_under_the_answer_that_asks_for_it(
    name: str, value: dict[str, Any], element_id: str, condition: dict[str, list[str]]
) -> None:
    assert wrapper_condition(page(name, value), element_id) == condition


def test_a_case_against_the_government_is_registered_without_the_defendant_unit_it_hid() -> None:
    """Without the script, a unit picked before choosing 区人民政府 would make the schema refuse the form."""
    data = posted("case_intake", [("f.defendant", "district_government"), ("f.defendant_unit", "land_bureau")])
    assert "defendant_unit" not in data
    assert posted("case_intake", [("f.defendant", "unit"), ("f.defendant_unit", "land_bureau")])["defendant_unit"] == (
        "land_bureau"
    )


def test_a_case_that_ended_before_its_hearing_is_recorded_without_the_hearing_time_it_hid() -> None:
    """A suit withdrawn before any summons has no hearing time: the hidden time is not sent for the schema to ask."""
    ended = [("f.ended_before_hearing", "true"), ("f.hearing_on", ""), ("f.hearing_place", "")]
    assert posted("case_hearing_notice", ended) == {"ended_before_hearing": True}


def test_a_hearing_that_did_not_take_place_is_recorded_without_the_hearing_it_hid_and_the_schema_takes_it() -> None:
    """A suit withdrawn before the day the court had set: the attendees the plan listed and a summary typed before
    answering 是 are not sent, and the schema asks for no hearing; answered 否, it asks for the hearing in full."""
    ended = [
        ("f.ended_before_hearing", "true"),
        ("f.ended_before_hearing_note", "原告于开庭前申请撤诉，人民法院裁定准许。"),
        ("f.attended_on_time", "true"),
        ("n.attendees", "1"),
        ("f.attendees.0.name", "张某某"),
        ("f.attendees.0.role", "unit_head"),
        ("f.attendees.0.spoke", "false"),
        ("f.hearing_summary", "写了又改主意，本案未开庭"),
        ("f.mediation_attempted", "false"),
    ]
    data = posted("hearing_record", ended)
    assert data == {
        "ended_before_hearing": True,
        "ended_before_hearing_note": "原告于开庭前申请撤诉，人民法院裁定准许。",
    }
    schema, _ui = form("hearing_record")
    assert validate_form_data(schema, data) == []
    held = validate_form_data(schema, posted("hearing_record", [("f.ended_before_hearing", "false")]))
    assert {e["field"] for e in held} == {
        "/attended_on_time",
        "/attendees",
        "/hearing_summary",
        "/mediation_attempted",
        "/has_major_issues",
    }
    assert shown_when(page("hearing_record", {}), "field-attendees") == {"f.ended_before_hearing": ["false"]}
    stars = required_when(schema, ())
    assert stars["attendees"] == stars["hearing_summary"] == [{"f.ended_before_hearing": ["false"]}]


def test_the_day_a_decision_was_received_speaks_of_the_appeal_period_only_for_a_decision_open_to_appeal() -> None:
    """A mediation statement or a ruling allowing withdrawal was recorded under help about 5 days to send an
    appeal opinion, though no appeal lies against either."""
    schema, _ = form("judgment_record")
    html = page("judgment_record", {}, {"instance_level": "first"})
    always = re.search(r'<p class="help" id="field-decision_served_on-help">([^<]*)</p>', html)
    assert always is not None
    assert always.group(1) == "不得早于收到应诉通知书日期。"
    helps = dict(
        (text, json.loads(cond))
        for cond, text in re.findall(r'<p class="help" data-show-when=\'([^\']*)\'>([^<]*)</p>', html)
    )
    appeal = helps["自次日起计算第八条规定的5日上诉意见报送期限。"]["f.outcome"]
    outcomes = {choice["const"] for choice in schema["properties"]["outcome"]["oneOf"]}
    assert set(appeal) == outcomes - {"mediated", "withdrawn"}


@pytest.mark.parametrize("level", ["second", "retrial"])
def test_a_final_decision_is_recorded_without_help_about_an_appeal_period(level: str) -> None:
    """A second-instance or retrial judgment is final: no appeal opinion is due 5 days after receiving it."""
    html = page("judgment_record", {}, {"instance_level": level})
    assert "不得早于收到应诉通知书日期。" in html
    assert "上诉意见报送期限" not in html
