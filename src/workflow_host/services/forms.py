"""Form schemas (JSON Schema 2020-12): check them at deploy time, validate submitted data against them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from .errors import Invalid

__all__ = ["FormError", "check_form_schema", "form_errors", "validate_form_data"]


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def check_form_schema(name: str, schema: Any) -> None:
    """Refuse a form that is not a valid schema or that refers outside itself."""
    if not isinstance(schema, dict):
        raise Invalid(f"{name}: a form schema must be a JSON object")
    if name.endswith(".uischema.json"):
        return
    for ref in _refs(schema):
        if not ref.startswith("#"):
            raise Invalid(f"{name}: only local references ('#/...') are allowed, not '{ref}'")
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        raise Invalid(f"{name}: not a valid JSON Schema: {err.message}") from None


def validate_form_data(schema: dict[str, Any], data: Any) -> list[dict[str, str]]:
    """Every validation error as {path, message}; empty when the data is valid."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    errors = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = "/" + "/".join(str(p) for p in error.absolute_path)
        errors.append({"path": path, "message": error.message})
    return errors


@dataclass(frozen=True)
class FormError:
    """A validation error at the JSON pointer of the field it concerns (a missing property's own pointer),
    with the validator that failed and its parameter, for messages in the user's language."""

    path: str
    validator: str
    value: Any
    message: str


def form_errors(schema: dict[str, Any], data: Any) -> list[FormError]:
    """Every validation error, each pointing at the field to show it beside."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    found = []
    for error in validator.iter_errors(data):
        parts = [str(p) for p in error.absolute_path]
        value = error.validator_value
        if error.validator == "required" and isinstance(error.instance, dict):
            for missing in [p for p in error.validator_value if p not in error.instance]:
                found.append(FormError("/" + "/".join([*parts, missing]), "required", None, error.message))
            continue
        if error.validator == "type":
            value = error.validator_value if isinstance(error.validator_value, str) else str(error.validator_value)
        found.append(FormError("/" + "/".join(parts), str(error.validator), value, error.message))
    unique = {(e.path, e.validator, repr(e.value)): e for e in found}
    return sorted(unique.values(), key=lambda e: (e.path, e.validator))
