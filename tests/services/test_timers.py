"""Timers wait on the engine clock, are found through the next-due column and fire once, as one audited step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import AuditEvent, Instance, User
from workflow_host.services import instances, task_completion
from workflow_host.services.errors import Invalid
from workflow_host.services.timers import fire_due_timers

HEARING = "2026-12-15T09:30:00+08:00"


def _start(host: Host) -> tuple[int, str]:
    """A hearing_timer case waiting at set_hearing: its id and that task's."""
    with use_clock(FixedClock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))), host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        case = instances.start_instance(session, host.runtime, clerk, "hearing_timer", {})
        [task] = case["tasks"]
        return int(case["id"]), str(task["id"])


def _set_hearing(host: Host, task_id: str, data: dict[str, Any]) -> None:
    with use_clock(FixedClock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))), host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        task_completion.complete_task(session, host.runtime, clerk, task_id, data)


def _start_and_set_hearing(host: Host) -> int:
    case_id, task_id = _start(host)
    _set_hearing(host, task_id, {"hearing_on": HEARING, "record_due_on": "2026-12-20"})
    return case_id


def _case(host: Host, case_id: int) -> dict[str, Any]:
    with host.database.transaction() as session:
        auditor = session.get(User, "auditor")
        assert auditor is not None
        return instances.get_instance(session, auditor, case_id)


def test_a_hearing_date_that_is_no_real_day_is_refused_and_the_case_stays_where_it_was(deployed: Host) -> None:
    # set_hearing has no form to check the date: the engine's timer is the first to read it
    case_id, task_id = _start(deployed)
    with pytest.raises(Invalid, match="a date or duration the case waits for is not valid: day is out of range"):
        _set_hearing(deployed, task_id, {"hearing_on": "2027-02-30T09:30:00+08:00"})
    after = _case(deployed, case_id)
    assert [t["name"] for t in after["tasks"]] == ["set_hearing"]
    assert after["status"] == "running"
    assert "hearing_on" not in after["data"]


def test_a_hearing_timer_waits_for_its_time_and_then_opens_the_next_step(deployed: Host) -> None:
    case_id = _start_and_set_hearing(deployed)
    waiting = _case(deployed, case_id)
    assert waiting["tasks"] == []
    assert datetime.fromisoformat(waiting["next_due_at"]) == datetime.fromisoformat(HEARING)

    assert fire_due_timers(deployed.database, deployed.runtime, datetime(2026, 12, 15, 1, 29, tzinfo=UTC)) == []
    assert _case(deployed, case_id)["tasks"] == []

    fired = fire_due_timers(deployed.database, deployed.runtime, datetime(2026, 12, 15, 1, 31, tzinfo=UTC))
    assert fired == [case_id]
    after = _case(deployed, case_id)
    [task] = after["tasks"]
    assert task["name"] == "record_hearing"
    assert task["due_at"] == "2026-12-20T15:59:59+00:00"  # end of 20 December, Beijing time
    assert after["next_due_at"] is None
    assert after["deadlines"] == []  # a plain due date on a task is not a statutory deadline of the case

    assert fire_due_timers(deployed.database, deployed.runtime, datetime(2026, 12, 16, tzinfo=UTC)) == []
    with deployed.database.transaction() as session:
        types = list(session.scalars(select(AuditEvent.type).where(AuditEvent.instance_id == case_id)))
        assert types.count("timer_fired") == 1
        row = session.get(Instance, case_id)
        assert row is not None
        assert row.status == "running"
