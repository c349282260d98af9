"""Who a case is between, as the case list names them: a suit's plaintiff and defendant, a suggestion's issuer and
the unit that answers it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..services.document_names import GOVERNMENT
from .i18n import _

__all__ = ["parties"]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def parties(data: Mapping[str, Any], unit_names: Mapping[str, str]) -> list[tuple[str, str]]:
    """(label, name) pairs of a case's parties, those its data names yet; units by their names."""
    found: list[tuple[str, str]] = []
    if _text(data.get("issuer")):  # a judicial or procuratorial suggestion (Art. 11)
        found.append((_("Issued by"), _text(data["issuer"])))
        unit = _text(data.get("designated_unit"))
        if unit:
            found.append((_("Answered by"), unit_names.get(unit, unit)))
        return found
    if _text(data.get("plaintiff")):
        found.append((_("Plaintiff"), _text(data["plaintiff"])))
    unit = _text(data.get("defendant_unit"))
    if data.get("defendant") == "district_government":
        found.append((_("Defendant"), GOVERNMENT))
    elif unit:
        found.append((_("Defendant"), unit_names.get(unit, unit)))
    return found
