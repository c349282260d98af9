"""Who and what the documents name: the directory's names (`Names`), the district government, the defendants and
the sides of a later instance, the case's title at an instance, the decision an appeal is about, and what every
document names (`common`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .case_wording import case_title
from .document_text import BLANK, as_dict, as_list, chinese_date, text

__all__ = [
    "DECISION_KINDS",
    "GOVERNMENT",
    "Names",
    "common",
    "defendant_name",
    "defendants",
    "first_decision",
    "title_of",
    "unit_name",
]

GOVERNMENT = "包头市石拐区人民政府"

DECISION_KINDS = {"judgment": "判决", "ruling": "裁定", "mediation_statement": "调解书"}


@dataclass
class Names:
    """What the directory knows: unit names, the names of unit heads and of the district head (区长), and the posts
    (职务) of those heads the directory gives one (`posts`: by unit)."""

    units: dict[str, str] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    district_head: str | None = None
    posts: dict[str, str] = field(default_factory=dict)
    district_head_post: str | None = None


def unit_name(names: Names, unit: Any) -> str:
    """A unit's name as the directory gives it (its id when the directory lacks it), or a blank line."""
    return text(names.units.get(unit, unit) if isinstance(unit, str) else None)


def defendant_name(data: dict[str, Any], names: Names) -> str:
    if data.get("defendant") == "district_government":
        return GOVERNMENT
    return unit_name(names, data.get("defendant_unit"))


def defendants(data: dict[str, Any], names: Names) -> list[str]:
    """Who the suit is against: the district government beside the original organ when its reconsideration upheld
    the act (ALL Art. 26 ¶2: the unit that continues the power, or the entrusting unit, or the acting units)."""
    if data.get("defendant") != "district_government":
        return [defendant_name(data, names)]
    if data.get("reconsideration") != "upheld":
        return [GOVERNMENT]
    original = data.get("successor_unit") or data.get("entrusting_unit")
    units = (
        [original]
        if isinstance(original, str)
        else [u for u in as_list(data.get("acting_units")) if isinstance(u, str)]
    )
    return [unit_name(names, u) for u in units] + [GOVERNMENT]


def _sides(data: dict[str, Any], names: Names) -> tuple[list[str], list[str]] | None:
    """Who moved the case's later instance and who answers it: the organ that appealed (Art. 8) or applied for the
    retrial (Art. 10) against the plaintiff; the plaintiff or a third party (whose name the case data lacks: a line
    to fill in) that appealed (Art. 9) against the organ; None at first instance or when nobody recorded who."""
    level, organs, plaintiff = data.get("instance_level"), defendants(data, names), text(data.get("plaintiff"))
    if level == "retrial" or (level == "second" and data.get("appeal_filed") is True):
        return organs, [plaintiff]
    if level != "second" or data.get("plaintiff_appealed") is not True:
        return None
    return {
        "third_party": ([BLANK], [plaintiff, *organs]),
        "plaintiff_and_third_party": ([plaintiff, BLANK], organs),
    }.get(str(data.get("appellant")), ([plaintiff], organs))


def title_of(data: dict[str, Any], names: Names, level: Any = None, with_role: bool = True) -> str:
    """The case as the documents name it, at `level` (by default the case's instance, with who appealed)."""
    current = data.get("instance_level")
    level = level or current
    sides = _sides(data, names) if level == current else None
    plaintiff, cause = text(data.get("plaintiff")), str(data.get("cause") or "")
    return case_title(plaintiff, defendants(data, names), cause, level, with_role, sides)


def common(data: dict[str, Any], names: Names, today: date) -> dict[str, Any]:
    """What every document names: the case, the court, the parties, today's date."""
    return {
        "case_no": text(data.get("case_no")),
        "court": text(data.get("court")),
        "plaintiff": text(data.get("plaintiff")),
        "cause": text(data.get("cause")),
        "defendant": defendant_name(data, names),
        "case_title": title_of(data, names),
        "today": chinese_date(today),
        "blank": BLANK,
    }


def first_decision(data: dict[str, Any]) -> dict[str, Any]:
    """The decision an appeal is about: the first instance's. Once a later instance began, the case's number,
    court and decision are that instance's, and the first's are as instance_history kept them."""
    if data.get("instance_level") in (None, "first"):
        return data
    for entry in as_list(data.get("instance_history")):
        if as_dict(entry).get("instance_level") == "first":
            return as_dict(entry)
    return data
