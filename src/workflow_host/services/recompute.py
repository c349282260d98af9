"""When a calendar year is loaded, provisional deadlines are computed again: their records, the cases'
timers and the inbox due dates move; the value in case data stays as first computed."""

from __future__ import annotations

import json
from datetime import datetime, time

from sqlalchemy import select

from ..db import Database
from ..engine import LOCAL_TZ, Runtime
from ..models import CaseDeadline
from .calendar import HolidayCalendar
from .case_deadlines import apply_value, next_notice
from .deadlines import Period, compute_deadline
from .steps import load_case, save_case, step_clock

__all__ = ["recompute_provisional"]


def recompute_provisional(database: Database, runtime: Runtime, calendar: HolidayCalendar, actor: str) -> list[str]:
    """Recompute every open provisional deadline with `calendar`; returns the keys whose due date changed
    or became final. Each case is one step of its own."""
    with database.transaction() as session:
        query = select(CaseDeadline.instance_id).where(CaseDeadline.provisional, CaseDeadline.closed_at.is_(None))
        instance_ids = sorted(set(session.scalars(query)))
    changed: list[str] = []
    for instance_id in instance_ids:
        with database.transaction() as session, step_clock():
            case = load_case(session, runtime, instance_id)
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
            if moved:
                case.engine.retime({k: v for k, v in instants.items() if k != v})
                payload = {"keys": moved, "reason": "calendar year loaded", "instants": instants}
                save_case(session, case, [("deadlines_recomputed", actor, payload)])
                changed.extend(moved)
    return changed
