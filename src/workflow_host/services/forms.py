"""Form schemas (JSON Schema 2020-12): check them at deploy time, validate submitted data against them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from .errors import Invalid

__all__ = ["check_form_schema", "validate_form_data"]


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
