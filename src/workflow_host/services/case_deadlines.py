"""Deadlines of a case, recorded from its data and closed by the task bound to them.

A diagram computes a deadline into case data with the `deadline()` helper; every value of that shape is
recorded here (what, from which day, by which rule, until when, provisional or not). A user task whose
`deadline` property names the variable closes it when completed: met by the end of the due day, or missed.
From then on the record is the truth: a provisional deadline recomputed after its calendar year is
loaded changes here (and in the case's timers), while the value in case data stays as first computed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ
from ..models import CaseDeadline, Instance
from .audit import EventSpec
from .deadlines import DEADLINE_KIND

__all__ = [
    "OpenDue",
    "apply_value",
    "deadline_key",
    "deadline_values",
    "deadline_view",
    "met_on_errors",
    "next_notice",
    "open_deadline_due",
    "sync_deadlines",
]


def deadline_values(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The deadlines in case data, by variable name."""
    return {k: v for k, v in data.items() if isinstance(v, dict) and v.get("kind") == DEADLINE_KIND}


def deadline_key(variable: str, value: dict[str, Any]) -> str:
    """A deadline is identified by its variable and its start: a second instance starts a new one."""
    return f"{variable}@{value['start']}"


def apply_value(row: CaseDeadline, variable: str, value: dict[str, Any]) -> None:
    """Set a record from a deadline value (as the `deadline()` helper returns it)."""
    row.variable = variable
    row.title = str(value.get("title") or variable)[:200]
    row.start_on = date.fromisoformat(value["start"])
    row.rule = str(value["rule"])[:64]
    row.period_json = json.dumps(value["period"])
    row.schedule_json = json.dumps(value["schedule"])
    row.due_on = date.fromisoformat(value["due_on"])
    row.due_at = datetime.fromisoformat(value["due_at"])
    row.provisional = bool(value["provisional"])


def next_notice(row: CaseDeadline) -> datetime | None:
    """When the record's next reminder or escalation is due."""
    schedule = [datetime.fromisoformat(at) for at in json.loads(row.schedule_json)]
    return schedule[row.notice_level] if row.notice_level < len(schedule) else None


def sync_deadlines(
    session: Session, instance: Instance, data: dict[str, Any], at: datetime, closing: dict[str, Any] | None
) -> list[EventSpec]:
    """Record the deadlines in `data`; close the one `closing` names ({variable, by}); return audit events."""
    events: list[EventSpec] = []
    values = deadline_values(data)
    keys = {deadline_key(var, value): (var, value) for var, value in values.items()}
    if not keys:
        return events  # most steps of most cases: nothing to look up
    existing = {
        row.key: row
        for row in session.scalars(
            select(CaseDeadline).where(CaseDeadline.instance_id == instance.id, CaseDeadline.key.in_(keys))
        )
    }
    for key, (var, value) in keys.items():
        row = existing.get(key)
        if row is None:
            row = CaseDeadline(instance_id=instance.id, key=key, status="open", notice_level=0, created_at=at)
            apply_value(row, var, value)
            row.next_notice_at = next_notice(row)
            session.add(row)
            events.append(("deadline_computed", None, {"key": key, **value}))
        existing[key] = row
    if closing and closing["variable"] in values:
        key = deadline_key(closing["variable"], values[closing["variable"]])
        row = existing.get(key)
        if row is not None and row.closed_at is None:
            events.append(_close(row, at, closing["by"], closing.get("on")))
    session.flush()
    return events


def _close(row: CaseDeadline, at: datetime, by: str, met_on: Any = None) -> EventSpec:
    """Close a deadline met or missed: by the date of the act when the task records one (a filing dated the last
    day meets it, though recorded the day after), else by when the task was completed."""
    payload = {"key": row.key, "due_at": row.due_at.isoformat(), "closed_at": at.isoformat()}
    day = _day(met_on)
    if day is not None:
        on_time = day <= row.due_at.astimezone(LOCAL_TZ).date()
        payload["met_on"] = day.isoformat()
    else:  # no such date (a task without a form could hold anything there): when the task was completed
        on_time = at <= row.due_at
    row.status, row.closed_at, row.closed_by, row.next_notice_at = ("met" if on_time else "missed"), at, by, None
    return ("deadline_met" if on_time else "deadline_missed", by, payload)


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


def met_on_errors(field: str, met_on: Any, deadline: Any, today: date) -> list[dict[str, str]]:
    """Form errors for the date of an act that meets a deadline: not after today, not before its period began."""
    if not isinstance(met_on, str) or not met_on:
        return []
    try:
        day = date.fromisoformat(met_on)
    except ValueError:
        return [{"path": f"/{field}", "message": "not a date (YYYY-MM-DD)", "kind": "format", "value": "date"}]
    if day > today:
        message = f"{met_on} is after today ({today.isoformat()})"
        return [{"path": f"/{field}", "message": message, "kind": "after_today", "value": today.isoformat()}]
    start = deadline.get("start") if isinstance(deadline, dict) else None
    if isinstance(start, str) and met_on < start:
        message = f"{met_on} is before the period began ({start})"
        return [{"path": f"/{field}", "message": message, "kind": "before_start", "value": start}]
    return []


@dataclass(frozen=True)
class OpenDue:
    """When an open deadline falls due, the unit its period counts in, and whether it is provisional."""

    at: datetime
    kind: str  # days | working_days | months
    provisional: bool


def open_deadline_due(session: Session, instance_id: int) -> dict[str, OpenDue]:
    """Each open deadline of a case by variable (the latest start wins)."""
    rows = session.execute(
        select(CaseDeadline.variable, CaseDeadline.due_at, CaseDeadline.period_json, CaseDeadline.provisional)
        .where(CaseDeadline.instance_id == instance_id, CaseDeadline.closed_at.is_(None))
        .order_by(CaseDeadline.start_on)
    )
    return {
        variable: OpenDue(due, str(json.loads(period).get("unit", "days")), bool(provisional))
        for variable, due, period, provisional in rows
    }


def deadline_view(row: CaseDeadline) -> dict[str, Any]:
    """A deadline as the API shows it."""
    return {
        "key": row.key,
        "variable": row.variable,
        "title": row.title,
        "start_on": row.start_on.isoformat(),
        "rule": row.rule,
        "due_on": row.due_on.isoformat(),
        "due_at": row.due_at.isoformat(),
        "provisional": row.provisional,
        "status": row.status,
        "closed_at": row.closed_at.isoformat() if row.closed_at else None,
        "closed_by": row.closed_by,
        "notice_level": row.notice_level,
    }
