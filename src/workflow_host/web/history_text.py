"""The history's changes as people read them: each changed name by its title, values in words, what a form or the
data dictionary names apart from the working values the diagrams keep, and a line that sums an event up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..services.case_view import DataLabels
from ..services.history_view import Change
from .display import change_text, data_title, deadline_title, row_title
from .i18n import _

__all__ = ["ChangeRow", "EventChanges", "event_changes"]

SUMMARY_LENGTH = 60  # characters of the titles an event's summary line names before "…"


@dataclass(frozen=True)
class ChangeRow:
    name: str
    title: str
    kind: str  # added | changed | removed
    before: str
    after: str
    before_raw: str
    after_raw: str


@dataclass(frozen=True)
class EventChanges:
    """What an event changed: the named fields first, the working values apart."""

    named: list[ChangeRow]
    working: list[ChangeRow]

    def __bool__(self) -> bool:
        return bool(self.named or self.working)

    def summary(self) -> str:
        """`3 changes: 案号、原告、受理法院`, or how many working values changed when no named field did."""
        if not self.named:
            return _("%(n)s working values", n=len(self.working))
        titles = "、".join(row.title for row in self.named)
        if len(titles) > SUMMARY_LENGTH:
            titles = titles[: SUMMARY_LENGTH - 1] + "…"
        return _("%(n)s changes: %(titles)s", n=len(self.named) + len(self.working), titles=titles)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def event_changes(changes: list[Change], labels: DataLabels, units: dict[str, str]) -> EventChanges:
    """The changes of one event in words; a field that only appeared blank (a form's unanswered field, a value the
    diagram set up empty) counts among the working values."""
    named: list[ChangeRow] = []
    working: list[ChangeRow] = []
    for change in changes:
        title = deadline_title(change.after) or deadline_title(change.before) or data_title(change.name, labels)
        row = ChangeRow(
            change.name,
            title or row_title(change.name, labels),
            change.kind,
            change_text(change.name, change.before, labels, units),
            change_text(change.name, change.after, labels, units),
            change.raw(change.before),
            change.raw(change.after),
        )
        blank = _empty(change.before) and _empty(change.after)
        (named if title and not blank else working).append(row)
    return EventChanges(named, working)
