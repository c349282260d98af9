"""What a case is found by, read from its data: the units it concerns, the court's numbers of its instances and
the words it is searched by (its plaintiff, what it is about, who issued a suggestion). Saving a step keeps them on
the case's row (`unit_keys`, `number_keys`, `search_text`), so the case list filters by them without reading every
case's data."""

from __future__ import annotations

from typing import Any

__all__ = [
    "INSTANCE_LEVELS",
    "UNIT_NAMES",
    "case_numbers",
    "case_units",
    "key_list",
    "keys_text",
    "matter_number",
    "number_keys",
    "search_text",
    "unit_keys",
    "whole",
]

# The words a case is found by besides its numbers: the plaintiff, the act challenged, the organ that issued a
# judicial or procuratorial suggestion (Art. 11) and what it is about.
TEXT_NAMES = ("plaintiff", "cause", "issuer", "summary")
SEARCH_TEXT_LIMIT = 2000  # characters of each, so one long text cannot make every search slow
UNIT_NAMES = ("handling_units", "defendant_unit", "acting_units", "entrusting_unit", "successor_unit")
INSTANCE_LEVELS = ("first", "second", "retrial")  # instance_level, in the order a case goes through them
SEPARATOR = "\n"  # between keys, and around them: a key is found as "\n<key>\n", never as a part of another


def case_units(data: Any) -> set[str]:
    """The units a case concerns: the handling units, the defendant and acting units, who entrusted or succeeded."""
    found: set[str] = set()
    for name in UNIT_NAMES:
        value = data.get(name) if isinstance(data, dict) else None
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, list):
            found.update(v for v in value if isinstance(v, str))
    return found


def case_numbers(data: Any) -> list[tuple[str, str]]:
    """The court's number of each instance of a case, (instance_level, case_no), first instance first: each
    decided instance's as instance_history kept it, and the current one's once it is registered. `case_no` is the
    current instance's number, so a second instance's registration replaces the first's there; until then it
    still holds the earlier number, which is not counted twice. Empty for a case that has no instances."""
    if not isinstance(data, dict):
        return []
    numbers: dict[str, str] = {}
    history = data.get("instance_history")
    for entry in history if isinstance(history, list) else []:
        if isinstance(entry, dict) and entry.get("instance_level") in INSTANCE_LEVELS and entry.get("case_no"):
            numbers.setdefault(str(entry["instance_level"]), str(entry["case_no"]))
    current, level = data.get("case_no"), data.get("instance_level")
    if current and level in INSTANCE_LEVELS and level not in numbers and str(current) not in numbers.values():
        numbers[str(level)] = str(current)
    return [(level, numbers[level]) for level in INSTANCE_LEVELS if level in numbers]


def matter_number(data: Any) -> str | None:
    """The number a case is known by: the court's number of its current instance (`case_no`), or for a judicial or
    procuratorial suggestion (Art. 11) the suggestion's own (`document_no`); at most 128 characters, as stored."""
    if not isinstance(data, dict):
        return None
    number = data.get("case_no") or data.get("document_no")
    return str(number)[:128] if number else None


def unit_keys(data: Any) -> str:
    """`case_units` as stored on the case row: "\\nunit_a\\nunit_b\\n" (sorted), empty when none."""
    return _joined(sorted(case_units(data)))


def number_keys(data: Any) -> str:
    """Every number the case is searched by, as stored on the case row: the current `case_no` and each instance's."""
    current = matter_number(data)
    return _joined(dict.fromkeys([*([current] if current else []), *(number for _level, number in case_numbers(data))]))


def search_text(data: Any) -> str:
    """The words of `TEXT_NAMES` as stored on the case row: "\\nplaintiff\\ncause\\n", empty when none."""
    if not isinstance(data, dict):
        return ""
    found = [str(data[name]).strip()[:SEARCH_TEXT_LIMIT] for name in TEXT_NAMES if isinstance(data.get(name), str)]
    return _joined([word for word in found if word])


def _joined(keys: Any) -> str:
    keys = [key.replace(SEPARATOR, " ") for key in keys]
    return SEPARATOR + SEPARATOR.join(keys) + SEPARATOR if keys else ""


def keys_text(keys: Any) -> str:
    """Keys (unit or role ids) as a column stores them, in the order given: "\\na\\nb\\n", empty when none."""
    return _joined(list(keys))


def key_list(stored: str | None) -> list[str]:
    """The keys a column stores (`keys_text`), in their order."""
    return [key for key in (stored or "").split(SEPARATOR) if key]


def whole(key: str) -> str:
    """What a stored column contains when it holds `key` whole (unit ids are matched whole, numbers in part)."""
    return SEPARATOR + key + SEPARATOR
