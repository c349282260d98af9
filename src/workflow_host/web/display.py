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
from .data_words import FIELD_TITLES, WORKING_TITLES
from .i18n import DATA_TITLES, _, code_word, local_datetime
from .show_when import answers_meet

__all__ = [
    "DataRow",
    "appearance_row",
    "case_rows",
    "change_text",
    "data_title",
    "deadline_text",
    "deadline_title",
    "field_title",
    "row_title",
    "worded",
]


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


def data_title(key: str, labels: DataLabels) -> str | None:
    """A top-level data name's title: the forms', else the data dictionary's; None for a working value."""
    return labels.titles.get(key) or (str(DATA_TITLES[key]) if key in DATA_TITLES else None)


def row_title(key: str, labels: DataLabels) -> str:
    """A top-level data name as a page titles its row: the forms' or the data dictionary's title, else the words
    for a working value the diagrams keep, else (a name nobody worded yet) the name itself."""
    title = data_title(key, labels)
    return title or (str(WORKING_TITLES[key]) if key in WORKING_TITLES else key)


def deadline_title(value: Any) -> str | None:
    """The title a statutory deadline the deadline service computed carries (`答辩期限（…）`); None for other values."""
    if isinstance(value, dict) and value.get("kind") == "statutory_deadline" and value.get("title"):
        return str(value["title"])
    return None


def deadline_text(value: dict[str, Any]) -> str:
    """A computed deadline as the case page's deadlines table words it: `2026-03-17（15 日，自 2026-03-02 起算）`."""
    text = _(
        "%(due)s (%(rule)s from %(start)s)",
        due=value.get("due_on") or "—",
        rule=value.get("rule") or "",
        start=value.get("start") or "—",
    )
    return f"{text} {_('(provisional)')}" if value.get("provisional") else text


def _text(key: str, value: Any, labels: DataLabels, units: dict[str, str]) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _choice(key, value, labels) or (_("Yes") if value else _("No"))
    if _plain_list(value):
        # an item worded as a clause (an Art. 13 item) may hold 、 itself
        joiner = "；" if key.rsplit(".", 1)[-1] == "appearance_reasons" else "、"
        return joiner.join(_text(key, v, labels, units) for v in value)
    if isinstance(value, str | int | float):
        label = _choice(key, value, labels)
        if label:
            return label
        if isinstance(value, str) and value in units:
            return units[value]
        if isinstance(value, str | int) and (word := code_word(key, value)):
            return word
        if isinstance(value, str) and (shown := _instant(value)):
            return shown
        return str(value)
    if deadline_title(value):
        return deadline_text(value)
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


def field_title(path: str, labels: DataLabels) -> str | None:
    """A name inside a structure: as a form words it (by the longest path that names it), else as the records the
    diagrams build word their fields, else as the name reads at the top level."""
    found = next((labels.titles[name] for name in _suffixes(path) if name in labels.titles), None)
    name = path.rsplit(".", 1)[-1]
    if found is None and name in FIELD_TITLES:
        found = str(FIELD_TITLES[name])
    if found is None and name in WORKING_TITLES:
        found = str(WORKING_TITLES[name])
    return found or data_title(name, labels)


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
            words = field_title(path, labels) or units.get(name) or name
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


INLINE_ITEMS = 30  # fields or list items of one structure a change's line words (it is shortened anyway)


def _inline(key: str, value: Any, labels: DataLabels, units: dict[str, str], depth: int = 0) -> str:
    """A structure on one line, each field by its title as on the case page: `出庭人员：1. （姓名：李某某，…）`."""
    if depth > 6:
        return "…"
    if isinstance(value, dict) and value and not deadline_title(value):
        parts = []
        for name, inner in list(value.items())[:INLINE_ITEMS]:
            path = f"{key}.{name}"
            words = field_title(path, labels) or units.get(name) or name
            parts.append(f"{words}：{_inline(key if name in units else path, inner, labels, units, depth + 1)}")
        text = "，".join(parts)
    elif isinstance(value, list) and value and not _plain_list(value):
        items = enumerate(value[:INLINE_ITEMS], start=1)
        text = "；".join(f"{n}. {_inline(key, inner, labels, units, depth + 1)}" for n, inner in items)
    else:
        return _text(key, value, labels, units)
    return f"（{text}）" if depth else text


def worded(data: dict[str, Any], labels: DataLabels, units: dict[str, str]) -> str:
    """Data on one line, each name by its title and each value in words: `案号：(2026)…；审级：一审`."""
    return "；".join(f"{row_title(key, labels)}：{_inline(key, value, labels, units)}" for key, value in data.items())


def change_text(key: str, value: Any, labels: DataLabels, units: dict[str, str]) -> str:
    """A value as the history's list of changes shows it: as the case page words it, on one line, shortened."""
    text = _inline(key, value, labels, units)
    return text if len(text) <= CHANGE_LENGTH else text[: CHANGE_LENGTH - 1] + "…"


def _plain_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value)


def case_rows(data: dict[str, Any], labels: DataLabels, units: dict[str, str]) -> tuple[list[DataRow], list[DataRow]]:
    """(rows a form named, in the order the forms ask them; the other rows: working values and structures, by
    name)."""
    named: list[DataRow] = []
    other: list[DataRow] = []
    last = len(labels.order)
    for key, value in sorted(data.items(), key=lambda item: (labels.order.get(item[0], last), item[0])):
        if key.startswith("_"):
            continue
        if isinstance(value, dict) and value.get("kind") == "statutory_deadline":
            continue  # shown in the deadlines table
        if _not_applying(key, value, data, labels):
            continue
        title = data_title(key, labels)
        row = DataRow(key, title or row_title(key, labels), _text(key, value, labels, units))
        simple = not isinstance(value, dict) and not (isinstance(value, list) and value and isinstance(value[0], dict))
        (named if title and simple else other).append(row)
    return named, other


def _not_applying(key: str, value: Any, data: dict[str, Any], labels: DataLabels) -> bool:
    """Whether an empty value is one its form does not ask under the case's answers (`ui:showWhen`): 被告单位 of
    a suit against the district government. A value given, or answers the case does not hold, keep the row."""
    shown_when = labels.shown_when.get(key)
    if value not in (None, "", [], {}) or not isinstance(shown_when, dict):
        return False
    return all(name in data for name in shown_when) and not answers_meet(shown_when, data)


def _appearing(person: Any, units: dict[str, str]) -> str | None:
    """A head or an agent as the plan names them: 李某某（副区长）; an agent with the unit they appear for."""
    if not isinstance(person, dict) or not person.get("name"):
        return None
    unit = units.get(str(person.get("for_unit")), "") if "for_unit" in person else ""
    said = f"{unit} {person.get('position') or ''}".strip()
    return f"{person['name']}（{said}）" if said else str(person["name"])


def appearance_row(data: dict[str, Any], units: dict[str, str]) -> DataRow | None:
    """Who this instance's appearance plan sends to the hearing (Art. 13, 16): its heads, then its agents."""
    plan = data.get("appearance_plan")
    if not isinstance(plan, dict) or plan.get("instance_level") != data.get("instance_level"):
        return None
    people = [p for p in (plan.get("heads") or []) + (plan.get("agents") or []) if isinstance(p, dict)]
    named = [text for text in (_appearing(p, units) for p in people) if text]
    return DataRow("appearance_plan", _("Who appears"), "、".join(named)) if named else None
