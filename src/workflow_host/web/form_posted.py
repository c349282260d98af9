"""A posted HTML form of a task back into JSON data, and the buttons that add and remove a list's rows.

Every field's HTML name is made of its JSON path (`f.power_of_attorney.agents.0.name`); a list of rows carries its
row count in `n.<path>`, so rows are added and removed by plain submit buttons, without JavaScript.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..services.attachments import Upload
from ..services.form_fields import inline_refs
from .form_widgets import choices, json_type, widget_kind
from .show_when import option_value, without_hidden

__all__ = ["parse_form", "resize_arrays"]

Path = tuple[str | int, ...]
MAX_PATH = 32
MAX_POSTED_ROWS = 200  # of a list's rows read from one posted form


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


@dataclass(frozen=True)
class _Posted:
    """What was posted: the form's fields, its files, and where an uploaded file is kept."""

    form: Any
    files: Any
    store: Callable[[str, Upload], str]


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
    value = _parse(inline_refs(schema), ui, (), _Posted(form, files, store), required=True)
    value = value if isinstance(value, dict) else {}
    return value if keep_hidden else dict(without_hidden(value, ui))


def _parse(schema: dict[str, Any], ui: dict[str, Any], path: Path, posted: _Posted, required: bool) -> Any:
    kind = json_type(schema)
    if kind == "object" and "properties" in schema:
        return _parse_object(schema, ui, path, posted, required)
    if kind == "array":
        return _parse_array(schema, ui, path, posted, required)
    return _scalar(schema, ui, path, posted)


def _html_name(path: Path) -> str:
    return "f." + ".".join(str(p) for p in path) if path else "f"


def _dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


def _parse_object(schema: dict[str, Any], ui: dict[str, Any], path: Path, posted: _Posted, required: bool) -> Any:
    needed = set(schema.get("required", []))
    result: dict[str, Any] = {}
    for prop, sub in schema["properties"].items():
        sub_ui: dict[str, Any] = ui[prop] if isinstance(ui.get(prop), dict) else {}
        parsed = _parse(sub, sub_ui, (*path, prop), posted, prop in needed)
        if parsed is not None:
            result[prop] = parsed
    return result if result or required or not path else None


def _parse_array(schema: dict[str, Any], ui: dict[str, Any], path: Path, posted: _Posted, required: bool) -> Any:
    items: dict[str, Any] = schema["items"] if isinstance(schema.get("items"), dict) else {}
    item_ui: dict[str, Any] = ui["items"] if isinstance(ui.get("items"), dict) else {}
    name, dotted, form = _html_name(path), _dotted(path), posted.form
    if choices(items, item_ui) is not None and ui.get("ui:widget") != "rows":
        lookup = {option_value(v): v for v, _label in (choices(items, item_ui) or [])}
        chosen = [lookup.get(v, v) for v in form.getlist(name)]
        return chosen if chosen or f"n.{dotted}" in form or required else None
    if items.get("format") == "attachment":
        kept = [v for v in form.getlist(f"{name}.keep") if v]
        uploads = [f for f in posted.files.getlist(name) if f.filename]
        uploaded = [posted.store(dotted, Upload(f.filename or "", f.read())) for f in uploads]
        return [*kept, *uploaded] or ([] if required else None)
    try:
        count = min(int(form.get(f"n.{dotted}", 0)), MAX_POSTED_ROWS)
    except ValueError:
        count = 0
    rows = [_parse(items, item_ui, (*path, i), posted, False) for i in range(count)]
    rows = [r for r in rows if r not in (None, {}, "")]
    return rows if rows or required else None


def _scalar(schema: dict[str, Any], ui: dict[str, Any], path: Path, posted: _Posted) -> Any:
    scalar, name = widget_kind(schema, ui), _html_name(path)
    if scalar == "file":
        upload = posted.files.get(name)
        if upload is not None and upload.filename:
            return posted.store(_dotted(path), Upload(upload.filename, upload.read()))
        return posted.form.get(f"{name}.keep") or None
    if scalar == "checkbox":
        return name in posted.form
    raw = posted.form.get(name)
    if raw is None:
        return None
    raw = raw.strip() if scalar not in ("textarea",) else raw.replace("\r\n", "\n").strip()
    return _typed(schema, ui, scalar, raw) if raw != "" else None


def _typed(schema: dict[str, Any], ui: dict[str, Any], scalar: str, raw: str) -> Any:
    """The value typed into a widget as its field's JSON type, or as typed when it is not one."""
    if scalar in ("select", "radio"):
        lookup = {option_value(v): v for v, _label in (choices(schema, ui) or [])}
        return lookup.get(raw, raw)
    if scalar == "boolean":
        return {"true": True, "false": False}.get(raw, raw)
    if scalar == "integer":
        return int(raw) if re.fullmatch(r"[+-]?\d{1,15}", raw) else raw
    if scalar == "number":
        return _number(raw)
    if scalar == "datetime" and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", raw):
        return raw[:16] + ":00+08:00"  # a datetime-local input is Beijing time
    return raw


def _number(raw: str) -> Any:
    try:
        number = float(raw)
    except ValueError:
        return raw
    if not math.isfinite(number):
        return raw  # nan, inf, 1e400: left as typed, so validation refuses them beside the field
    return int(number) if number.is_integer() and "." not in raw else number
