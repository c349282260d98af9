"""Form errors explained against the form: shapes of schema an analyst may write that the measures' forms do not
use yet still get a plain, true message (or none of the specific ones), never an exception."""

from __future__ import annotations

from workflow_host.services.form_explain import describe_pattern
from workflow_host.services.forms import validate_form_data


def test_a_negated_character_class_is_not_described_as_the_characters_it_allows() -> None:
    assert describe_pattern("^[0-9]{3}$") == {"shape": "chars", "chars": ["digits"], "min": 3, "max": 3}
    assert describe_pattern("^[^0-9]{3}$") == {}  # "may hold only digits" would say the opposite


def test_a_list_that_must_contain_anything_is_refused_when_empty_without_an_error_of_the_host() -> None:
    schema = {"type": "object", "properties": {"files": {"type": "array", "title": "材料", "contains": True}}}
    [error] = validate_form_data(schema, {"files": []}, None)
    assert (error["field"], error["kind"], error["label"]) == ("/files", "contains", "材料")
