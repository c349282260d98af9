"""Submitted form data validated against its form's schema (JSON Schema 2020-12, with the host's "date-time" and
"id-number" formats), each error pointing at its field; and the names a form does not declare."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from .errors import Invalid
from .form_explain import FormError, explain
from .form_fields import declared_fields
from .id_numbers import IdNumberInvalid, is_id_number

__all__ = ["form_errors", "undeclared_field_errors", "validate_form_data"]

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})", re.ASCII)


def _formats() -> FormatChecker:
    """jsonschema's format checks, with "date-time" as the forms write it: a real date and time (no 30 February)
    with its offset, seconds optional (RFC 3339 wants them; a hearing is set to the minute); and "id-number", a
    citizen identity number whose check digit holds (GB 11643), the error saying what is wrong with it."""
    checker = FormatChecker()
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("id-number", raises=IdNumberInvalid)(is_id_number)
    return checker


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # "type" judges other values
    return bool(_DATE_TIME.fullmatch(value)) and datetime.fromisoformat(value).tzinfo is not None


FORMATS = _formats()


def _iter_errors(validator: Any, data: Any) -> list[Any]:
    """The validator's errors; a schema or data nested past Python's recursion limit is refused, not a 500."""
    try:
        return list(validator.iter_errors(data))
    except RecursionError:
        raise Invalid("the form data or its schema is nested too deeply to check") from None


def _explained(schema: dict[str, Any], data: Any, ui: Any) -> list[tuple[str, FormError]]:
    """Every validation error as (where the schema failed, the form error it stands for at its field). A pattern
    is not repeated where the format of the same field already failed (a date-time with both says one thing)."""
    validator = Draft202012Validator(schema, format_checker=FORMATS)
    found: dict[tuple[str, str, str, str], tuple[str, FormError]] = {}
    for error in sorted(_iter_errors(validator, data), key=lambda e: list(map(str, e.absolute_path))):
        path = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)
        for explained in explain(schema, ui, data, error):
            said = json.dumps(explained.detail, sort_keys=True, default=str)  # two "contains" differ only there
            found.setdefault((explained.path, explained.validator, repr(explained.value), said), (path, explained))
    formats = {e.path for _path, e in found.values() if e.validator == "format"}
    return [(p, e) for p, e in found.values() if not (e.validator == "pattern" and e.path in formats)]


def validate_form_data(schema: dict[str, Any], data: Any, ui: Any = None) -> list[dict[str, Any]]:
    """Every validation error as {path, field, message, kind, label, value?, detail?}; empty when the data is
    valid. `path` is where the schema failed (for a missing property, the object that lacks it); `field` the
    pointer of the field the error concerns (the missing property's own), where a form shows it; `label` its
    title; `kind` the rule it broke, with its `value` and the `detail` a message in the user's words needs."""
    errors = []
    for path, error in _explained(schema, data, ui):
        found: dict[str, Any] = {"path": path, "field": error.path, "message": error.message}
        found.update(kind=error.validator, label=error.label)
        if error.value is not None:
            found["value"] = error.value
        if error.detail:
            found["detail"] = error.detail
        errors.append(found)
    return errors


def form_errors(schema: dict[str, Any], data: Any, ui: Any = None) -> list[FormError]:
    """Every validation error, each pointing at the field to show it beside."""
    return sorted((e for _path, e in _explained(schema, data, ui)), key=lambda e: (e.path, e.validator))


def undeclared_field_errors(schema: Any, data: dict[str, Any]) -> list[dict[str, str]]:
    """A form error for each submitted name the form does not declare. Task data is merged into the case's data,
    so an undeclared name would overwrite whatever the case holds under it (who handles it, its dates)."""
    declared = declared_fields(schema)
    if declared is None:
        return []
    return [
        {"path": f"/{name}", "message": "not a field of this form", "kind": "additionalProperties", "value": name}
        for name in sorted(set(data) - declared)
    ]
