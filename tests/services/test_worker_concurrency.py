"""Two timer workers on one database: every due timer fires exactly once (SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import select

from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import AuditEvent, User
from workflow_host.services import instances, task_completion
from workflow_host.services.timers import fire_due_timers

CASES = 200
HEARING = {"hearing_on": "2026-12-15T09:30:00+08:00"}


def _waiting_cases(host: Host) -> list[int]:
    ids = []
    with use_clock(FixedClock(datetime(2026, 12, 1, tzinfo=UTC))), host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        for _ in range(CASES):
            case = instances.start_instance(session, host.runtime, clerk, "hearing_timer", {})
            task_completion.complete_task(session, host.runtime, clerk, case["tasks"][0]["id"], HEARING)
            ids.append(int(case["id"]))
    return ids


def test_two_workers_fire_each_of_200_timers_exactly_once(deployed: Host) -> None:
    ids = _waiting_cases(deployed)
    results: list[list[int]] = [[], []]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(slot: int) -> None:
        try:
            barrier.wait()
            results[slot] = fire_due_timers(deployed.database, deployed.runtime, datetime(2026, 12, 16, tzinfo=UTC))
        except BaseException as err:  # surfaced by the assertion below
            errors.append(err)

    workers = [threading.Thread(target=work, args=(slot,)) for slot in (0, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)

    assert errors == []
    fired = results[0] + results[1]
    assert sorted(fired) == sorted(ids)
    with deployed.database.transaction() as session:
        events = session.scalars(select(AuditEvent.instance_id).where(AuditEvent.type == "timer_fired"))
        assert Counter(events) == dict.fromkeys(ids, 1)
