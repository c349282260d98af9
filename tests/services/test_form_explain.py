"""Form errors explained against the form: shapes of schema an analyst may write that the measures' forms do not
use yet still get a plain, true message (or none of the specific ones), never an exception."""

from __future__ import annotations

import json

from workflow_host.services.form_fields import inline_refs
from workflow_host.services.form_rule_facts import describe_pattern
from workflow_host.services.form_validation import validate_form_data


def test_a_negated_character_class_is_not_described_as_the_characters_it_allows() -> None:
    assert describe_pattern("^[0-9]{3}$") == {"shape": "chars", "chars": ["digits"], "min": 3, "max": 3}
    assert describe_pattern("^[^0-9]{3}$") == {}  # "may hold only digits" would say the opposite


def test_a_list_that_must_contain_anything_is_refused_when_empty_without_an_error_of_the_host() -> None:
    schema = {"type": "object", "properties": {"files": {"type": "array", "title": "材料", "contains": True}}}
    [error] = validate_form_data(schema, {"files": []}, None)
    assert (error["field"], error["kind"], error["label"]) == ("/files", "contains", "材料")


def test_a_definition_naming_itself_is_inlined_a_bounded_number_of_times() -> None:
    """A form's page follows `$ref`s; a hostile definition naming itself ten times, six deep, would be copied a
    million times for every page of its task."""
    looping = {"type": "object", "properties": {f"p{i}": {"$ref": "#/$defs/a"} for i in range(10)}}
    schema = {"$defs": {"a": looping}, "type": "object", "properties": {"x": {"$ref": "#/$defs/a"}}}
    inlined = inline_refs(schema)
    assert len(json.dumps(inlined)) < 100_000
    assert inlined["properties"]["x"]["properties"]["p0"]["type"] == "object"  # the first levels are inlined


def test_an_agent_list_s_rows_are_inlined_from_their_definition() -> None:
    agent = {"type": "object", "properties": {"name": {"type": "string", "title": "姓名"}}}
    schema = {
        "$defs": {"agent": agent},
        "type": "object",
        "properties": {"agents": {"items": {"$ref": "#/$defs/agent"}}},
    }
    assert inline_refs(schema)["properties"]["agents"]["items"] == agent
