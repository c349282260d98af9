"""A task's form as HTML fields, and a posted HTML form back into JSON data.

The form is a JSON Schema (2020-12) with a UI schema in the react-jsonschema-form dialect the forms use
(`ui:order`, `ui:widget`, `ui:enumNames`, `ui:help`, `ui:placeholder`, `ui:options.rows`). Every field has an
HTML name made of its JSON path (`f.power_of_attorney.agents.0.name`); arrays carry their row count in
`n.<path>` so rows can be added and removed by plain submit buttons, without JavaScript.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..engine import LOCAL_TZ
from ..services.attachments import Upload
from ..services.directory import extra_units
from ..services.forms import inline_refs
from .show_when import Condition, condition, help_when, required_when, without_hidden
from .show_when import option_value as _option_value

__all__ = ["Field", "build_fields", "parse_form", "resize_arrays"]

Path = tuple[str | int, ...]


@dataclass
class Field:
    """One field to render: a scalar input, a fieldset (object) or a list of rows (array)."""

    path: Path
    kind: str  # text textarea date datetime number integer select radio checkboxes boolean unit file files object array
    title: str
    help: str = ""
    required: bool = False
    value: Any = None
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)  # object: its properties; array: one Field per row
    placeholder: str = ""
    rows: int = 4
    errors: list[str] = field(default_factory=list)
    min_items: int = 0
    max_items: int | None = None
    suggestions: list[str] = field(default_factory=list)  # what the case recorded elsewhere, offered, not filled in
    show_when: Condition = field(default_factory=dict)  # ui:showWhen: shown while the answers beside it are these
    help_when: list[tuple[Condition, str]] = field(default_factory=list)  # ui:helpWhen: help under a condition
    required_when: list[Condition] = field(default_factory=list)  # required by the schema under these answers

    @property
    def name(self) -> str:
        return "f." + ".".join(str(p) for p in self.path) if self.path else "f"

    @property
    def dotted(self) -> str:
        return ".".join(str(p) for p in self.path)

    @property
    def dom_id(self) -> str:
        return "field-" + "-".join(str(p) for p in self.path)

    @property
    def local_input(self) -> str:
        """A date-time value as a datetime-local input shows it: Beijing time, to the minute."""
        if not isinstance(self.value, str) or not self.value:
            return ""
        try:
            instant = datetime.fromisoformat(self.value)
        except ValueError:
            return self.value  # shown as typed, beside its error
        if instant.tzinfo is not None:
            instant = instant.astimezone(LOCAL_TZ)
        return instant.strftime("%Y-%m-%dT%H:%M")

    @property
    def chosen(self) -> str | None:
        """The value as the option it selects (booleans and numbers as their JSON text)."""
        return None if self.value is None else _option_value(self.value)

    @property
    def chosen_list(self) -> list[str]:
        return [_option_value(v) for v in self.value] if isinstance(self.value, list) else []

    @property
    def can_add(self) -> bool:
        return self.max_items is None or len(self.children) < self.max_items


def _ui(ui: Any, key: str) -> Any:
    return ui.get(key) if isinstance(ui, dict) else None


def _enum(schema: dict[str, Any], ui: Any) -> list[tuple[Any, str]] | None:
    """(value, label) choices from `enum`, or from `oneOf`/`anyOf` of `const` + `title`."""
    if "enum" in schema:
        names = _ui(ui, "ui:enumNames") or []
        return [(v, str(names[i]) if i < len(names) else str(v)) for i, v in enumerate(schema["enum"])]
    for key in ("oneOf", "anyOf"):
        choices = schema.get(key)
        if isinstance(choices, list) and choices and all(isinstance(c, dict) and "const" in c for c in choices):
            return [(c["const"], str(c.get("title", c["const"]))) for c in choices]
    return None


def _type(schema: dict[str, Any]) -> str:
    kind = schema.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    return str(kind)


def _scalar_kind(schema: dict[str, Any], ui: Any) -> str:
    widget = _ui(ui, "ui:widget")
    kind = _type(schema)
    if schema.get("format") == "attachment":
        return "file"
    if widget == "unit":
        return "unit"
    if _enum(schema, ui) is not None:
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


def _ordered(properties: dict[str, Any], ui: Any) -> list[str]:
    order = _ui(ui, "ui:order") or []
    names = [n for n in order if n in properties]
    rest = [n for n in properties if n not in names]
    if "*" in order:
        star = names.index("*") if "*" in names else len(names)
        return names[:star] + rest + names[star:]
    return names + rest


def build_fields(
    schema: dict[str, Any],
    ui: Any,
    value: Any,
    units: list[tuple[str, str]],
    path: Path = (),
    required: bool = False,
    title: str = "",
) -> Field:
    """The field tree of a schema filled with `value` (a draft, or what was just posted)."""
    if not path:
        schema = inline_refs(schema)  # an agent list's rows are `{"$ref": "#/$defs/agent"}`
    ui = ui if isinstance(ui, dict) else {}
    kind = _type(schema)
    common: dict[str, Any] = {
        "path": path,
        "title": str(schema.get("title") or title or (path[-1] if path else "")),
        "help": str(_ui(ui, "ui:help") or schema.get("description") or ""),
        "required": required,
        "placeholder": str(_ui(ui, "ui:placeholder") or ""),
        "suggestions": [s for s in _ui(ui, "ui:suggestions") or [] if isinstance(s, str)],
    }
    if kind == "object" and "properties" in schema:
        needed = set(schema.get("required", []))
        value = value if isinstance(value, dict) else {}
        conditional = required_when(schema, path)
        children = []
        for name in _ordered(schema["properties"], ui):
            if _ui(ui.get(name), "ui:widget") == "hidden":
                continue
            child = build_fields(
                schema["properties"][name], ui.get(name), value.get(name), units, (*path, name), name in needed
            )
            child.show_when = condition(_ui(ui.get(name), "ui:showWhen"), path)
            child.help_when = help_when(_ui(ui.get(name), "ui:helpWhen"), path)
            child.required_when = [] if child.required else conditional.get(name, [])
            children.append(child)
        return Field(kind="object", children=children, **common)
    if kind == "array":
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        item_ui = ui.get("items", {})
        if _enum(items, item_ui) is not None and _ui(ui, "ui:widget") != "rows":
            choices = _enum(items, item_ui) or []
            names = _ui(ui, "ui:enumNames")
            if names:
                choices = [(v, str(names[i]) if i < len(names) else label) for i, (v, label) in enumerate(choices)]
            chosen = value if isinstance(value, list) else []
            return Field(kind="checkboxes", options=[(str(v), label) for v, label in choices], value=chosen, **common)
        if items.get("format") == "attachment":
            return Field(kind="files", value=value if isinstance(value, list) else [], **common)
        rows = value if isinstance(value, list) else []
        minimum = int(schema.get("minItems", 0))
        # blank rows up to minItems, at most MAX_BLANK_ROWS of them: a schema asking for a billion would build a
        # billion fields (the page's "add" button makes more)
        count = max(len(rows), min(minimum, MAX_BLANK_ROWS), 1 if required else 0)
        children = [
            build_fields(
                items,
                item_ui,
                rows[i] if i < len(rows) else None,
                units,
                (*path, i),
                True,
                f"{common['title']} {i + 1}",
            )
            for i in range(count)
        ]
        return Field(kind="array", children=children, min_items=minimum, max_items=schema.get("maxItems"), **common)
    scalar = _scalar_kind(schema, ui)
    options: list[tuple[str, str]] = []
    if scalar in ("select", "radio"):
        options = [(_option_value(v), label) for v, label in (_enum(schema, ui) or [])]
    elif scalar == "boolean":  # the form's own words for yes and no ("同意上诉" / "不上诉"), else the empty labels
        names = _ui(ui, "ui:enumNames")
        if isinstance(names, list) and len(names) == 2:
            options = [("true", str(names[0])), ("false", str(names[1]))]
    elif scalar == "unit":
        options = [*extra_units(ui).items(), *units]
    text_rows = int((_ui(ui, "ui:options") or {}).get("rows", 4))
    return Field(kind=scalar, value=value, options=options, rows=text_rows, **common)


MAX_PATH = 32
MAX_BLANK_ROWS = 50  # of an array's rows, shown empty for its minItems


def resize_arrays(data: dict[str, Any], action: str) -> dict[str, Any]:
    """Apply an `add:<dotted path>` or `remove:<dotted path>.<index>` button to posted data."""
    verb, _sep, dotted = action.partition(":")
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in dotted.split(".") if p]
    if not parts or len(parts) > MAX_PATH:  # no form nests so deep; a made-up path would build a data bomb
        return data
    parent, key = _walk(data, parts[:-1]), parts[-1]
    if verb == "remove" and isinstance(parent, list) and isinstance(key, int) and key < len(parent):
        del parent[key]
    elif verb == "add":
        if isinstance(parent, dict) and isinstance(key, str):
            rows = parent.get(key)
            parent[key] = [*(rows if isinstance(rows, list) else []), None]
        elif isinstance(parent, list) and isinstance(key, int) and key < len(parent):
            rows = parent[key]
            parent[key] = [*(rows if isinstance(rows, list) else []), None]
    return data


def _walk(data: Any, parts: list[str | int]) -> Any:
    """The container at `parts`, creating missing objects on the way; None when the path does not fit."""
    for part in parts:
        if isinstance(data, dict) and isinstance(part, str):
            if not isinstance(data.get(part), dict | list):
                data[part] = {}
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            if not isinstance(data[part], dict | list):
                data[part] = {}
            data = data[part]
        else:
            return None
    return data


def parse_form(
    schema: dict[str, Any],
    ui: Any,
    form: Any,
    files: Any,
    store: Callable[[str, Upload], str],
    keep_hidden: bool = False,
) -> dict[str, Any]:
    """JSON data from a posted form. Values that do not parse are kept as typed, so that validation reports
    them next to their field; `store(dotted path, upload)` keeps an uploaded file and returns its SHA-256. What
    the answers hide (ui:showWhen) is left out, as the page's script does, unless `keep_hidden` (a draft, a page
    sent back: show_when.without_hidden then gives what is completed)."""
    ui = ui if isinstance(ui, dict) else {}
    value = _parse(inline_refs(schema), ui, (), form, files, store, required=True)
    value = value if isinstance(value, dict) else {}
    return value if keep_hidden else dict(without_hidden(value, ui))


def _parse(
    schema: dict[str, Any],
    ui: dict[str, Any],
    path: Path,
    form: Any,
    files: Any,
    store: Callable[[str, Upload], str],
    required: bool,
) -> Any:
    name = "f." + ".".join(str(p) for p in path) if path else "f"
    dotted = ".".join(str(p) for p in path)
    kind = _type(schema)
    if kind == "object" and "properties" in schema:
        needed = set(schema.get("required", []))
        result: dict[str, Any] = {}
        for prop, sub in schema["properties"].items():
            sub_ui: dict[str, Any] = ui[prop] if isinstance(ui.get(prop), dict) else {}
            parsed = _parse(sub, sub_ui, (*path, prop), form, files, store, prop in needed)
            if parsed is not None:
                result[prop] = parsed
        return result if result or required or not path else None
    if kind == "array":
        items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
        item_ui: dict[str, Any] = ui["items"] if isinstance(ui.get("items"), dict) else {}
        if _enum(items, item_ui) is not None and ui.get("ui:widget") != "rows":
            lookup = {_option_value(v): v for v, _label in (_enum(items, item_ui) or [])}
            chosen = [lookup.get(v, v) for v in form.getlist(name)]
            return chosen if chosen or f"n.{dotted}" in form or required else None
        if items.get("format") == "attachment":
            kept = [v for v in form.getlist(f"{name}.keep") if v]
            uploaded = [store(dotted, Upload(f.filename or "", f.read())) for f in files.getlist(name) if f.filename]
            return [*kept, *uploaded] or ([] if required else None)
        try:
            count = min(int(form.get(f"n.{dotted}", 0)), 200)
        except ValueError:
            count = 0
        rows = [_parse(items, item_ui, (*path, i), form, files, store, False) for i in range(count)]
        rows = [r for r in rows if r not in (None, {}, "")]
        return rows if rows or required else None
    return _scalar(schema, ui, name, dotted, form, files, store)


def _scalar(
    schema: dict[str, Any],
    ui: dict[str, Any],
    name: str,
    dotted: str,
    form: Any,
    files: Any,
    store: Callable[[str, Upload], str],
) -> Any:
    scalar = _scalar_kind(schema, ui)
    if scalar == "file":
        upload = files.get(name)
        if upload is not None and upload.filename:
            return store(dotted, Upload(upload.filename, upload.read()))
        return form.get(f"{name}.keep") or None
    if scalar == "checkbox":
        return name in form
    raw = form.get(name)
    if raw is None:
        return None
    raw = raw.strip() if scalar not in ("textarea",) else raw.replace("\r\n", "\n").strip()
    if raw == "":
        return None
    if scalar in ("select", "radio"):
        lookup = {_option_value(v): v for v, _label in (_enum(schema, ui) or [])}
        return lookup.get(raw, raw)
    if scalar == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    if scalar == "integer":
        return int(raw) if re.fullmatch(r"[+-]?\d{1,15}", raw) else raw
    if scalar == "number":
        try:
            number = float(raw)
        except ValueError:
            return raw
        if not math.isfinite(number):
            return raw  # nan, inf, 1e400: left as typed, so validation refuses them beside the field
        return int(number) if number.is_integer() and "." not in raw else number
    if scalar == "datetime" and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", raw):
        return raw[:16] + ":00+08:00"  # a datetime-local input is Beijing time
    return raw
