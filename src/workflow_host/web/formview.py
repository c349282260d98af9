"""A task's form as HTML fields (a posted form is read back by form_posted.py).

The form is a JSON Schema (2020-12) with a UI schema in the react-jsonschema-form dialect the forms use
(`ui:order`, `ui:widget`, `ui:enumNames`, `ui:help`, `ui:placeholder`, `ui:options.rows`). Every field has an
HTML name made of its JSON path (`f.power_of_attorney.agents.0.name`); arrays carry their row count in
`n.<path>` so rows can be added and removed by plain submit buttons, without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..engine import LOCAL_TZ
from ..services.directory import extra_units
from ..services.form_fields import inline_refs
from .form_widgets import choices, json_type, ui_value, widget_kind
from .show_when import Condition, condition, help_when, option_value, required_when

__all__ = ["MAX_BLANK_ROWS", "Field", "build_fields"]

Path = tuple[str | int, ...]
MAX_BLANK_ROWS = 50  # of an array's rows, shown empty for its minItems


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
        return None if self.value is None else option_value(self.value)

    @property
    def chosen_list(self) -> list[str]:
        return [option_value(v) for v in self.value] if isinstance(self.value, list) else []

    @property
    def can_add(self) -> bool:
        return self.max_items is None or len(self.children) < self.max_items


def _ordered(properties: dict[str, Any], ui: Any) -> list[str]:
    order = ui_value(ui, "ui:order") or []
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
    kind = json_type(schema)
    common: dict[str, Any] = {
        "path": path,
        "title": str(schema.get("title") or title or (path[-1] if path else "")),
        "help": str(ui_value(ui, "ui:help") or schema.get("description") or ""),
        "required": required,
        "placeholder": str(ui_value(ui, "ui:placeholder") or ""),
        "suggestions": [s for s in ui_value(ui, "ui:suggestions") or [] if isinstance(s, str)],
    }
    if kind == "object" and "properties" in schema:
        return _object_field(schema, ui, value, units, common)
    if kind == "array":
        return _array_field(schema, ui, value, units, common)
    return _scalar_field(schema, ui, value, units, common)


def _object_field(
    schema: dict[str, Any], ui: dict[str, Any], value: Any, units: list[tuple[str, str]], common: dict[str, Any]
) -> Field:
    """A fieldset: its properties in the UI schema's order, those it hides left out."""
    path: Path = common["path"]
    needed = set(schema.get("required", []))
    value = value if isinstance(value, dict) else {}
    conditional = required_when(schema, path)
    children = []
    for name in _ordered(schema["properties"], ui):
        if ui_value(ui.get(name), "ui:widget") == "hidden":
            continue
        child = build_fields(
            schema["properties"][name], ui.get(name), value.get(name), units, (*path, name), name in needed
        )
        child.show_when = condition(ui_value(ui.get(name), "ui:showWhen"), path)
        child.help_when = help_when(ui_value(ui.get(name), "ui:helpWhen"), path)
        child.required_when = [] if child.required else conditional.get(name, [])
        children.append(child)
    return Field(kind="object", children=children, **common)


def _array_field(
    schema: dict[str, Any], ui: dict[str, Any], value: Any, units: list[tuple[str, str]], common: dict[str, Any]
) -> Field:
    """A list: check boxes for a list of choices, files for a list of attachments, else rows of fields."""
    items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
    item_ui = ui.get("items", {})
    if choices(items, item_ui) is not None and ui_value(ui, "ui:widget") != "rows":
        return _checkboxes_field(items, ui, value, common)
    if items.get("format") == "attachment":
        return Field(kind="files", value=value if isinstance(value, list) else [], **common)
    path: Path = common["path"]
    rows = value if isinstance(value, list) else []
    minimum = int(schema.get("minItems", 0))
    # blank rows up to minItems, at most MAX_BLANK_ROWS of them: a schema asking for a billion would build a
    # billion fields (the page's "add" button makes more)
    count = max(len(rows), min(minimum, MAX_BLANK_ROWS), 1 if common["required"] else 0)
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


def _checkboxes_field(items: dict[str, Any], ui: dict[str, Any], value: Any, common: dict[str, Any]) -> Field:
    """A list of choices as check boxes, labelled by the list's ui:enumNames where it has them."""
    options = choices(items, ui.get("items", {})) or []
    names = ui_value(ui, "ui:enumNames")
    if names:
        options = [(v, str(names[i]) if i < len(names) else label) for i, (v, label) in enumerate(options)]
    chosen = value if isinstance(value, list) else []
    return Field(kind="checkboxes", options=[(str(v), label) for v, label in options], value=chosen, **common)


def _scalar_field(
    schema: dict[str, Any], ui: dict[str, Any], value: Any, units: list[tuple[str, str]], common: dict[str, Any]
) -> Field:
    """A field of one value, with the options its widget offers."""
    scalar = widget_kind(schema, ui)
    options: list[tuple[str, str]] = []
    if scalar in ("select", "radio"):
        options = [(option_value(v), label) for v, label in (choices(schema, ui) or [])]
    elif scalar == "boolean":  # the form's own words for yes and no ("同意上诉" / "不上诉"), else the empty labels
        names = ui_value(ui, "ui:enumNames")
        if isinstance(names, list) and len(names) == 2:
            options = [("true", str(names[0])), ("false", str(names[1]))]
    elif scalar == "unit":
        options = [*extra_units(ui).items(), *units]
    text_rows = int((ui_value(ui, "ui:options") or {}).get("rows", 4))
    return Field(kind=scalar, value=value, options=options, rows=text_rows, **common)
