"""Case data as people read it: titles from the forms, values by their labels, units by name, yes/no;
structures and computed values apart, for those who want the detail."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..services.case_view import DataLabels
from ..services.history_view import CHANGE_LENGTH
from .i18n import _, local_datetime

__all__ = ["DataRow", "case_rows", "change_text"]


# an instant as the forms store it (a hearing's time): `2026-11-29T09:30:00+08:00`
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)")


def _instant(text: str) -> str | None:
    """An instant with its offset, in Beijing time as people read it (`2026-11-29 09:30`); None for other text."""
    if not _INSTANT.fullmatch(text):
        return None
    try:
        return local_datetime(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # 9999-12-31T23:59Z is past the last instant Beijing time can show
        return None


@dataclass(frozen=True)
class DataRow:
    key: str
    title: str
    text: str


def _text(key: str, value: Any, labels: DataLabels, units: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _choice(key, value, labels) or (_("Yes") if value else _("No"))
    if _plain_list(value):
        return "、".join(_text(key, v, labels, units) for v in value)
    if isinstance(value, str | int | float):
        label = _choice(key, value, labels)
        if label:
            return label
        if isinstance(value, str) and value in units:
            return units[value]
        if isinstance(value, str) and (shown := _instant(value)):
            return shown
        return str(value)
    if isinstance(value, dict | list):
        return "\n".join(_structure(key, value, labels, units, 0))
    return str(value)


def _suffixes(path: str) -> list[str]:
    """A dotted path, then the shorter paths it ends with: a form's fields kept in a structure the diagram built
    (`defence_materials.<unit>.evidence.name`) are found by the form's own path (`evidence.name`)."""
    parts = path.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def _choice(key: str, value: Any, labels: DataLabels) -> str | None:
    """A value's label by its data name's path or the shortest path that names it."""
    text = json.dumps(value, ensure_ascii=False)
    for name in _suffixes(key):
        if text in labels.values.get(name, {}):
            return labels.values[name][text]
    return None


def _title(path: str, labels: DataLabels) -> str | None:
    return next((labels.titles[name] for name in _suffixes(path) if name in labels.titles), None)


MAX_STRUCTURE_LINES = 400  # of one structure on a page; the history's export has all of it


def _structure(key: str, value: Any, labels: DataLabels, units: dict[str, str], depth: int) -> list[str]:
    """A structure as lines a person reads: each field by its title (or a unit by its name), lists numbered,
    nested values indented; yes/no, choices, units and instants worded as on the rest of the page."""
    lines: list[str] = []
    indent = "  " * depth
    items: list[tuple[str, str, Any]] = []  # (the path of what is inside, the words before it, the value)
    if isinstance(value, dict):
        for name, inner in value.items():
            path = f"{key}.{name}"
            words = _title(path, labels) or units.get(name) or name
            inner_path = key if name in units else path  # a structure keyed by unit: its fields are the unit's
            items.append((inner_path, f"{words}：", inner))
    else:
        items = [(key, f"{number}. ", inner) for number, inner in enumerate(value, start=1)]
    for path, words, inner in items:
        if isinstance(inner, dict | list) and inner and not _plain_list(inner):
            lines.append(f"{indent}{words.rstrip()}")
            lines += _structure(path, inner, labels, units, depth + 1)
        else:
            lines.append(f"{indent}{words}{_text(path, inner, labels, units)}")
        if len(lines) > MAX_STRUCTURE_LINES:
            return [*lines[:MAX_STRUCTURE_LINES], f"{indent}…"]
    return lines


def _yes_no(value: Any) -> Any:
    """A structure with its yes/no values as words (an attendee's "spoke" inside a hearing's list, say)."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return {key: _yes_no(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_yes_no(item) for item in value]
    return value


def change_text(key: str, value: Any, labels: DataLabels, units: dict[str, str]) -> str:
    """A value as the history's list of changes shows it: as the case page words it, on one line, shortened."""
    if isinstance(value, dict | list) and not _plain_list(value):
        text = json.dumps(_yes_no(value), ensure_ascii=False, sort_keys=True, default=str)
    else:
        text = _text(key, value, labels, units)
    return text if len(text) <= CHANGE_LENGTH else text[: CHANGE_LENGTH - 1] + "…"


def _plain_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value)


def case_rows(data: dict[str, Any], labels: DataLabels, units: dict[str, str]) -> tuple[list[DataRow], list[DataRow]]:
    """(rows a form named, in title order; the other rows: working values and structures)."""
    named: list[DataRow] = []
    other: list[DataRow] = []
    for key, value in sorted(data.items()):
        if key.startswith("_"):
            continue
        if isinstance(value, dict) and value.get("kind") == "statutory_deadline":
            continue  # shown in the deadlines table
        row = DataRow(key, labels.titles.get(key, key), _text(key, value, labels, units))
        simple = not isinstance(value, dict) and not (isinstance(value, list) and value and isinstance(value[0], dict))
        (named if key in labels.titles and simple else other).append(row)
    return named, other
