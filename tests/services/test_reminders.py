"""A defence deadline reminds, then is missed and escalates level by level; time is driven, never slept."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select, update

from workflow_host.cli import main
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import CaseDeadline, Instance, Notification, User
from workflow_host.services import instances, notifications, task_completion, task_reading
from workflow_host.services.notices import deliver_pending, fire_due_notices

CST = timezone(timedelta(hours=8))
START = {"complaint_served_on": "2026-09-20", "handling_units": ["land_bureau"]}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def _start(host: Host) -> dict[str, Any]:
    with use_clock(FixedClock(at("2026-09-21T09:00"))), host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        return instances.start_instance(session, host.runtime, clerk, "unit_deadline", START)


def _messages(host: Host, username: str) -> list[str]:
    with host.database.transaction() as session:
        user = session.get(User, username)
        assert user is not None
        return [n["message"] for n in notifications.list_notifications(session, user)]


def _deadline(host: Host, case_id: int) -> dict[str, Any]:
    with host.database.transaction() as session:
        auditor = session.get(User, "auditor")
        assert auditor is not None
        [deadline] = instances.get_instance(session, auditor, case_id)["deadlines"]
        return deadline


def test_reminder_then_missed_then_escalation_to_the_justice_bureau_and_the_vice_head(deployed: Host) -> None:
    case = _start(deployed)
    deadline = _deadline(deployed, case["id"])
    assert (deadline["due_on"], deadline["status"], deadline["provisional"]) == ("2026-10-08", "open", False)
    assert case["tasks"][0]["due_at"] == "2026-10-08T15:59:59+00:00"

    # 8 Oct is the first working day after the National Day holiday; the last one before it is 30 Sep.
    assert fire_due_notices(deployed.database, at("2026-09-30T08:59")) == []
    assert len(fire_due_notices(deployed.database, at("2026-09-30T09:00"))) == 1
    [reminder] = _messages(deployed, "land_officer")
    assert reminder.startswith("提醒")
    assert "答辩期限" in reminder
    assert _messages(deployed, "town_officer") == []

    fire_due_notices(deployed.database, at("2026-10-09T00:00"))
    assert _deadline(deployed, case["id"])["status"] == "missed"
    assert _messages(deployed, "zhao") == []
    fire_due_notices(deployed.database, at("2026-10-09T09:00"))
    # the justice bureau's head holds both roles the escalation goes to: shown once, read once
    [escalation] = _messages(deployed, "zhao")
    assert escalation.startswith("督办")
    with deployed.database.transaction() as session:
        zhao = session.get(User, "zhao")
        assert zhao is not None
        [unread] = notifications.unread_notifications(session, zhao)
        notifications.mark_read(session, zhao, unread.id)
        assert notifications.unread_notifications(session, zhao) == []
    with deployed.database.transaction() as session:
        staff = session.get(User, "jb_staff")
        assert staff is not None
        # a row to a role is one row for all who hold it: the head read it for the bureau; it stays in the list
        assert notifications.unread_notifications(session, staff) == []
        assert [n["read_at"] is not None for n in notifications.list_notifications(session, staff)] == [True]
    assert _messages(deployed, "li_vice") == []
    # 10 Oct 2026 is a Saturday worked in lieu: the next working day after 9 Oct
    fire_due_notices(deployed.database, at("2026-10-10T09:00"))
    assert "分管副区长" in _messages(deployed, "li_vice")[0]
    assert fire_due_notices(deployed.database, at("2026-12-31T09:00")) == []

    with deployed.database.transaction() as session:
        auditor = session.get(User, "auditor")
        assert auditor is not None
        types = [e["type"] for e in instances.instance_events(session, auditor, case["id"])]
    assert types.count("deadline_escalated") == 2
    assert [t for t in types if t in ("deadline_reminded", "deadline_missed")] == [
        "deadline_reminded",
        "deadline_missed",
    ]


def test_a_task_done_in_time_meets_its_deadline_and_nothing_escalates(deployed: Host) -> None:
    case = _start(deployed)
    with use_clock(FixedClock(at("2026-10-08T17:00"))), deployed.database.transaction() as session:
        officer = session.get(User, "land_officer")
        assert officer is not None
        [task] = task_reading.list_tasks(session, officer)
        task_completion.complete_task(session, deployed.runtime, officer, task["id"], {})
    deadline = _deadline(deployed, case["id"])
    assert (deadline["status"], deadline["closed_by"]) == ("met", "land_officer")
    assert fire_due_notices(deployed.database, at("2026-10-20T09:00")) == []
    assert _messages(deployed, "land_officer") == []


def test_a_late_task_closes_its_deadline_as_missed(deployed: Host) -> None:
    case = _start(deployed)
    with use_clock(FixedClock(at("2026-10-09T10:00"))), deployed.database.transaction() as session:
        officer = session.get(User, "land_officer")
        assert officer is not None
        [task] = task_reading.list_tasks(session, officer)
        task_completion.complete_task(session, deployed.runtime, officer, task["id"], {})
    assert _deadline(deployed, case["id"])["status"] == "missed"


def test_the_tick_command_sends_what_is_due_as_of_now(
    deployed: Host, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = _start(deployed)
    monkeypatch.setenv("DATABASE_URL", deployed.database.url)
    assert main(["tick", "--now", "2026-10-09T09:30:00+08:00"]) == 0
    assert "sent 2 reminder(s) or escalation(s)" in capsys.readouterr().out  # the reminder came too late
    assert _deadline(deployed, case["id"])["notice_level"] == 3  # reminded, missed, escalated to the bureau
    assert main(["tick", "--now", "2026-10-09T09:30:00"]) != 0  # a time without its zone is refused


def test_a_notice_due_while_a_step_holds_the_case_is_passed_over_not_deadlocked(deployed: Host) -> None:
    """A step locks the case, then closes or moves its deadlines; the notice worker takes the case first too, so it
    never holds a deadline while waiting for the case (that order deadlocked under load, found by bench_http)."""
    if deployed.database.engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite runs one writer at a time")
    case = _start(deployed)
    due = at("2026-09-30T09:00")
    sent: list[list[int]] = []
    with deployed.database.transaction() as step:  # a step in progress, as load_case holds the case
        step.execute(select(Instance).where(Instance.id == case["id"]).with_for_update())
        worker = threading.Thread(target=lambda: sent.append(fire_due_notices(deployed.database, due)))
        worker.start()
        worker.join(timeout=10)
        assert not worker.is_alive(), "the notice worker waited for the case while holding its deadline"
        assert sent == [[]]
        step.execute(update(CaseDeadline).where(CaseDeadline.instance_id == case["id"]).values(title="答辩期限"))
    assert len(fire_due_notices(deployed.database, due)) == 1  # due again at the next round


class SlowSink:
    """A gateway that takes a moment per message, so that two workers overlap; records what it was handed."""

    def __init__(self, handed: list[int]) -> None:
        self.handed = handed

    def deliver(self, notification: dict[str, Any]) -> None:
        time.sleep(0.05)
        self.handed.append(int(notification["id"]))


def test_two_workers_hand_each_notification_to_the_gateway_once(deployed: Host) -> None:
    for _ in range(3):
        _start(deployed)
    fire_due_notices(deployed.database, at("2026-10-10T09:00"))  # reminders and escalations: many notifications
    handed: list[int] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        barrier.wait()
        deliver_pending(deployed.database, [SlowSink(handed)], at("2026-10-10T09:01"))

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    with deployed.database.transaction() as session:
        stored = session.execute(select(Notification.id, Notification.delivered_at)).all()
    assert len(stored) >= 6
    assert sorted(handed) == sorted(row.id for row in stored)  # each once, none twice (SQLite: one writer)
    assert all(row.delivered_at is not None for row in stored)
    assert deliver_pending(deployed.database, [SlowSink(handed)], at("2026-10-10T09:02")) == 0
