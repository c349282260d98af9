"""Which documents a task's page and a case page offer (`documents/catalog.yaml`), and for which units: a
per-unit document once for each unit preparing a part of the defence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import InboxTask, Instance
from .document_catalog import DocumentInfo, catalog
from .document_names import Names
from .document_sources import case_data, directory_names, task_data, task_unit
from .errors import NotFound

__all__ = ["Offer", "case_offers", "chosen_offer", "drafted_at", "task_offers"]


@dataclass(frozen=True)
class Offer:
    """A document a page offers: which, for which unit (per-unit documents), and the unit's name."""

    key: str
    title: str
    article: str
    unit: str | None = None
    unit_name: str = ""


def _parts(data: dict[str, Any]) -> list[str]:
    """The units that prepare a part of the defence: the handling units, and the justice bureau for the
    reconsideration part."""
    units = [u for u in data.get("handling_units") or [] if isinstance(u, str)]
    if data.get("reconsideration") == "upheld" and "justice_bureau" not in units:
        units.append("justice_bureau")
    return units


def _offers(infos: list[DocumentInfo], unit: str | None, data: dict[str, Any], names: Names) -> list[Offer]:
    offers = []
    for info in infos:
        units: list[str | None] = [None]
        if info.per_unit:
            units = [unit] if unit else [*_parts(data)] or [None]
        offers += [Offer(info.key, info.title, info.article, u, names.units.get(u or "", "")) for u in units]
    return offers


def task_offers(session: Session, task: InboxTask) -> list[Offer]:
    """The documents the task's page offers (for the task's unit, or each unit, where a document is per unit)."""
    where = f"{task.process_id}/{task.element_id}"
    row = session.get(Instance, task.instance_id)
    data = (case_data(row) if row else {}) | task_data(task, with_draft=False)
    infos = [d for d in catalog().values() if where in d.tasks]
    return _offers(infos, task_unit(task, data), data, directory_names(session))


def drafted_at(task: InboxTask) -> bool:
    """Whether a document the task offers is drafted at this step (the first its catalogue entry names: the unit
    preparing its defence, writing its loss report, its appeal opinion), so that it prints this form's saved draft;
    a later step's documents print what the drafting step recorded."""
    where = f"{task.process_id}/{task.element_id}"
    return any(d.tasks[:1] == (where,) for d in catalog().values())


def case_offers(session: Session, row: Instance) -> list[Offer]:
    """The documents the case page offers: those of the steps the case has reached (no loss report before a
    judgment), per-unit ones once for each unit preparing a part."""
    reached = {
        f"{process_id}/{element_id}"
        for process_id, element_id in session.execute(
            select(InboxTask.process_id, InboxTask.element_id).where(InboxTask.instance_id == row.id).distinct()
        )
    }
    infos = [d for d in catalog().values() if row.process_id in d.cases and reached & set(d.tasks)]
    return _offers(infos, None, case_data(row), directory_names(session))


def chosen_offer(offers: list[Offer], key: str, unit: str | None) -> Offer:
    """The offer of document `key` for `unit` (the only one, when no unit is named); NotFound when none is."""
    matching = [o for o in offers if o.key == key]
    chosen = next((o for o in matching if o.unit == unit), matching[0] if matching and not unit else None)
    if chosen is None:
        raise NotFound("no such document here")
    return chosen
