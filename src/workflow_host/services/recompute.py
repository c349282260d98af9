"""When a calendar year is loaded, provisional deadlines are computed again: their records, the cases'
timers and the inbox due dates move; the value in case data stays as first computed.

Plain dates a script took from deadline() (an end of a period shown on tasks, not a deadline of the case's own)
have no record to move: the case data holds them, with `<name>_provisional` true beside them while the calendar
lacks their year. A script that also keeps `<name>_basis` ({"start": …, "period": …} of the deadline() result)
lets them be computed again: the date and its flag in the data then move, recorded in the same
`deadlines_recomputed` event (its `dates`) so that replay moves them too."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from ..db import Database
from ..engine import LOCAL_TZ, Runtime
from ..models import CaseDeadline, Instance
from .calendar import HolidayCalendar
from .case_deadlines import apply_value, next_notice
from .deadlines import Period, compute_deadline
from .steps import load_case, save_case, step_clock

__all__ = ["recompute_provisional"]

FLAG = "_provisional"


def recompute_provisional(database: Database, runtime: Runtime, calendar: HolidayCalendar, actor: str) -> list[str]:
    """Recompute every open provisional deadline and plain provisional date with `calendar`; returns the keys
    (of a plain date: its name) whose due date changed or became final. Each case is one step of its own."""
    with database.transaction() as session:
        query = select(CaseDeadline.instance_id).where(CaseDeadline.provisional, CaseDeadline.closed_at.is_(None))
        instance_ids = set(session.scalars(query))
        # the stored case data is JSON with sort_keys and the default separators: '"x_provisional": true'
        flagged = select(Instance.id).where(Instance.status == "running", Instance.data_json.contains(f'{FLAG}": true'))
        instance_ids.update(session.scalars(flagged))
    changed: list[str] = []
    for instance_id in sorted(instance_ids):
        with database.transaction() as session, step_clock():
            case = load_case(session, runtime, instance_id)
            if case.row.status == "terminated":  # terminated since the ids were read: nothing more is done in it
                continue
            rows = session.scalars(
                select(CaseDeadline).where(
                    CaseDeadline.instance_id == instance_id, CaseDeadline.provisional, CaseDeadline.closed_at.is_(None)
                )
            )
            moved: list[str] = []
            instants: dict[str, str] = {}
            for row in rows:
                # the strings the deadline() helper wrote, which the case's timers were computed from
                old_due = datetime.combine(row.due_on, time(23, 59, 59), LOCAL_TZ).isoformat()
                old = [old_due, *json.loads(row.schedule_json)]
                result = compute_deadline(calendar, row.start_on, Period(**json.loads(row.period_json)))
                value = result.as_data(calendar, row.title)
                if (value["due_at"], value["provisional"]) == (old_due, row.provisional):
                    continue
                instants.update(zip(old, [value["due_at"], *value["schedule"]], strict=True))
                apply_value(row, row.variable, value)
                row.next_notice_at = next_notice(row)
                moved.append(row.key)
            dates = plain_dates(case.engine.data, calendar)
            if moved or dates:
                case.engine.retime({k: v for k, v in instants.items() if k != v})
                case.engine.redate(dates)
                payload: dict[str, Any] = {"keys": moved, "reason": "calendar year loaded", "instants": instants}
                if dates:
                    payload["dates"] = dates
                save_case(session, case, [("deadlines_recomputed", actor, payload)])
                changed.extend([*moved, *dates])
    return changed


def plain_dates(data: dict[str, Any], calendar: HolidayCalendar) -> dict[str, dict[str, Any]]:
    """The plain provisional dates in `data` that `calendar` moves or makes final: name -> {"from", "to",
    "provisional"}. A date without a usable `<name>_basis` is left as it is."""
    found: dict[str, dict[str, Any]] = {}
    for flag, value in sorted(data.items()):
        name = flag.removesuffix(FLAG)
        if value is not True or name == flag or not isinstance(data.get(name), str):
            continue
        basis = _basis(data.get(f"{name}_basis"))
        if basis is None:
            continue
        try:
            result = compute_deadline(calendar, *basis)
        except (ValueError, OverflowError):  # a start near the end of the calendar's dates
            continue
        if (result.due_on.isoformat(), result.provisional) != (data[name], True):
            found[name] = {"from": data[name], "to": result.due_on.isoformat(), "provisional": result.provisional}
    return found


def _basis(value: Any) -> tuple[date, Period] | None:
    """The start and period a script kept beside a plain date (the deadline() result's), or None if unusable."""
    if not isinstance(value, dict):
        return None
    period = value.get("period")
    try:
        start = date.fromisoformat(value["start"])
        if not isinstance(period, dict) or set(period) != {"amount", "unit"}:
            return None
        parsed = Period(**period)
        str(parsed)  # a unit the calculator knows
    except (KeyError, TypeError, ValueError):
        return None
    if not isinstance(parsed.amount, int) or not 0 < parsed.amount <= 1000:
        return None
    return start, parsed
