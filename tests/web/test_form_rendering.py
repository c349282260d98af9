"""Every form of the measures renders as a page form, and a posted form of its fields comes back as the data
its schema expects (field names, lists of rows, choices)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import render_template_string
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from workflow_host import create_app
from workflow_host.web.form_posted import parse_form
from workflow_host.web.formview import build_fields

FORMS = Path(__file__).resolve().parents[2] / "forms"
SCHEMAS = sorted(FORMS.glob("*.schema.json"))
UNITS = [("land_bureau", "石拐区自然资源局"), ("justice_bureau", "石拐区司法局")]
TEMPLATE = '{% import "_form.html" as forms %}{{ forms.render(fields, {}) }}'


def _ui(schema_path: Path) -> dict[str, Any]:
    ui_path = schema_path.with_name(schema_path.name.replace(".schema.json", ".uischema.json"))
    return json.loads(ui_path.read_text(encoding="utf-8")) if ui_path.exists() else {}


@pytest.mark.parametrize("schema_path", SCHEMAS, ids=[p.name.removesuffix(".schema.json") for p in SCHEMAS])
def test_every_form_renders_with_a_labelled_input_per_field(schema_path: Path) -> None:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    app = create_app({"TESTING": True, "HOST": object()})
    with app.test_request_context("/"):
        html = render_template_string(TEMPLATE, fields=build_fields(schema, _ui(schema_path), {}, UNITS))
    for name, sub in schema.get("properties", {}).items():
        if isinstance(sub, dict) and sub.get("title"):
            assert sub["title"] in html, f"{schema_path.name}: {name} has no label"
        assert f"f.{name}" in html or f"n.{name}" in html, f"{schema_path.name}: {name} has no input"


def test_a_posted_form_becomes_typed_data() -> None:
    schema = json.loads((FORMS / "defence_materials.schema.json").read_text(encoding="utf-8"))
    form = MultiDict(
        [
            ("f.statement_of_defence", "原告的诉讼请求缺乏事实和法律依据，请求驳回。"),
            ("n.legal_basis", "1"),
            ("f.legal_basis.0.name", "中华人民共和国土地管理法"),
            ("f.legal_basis.0.provisions", "第八十三条"),
            ("n.evidence", "2"),
            ("f.evidence.0.name", "限期拆除决定书"),
            ("f.evidence.0.kind", "documentary"),
            ("f.evidence.0.purpose", "证明程序合法"),
            ("f.evidence.0.pages", "3"),
            ("f.evidence.1.name", ""),  # an empty row is dropped
            ("f.power_of_attorney.authority_scope", "special"),  # what shows the special powers
            ("n.power_of_attorney.special_powers", "1"),
            ("f.power_of_attorney.special_powers", "appeal"),
            ("f.power_of_attorney.special_powers", "receive_documents"),
        ]
    )
    data = parse_form(schema, _ui(FORMS / "defence_materials.schema.json"), form, ImmutableMultiDict(), lambda *_: "")
    assert data["legal_basis"] == [{"name": "中华人民共和国土地管理法", "provisions": "第八十三条"}]
    assert data["evidence"] == [
        {"name": "限期拆除决定书", "kind": "documentary", "purpose": "证明程序合法", "pages": 3}
    ]
    assert data["power_of_attorney"]["special_powers"] == ["appeal", "receive_documents"]
    assert "other_materials" not in data
    assert re.fullmatch(r"\S.*", data["statement_of_defence"])


def test_a_stored_date_time_is_shown_in_beijing_time_and_read_back_as_such() -> None:
    schema = {"type": "object", "properties": {"hearing_on": {"type": "string", "format": "date-time"}}}
    field = build_fields(schema, {}, {"hearing_on": "2026-03-01T02:00:00Z"}, UNITS).children[0]
    assert field.local_input == "2026-03-01T10:00"
    back = parse_form(schema, {}, MultiDict([("f.hearing_on", field.local_input)]), ImmutableMultiDict(), lambda *_: "")
    assert back == {"hearing_on": "2026-03-01T10:00:00+08:00"}  # the same instant


@pytest.mark.parametrize(
    ("ui", "words"),
    [
        ({}, ["是", "否"]),
        ({"ok": {"ui:widget": "radio", "ui:enumNames": ["同意上诉", "不上诉"]}}, ["同意上诉", "不上诉"]),
    ],
    ids=["plain", "the form's own words"],
)
def test_a_yes_no_field_offers_the_forms_words_for_its_two_answers(ui: dict[str, Any], words: list[str]) -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean", "title": "审议决定"}}}
    app = create_app({"TESTING": True, "HOST": object(), "BABEL_DEFAULT_LOCALE": "zh"})
    with app.test_request_context("/"):
        html = render_template_string(TEMPLATE, fields=build_fields(schema, ui, {"ok": False}, UNITS))
    answers = re.findall(r'value="(true|false)"\s*(checked)?[^>]*>\s*(\S+)</label>', html)
    assert answers == [("true", "", words[0]), ("false", "checked", words[1])]


@pytest.mark.parametrize("name", ["appearance_arrange", "appearance_legal_head_confirm"])
def test_a_list_whose_rows_are_a_shared_definition_gets_a_field_per_row_field(name: str) -> None:
    """Agents are `{"$ref": "#/$defs/agent"}`: each row was one text box, and a unit whose head does not appear
    (Art. 16) could not name its agents."""
    path = FORMS / f"{name}.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    ui = _ui(path)
    [holder] = [n for n, sub in schema["properties"].items() if "$ref" in (sub.get("items") or {})]
    app = create_app({"TESTING": True, "HOST": object(), "BABEL_DEFAULT_LOCALE": "zh"})
    with app.test_request_context("/"):
        html = render_template_string(TEMPLATE, fields=build_fields(schema, ui, {holder: [{}]}, UNITS))
    for field in ("name", "agent_type", "position", "id_number"):
        assert f'name="f.{holder}.0.{field}"' in html, field
    assert "公职律师" in html  # the agent type is a choice by its label
    form = MultiDict(
        [
            (f"n.{holder}", "1"),
            (f"f.{holder}.0.name", "刘某"),
            (f"f.{holder}.0.agent_type", "staff"),
            (f"f.{holder}.0.position", "法规股股长"),
        ]
    )
    data = parse_form(schema, ui, form, ImmutableMultiDict(), lambda *_: "")
    assert data[holder] == [{"name": "刘某", "agent_type": "staff", "position": "法规股股长"}]


TIMED = [p for p in SCHEMAS if '"date-time"' in p.read_text(encoding="utf-8")]


@pytest.mark.parametrize("schema_path", TIMED, ids=[p.name.removesuffix(".schema.json") for p in TIMED])
def test_a_date_time_field_s_hint_is_worded_for_a_person(schema_path: Path) -> None:
    """The hint under a date and time says Beijing time to the minute, never the API's way of writing it
    (2026-11-03T09:30:00+08:00) that the person does not type."""
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    app = create_app({"TESTING": True, "HOST": object()})
    with app.test_request_context("/"):
        html = render_template_string(TEMPLATE, fields=build_fields(schema, _ui(schema_path), {}, UNITS))
    timed = [n for n, sub in schema["properties"].items() if sub.get("format") == "date-time"]
    for name in timed:
        hint = re.search(rf'<p class="help" id="field-{name}-help">(.*?)</p>', html, re.S)
        assert hint is not None, name
        text = re.sub(r"<[^>]+>", "", hint.group(1))
        assert text.startswith("北京时间，精确到分钟。"), text
        assert not re.search(r"\dT\d|\+08:00|接口", text), text
