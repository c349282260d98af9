"""How a field of a task's form is shown: the HTML widget its JSON Schema and UI schema call for, and the choices
it offers. Building the page's fields and reading a posted form back both go by these."""

from __future__ import annotations

from typing import Any

__all__ = ["choices", "json_type", "ui_value", "widget_kind"]


def ui_value(ui: Any, key: str) -> Any:
    """What the UI schema says under `key` (`ui:widget`, `ui:enumNames` …), or None."""
    return ui.get(key) if isinstance(ui, dict) else None


def choices(schema: dict[str, Any], ui: Any) -> list[tuple[Any, str]] | None:
    """(value, label) choices from `enum`, or from `oneOf`/`anyOf` of `const` + `title`."""
    if "enum" in schema:
        names = ui_value(ui, "ui:enumNames") or []
        return [(v, str(names[i]) if i < len(names) else str(v)) for i, v in enumerate(schema["enum"])]
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if isinstance(options, list) and options and all(isinstance(c, dict) and "const" in c for c in options):
            return [(c["const"], str(c.get("title", c["const"]))) for c in options]
    return None


def json_type(schema: dict[str, Any]) -> str:
    """The field's JSON type (the first that is not null of a list of them; a string when none is given)."""
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def widget_kind(schema: dict[str, Any], ui: Any) -> str:
    """The widget of a field that holds one value: file unit radio select checkbox boolean integer number date
    datetime textarea text."""
    widget = ui_value(ui, "ui:widget")
    kind = json_type(schema)
    if schema.get("format") == "attachment":
        return "file"
    if widget == "unit":
        return "unit"
    if choices(schema, ui) is not None:
        return "radio" if widget == "radio" else "select"
    if kind == "boolean":
        return "checkbox" if widget == "checkbox" else "boolean"
    if kind in ("integer", "number"):
        return kind
    if schema.get("format") == "date" or widget == "date":
        return "date"
    if schema.get("format") == "date-time" or widget == "datetime":
        return "datetime"
    if widget == "textarea":
        return "textarea"
    return "text"
