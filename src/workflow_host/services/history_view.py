"""The auditor's history of a case: every event with what it changed in the case data, and the case as it was
after any event (its data and the state of each diagram element), rebuilt by replay from the events alone."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ, Runtime
from ..models import AuditEvent, Instance, ProcessVersion, User
from .case_view import DataLabels, data_labels, visible_case
from .catalog import catalog_of
from .history import record_auditor_view
from .replay import ReplayError, replay_steps

__all__ = ["CHANGE_LENGTH", "Change", "HistoryFilters", "HistoryPage", "TimelineEntry", "history_page"]


CHANGE_LENGTH = 160  # characters of a value the history's timeline shows


@dataclass(frozen=True)
class Change:
    """One top-level data name an event added, changed or removed, with its values before and after (None on the
    side where it was absent): the page words them, `raw` keeps them as stored."""

    name: str
    kind: str  # added | changed | removed
    before: Any
    after: Any

    def raw(self, value: Any) -> str:
        """A value as the case data stores it (JSON), shortened."""
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        return text if len(text) <= CHANGE_LENGTH else text[: CHANGE_LENGTH - 1] + "…"


@dataclass
class TimelineEntry:
    event: AuditEvent
    payload: dict[str, Any]
    changes: list[Change] = field(default_factory=list)
    unit: str | None = None


@dataclass(frozen=True)
class HistoryFilters:
    """Which events the timeline lists (the replay always runs over all of them)."""

    actor: str = ""
    unit: str = ""
    type: str = ""
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args: Any) -> HistoryFilters:
        return cls(
            actor=str(args.get("actor", "")).strip()[:64],
            unit=str(args.get("unit", "")).strip()[:64],
            type=str(args.get("type", "")).strip()[:40],
            since=_day(args.get("since")),
            until=_day(args.get("until")),
        )

    def keeps(self, entry: TimelineEntry) -> bool:
        event = entry.event
        at = event.at.astimezone(LOCAL_TZ)
        return (
            (not self.actor or event.actor == self.actor)
            and (not self.unit or entry.unit == self.unit)
            and (not self.type or event.type == self.type)
            and (self.since is None or at >= datetime.combine(self.since, time.min, LOCAL_TZ))
            and (self.until is None or at <= datetime.combine(self.until, time.max, LOCAL_TZ))
        )


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


@dataclass
class HistoryPage:
    """The timeline (filtered), the chosen moment (an event seq) and the case as it was then."""

    case: Instance
    entries: list[TimelineEntry]
    all_seqs: list[int]
    at: int
    data: dict[str, Any]
    diagrams: list[dict[str, Any]]  # {process_id, name, states} as they were at `at`, the case's own first
    labels: DataLabels
    actors: list[str]
    types: list[str]
    replay_error: str | None = None


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What changed in the case data, name by name."""
    changes = []
    for name in sorted(before.keys() | after.keys()):
        if name not in before:
            changes.append(Change(name, "added", None, after[name]))
        elif name not in after:
            changes.append(Change(name, "removed", before[name], None))
        elif before[name] != after[name]:
            changes.append(Change(name, "changed", before[name], after[name]))
    return changes


def history_page(
    session: Session, runtime: Runtime, user: User, instance_id: int, at: int | None, filters: HistoryFilters
) -> HistoryPage:
    """Replay the case from its events; the timeline with each event's data changes, and the case after `at`
    (the last event when None)."""
    row = visible_case(session, user, instance_id)
    record_auditor_view(session, user, row, "history")
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == row.id).order_by(AuditEvent.seq)))
    units = {username: unit for username, unit in session.execute(select(User.username, User.unit_id))}
    seqs = [e.seq for e in events]
    chosen = at if at in seqs else (seqs[-1] if seqs else 0)
    entries: list[TimelineEntry] = []
    previous: dict[str, Any] = {}
    data_at: dict[str, Any] = {}
    states_at: dict[str, dict[str, str]] = {}
    error = None
    try:
        for event, engine in replay_steps(session, runtime, events):
            current = engine.data if engine is not None else previous
            entry = TimelineEntry(
                event, json.loads(event.payload_json), diff(previous, current), units.get(event.actor or "")
            )
            entries.append(entry)
            previous = current
            if event.seq == chosen and engine is not None:
                data_at, states_at = current, engine.element_states()
    except ReplayError as err:
        error = f"event {err.seq}: {err.reason}"
        done = {e.event.seq for e in entries}
        entries += [
            TimelineEntry(e, json.loads(e.payload_json), [], units.get(e.actor or ""))
            for e in events
            if e.seq not in done
        ]
    version = session.get(ProcessVersion, row.version_id)
    assert version is not None
    catalog = catalog_of(version)
    diagrams = [
        {"process_id": p, "name": catalog.processes[p].name if p in catalog.processes else p, "states": states}
        for p, states in sorted(states_at.items(), key=lambda item: item[0] != row.process_id)
        if p in catalog.processes
    ]
    return HistoryPage(
        case=row,
        entries=[e for e in entries if filters.keeps(e)],
        all_seqs=seqs,
        at=chosen,
        data=data_at,
        diagrams=diagrams,
        labels=data_labels(session, version, row.process_id),
        actors=sorted({e.actor for e in events if e.actor}),
        types=sorted({e.type for e in events}),
        replay_error=error,
    )
