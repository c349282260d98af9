"""A form as a task asks it of a case: fields asked only when the case holds certain values (`ui:onlyWhen`),
choices offered and help shown only where the case meets their condition, suggestions from the case's data
(`ui:suggestFrom`)."""

from __future__ import annotations

from typing import Any

__all__ = ["asked_form"]


def _applies(condition: Any, data: dict[str, Any]) -> bool:
    """Whether the case data meets a `ui:onlyWhen` condition: every name it lists holds one of its values."""
    if not isinstance(condition, dict):
        return True
    return all(
        data.get(name) in (values if isinstance(values, list) else [values]) for name, values in condition.items()
    )


def asked_form(schema: Any, ui: Any, data: dict[str, Any]) -> tuple[Any, Any]:
    """The form as a task asks it of the case with `data`. A top-level field whose UI schema has `ui:onlyWhen`
    ({case data name: [values]}, e.g. Art. 13 item 2 only at second instance) is asked only when the case holds one
    of those values; otherwise it is neither shown nor required (a value sent for it is still checked by its
    schema, and the diagram decides what it means). A top-level field whose UI schema has `ui:suggestFrom` (case
    data names) is offered what the case holds under them (`ui:suggestions`), never filled with it: the court an
    appeal was filed with, for the second instance's court. A list of choices whose items' UI schema has
    `ui:onlyWhen` ({choice: condition}) offers a choice only when the case meets its condition (the archive's
    区人民政府审签意见 only in a suit against the district government). A top-level field's `ui:helpWhen` entry with
    `ui:onlyWhen` is kept only when the case meets it (the appeal period's help at first instance only). Returns new
    objects; the stored form is left as it is."""
    if not isinstance(schema, dict) or not isinstance(ui, dict):
        return schema, ui
    ui = _helps_that_apply(_suggested(ui, data), data)
    schema = _offered_choices(schema, ui, data)
    skipped = [
        name
        for name, sub in ui.items()
        if isinstance(sub, dict) and "ui:onlyWhen" in sub and not _applies(sub["ui:onlyWhen"], data)
    ]
    if not skipped:
        return schema, ui
    required = schema.get("required")
    if isinstance(required, list):
        schema = {**schema, "required": [name for name in required if name not in skipped]}
    ui = {**ui, **{name: {**ui[name], "ui:widget": "hidden"} for name in skipped}}
    return schema, ui


def _offered_choices(schema: dict[str, Any], ui: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The schema with each top-level list's choices (`items.oneOf`) kept only where the case meets the condition
    its items' `ui:onlyWhen` names for them; a choice it does not name is always offered."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return schema
    changed = {}
    for name, sub in ui.items():
        items_ui = sub.get("items") if isinstance(sub, dict) else None
        when = items_ui.get("ui:onlyWhen") if isinstance(items_ui, dict) else None
        field = properties.get(name)
        items = field.get("items") if isinstance(field, dict) else None
        if not isinstance(field, dict) or not isinstance(when, dict) or not isinstance(items, dict):
            continue
        if not isinstance(items.get("oneOf"), list):
            continue
        kept = [c for c in items["oneOf"] if not isinstance(c, dict) or _applies(when.get(c.get("const")), data)]
        changed[name] = {**field, "items": {**items, "oneOf": kept}}
    return {**schema, "properties": {**properties, **changed}} if changed else schema


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _helps_that_apply(ui: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The UI schema without the `ui:helpWhen` entries whose `ui:onlyWhen` the case does not meet."""
    changed = {}
    for name, sub in ui.items():
        helps = sub.get("ui:helpWhen") if isinstance(sub, dict) else None
        if isinstance(helps, list) and any(isinstance(h, dict) and "ui:onlyWhen" in h for h in helps):
            kept = [h for h in helps if not isinstance(h, dict) or _applies(h.get("ui:onlyWhen"), data)]
            changed[name] = {**sub, "ui:helpWhen": kept}
    return {**ui, **changed} if changed else ui


def _suggested(ui: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The UI schema with each `ui:suggestFrom` resolved to the case's texts under those names (once each)."""
    resolved = {}
    for name, sub in ui.items():
        names = sub.get("ui:suggestFrom") if isinstance(sub, dict) else None
        if isinstance(names, list):
            texts = [str(data[n]).strip() for n in names if isinstance(n, str) and _text(data.get(n))]
            resolved[name] = {**sub, "ui:suggestions": list(dict.fromkeys(texts))}
    return {**ui, **resolved} if resolved else ui
