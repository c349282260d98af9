"""Terminating a case: it leaves every inbox, fires no timer, reminds nobody, is counted in no report, and its
history (one `instance_terminated` event) still verifies and replays. Who may: an administrator, and the registrant
until a step is completed."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select, update

from tests.services.test_reports import seed
from workflow_host.cli import main
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import AuditEvent, CaseDeadline, InboxCandidate, InboxTask, Instance, Notification, User
from workflow_host.services import instances, notifications, task_completion, task_reading
from workflow_host.services.directory import load_directory
from workflow_host.services.errors import Conflict, Forbidden, Invalid, NotFound
from workflow_host.services.notices import deliver_pending, fire_due_notices
from workflow_host.services.replay import replay_instance
from workflow_host.services.reports import annual_report
from workflow_host.services.termination import may_terminate, terminate_case
from workflow_host.services.verification import verify_instance

CST = timezone(timedelta(hours=8))
ADMIN = "users:\n  - {username: admin, name: 系统管理员, password: pw-admin, roles: [admin]}\n"
SERVED = {"complaint_served_on": "2026-09-20", "handling_units": ["land_bureau"]}
INTAKE = {"case_no": "(2026)蒙0205行初7号", "defendant": "unit", "defendant_unit": "land_bureau"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


@pytest.fixture
def site(deployed: Host) -> Host:
    """The fixture processes deployed, with an administrator in the directory."""
    with deployed.database.transaction() as session:
        load_directory(session, ADMIN)
    return deployed


def _user(session: Any, username: str) -> User:
    user = session.get(User, username)
    assert user is not None
    return user


def _start(host: Host, process_id: str, data: dict[str, Any], by: str = "clerk", when: str = "2026-09-21T09:00") -> int:
    with use_clock(FixedClock(at(when))), host.database.transaction() as session:
        return int(instances.start_instance(session, host.runtime, _user(session, by), process_id, data)["id"])


def _terminate(host: Host, by: str, case_id: int, reason: Any = "重复登记", when: str = "2026-09-22T10:00") -> Any:
    with use_clock(FixedClock(at(when))), host.database.transaction() as session:
        return terminate_case(session, _user(session, by), case_id, reason)


def _complete(host: Host, by: str, case_id: int, name: str, data: dict[str, Any] | None = None) -> Any:
    with host.database.transaction() as session:
        task = session.scalar(
            select(InboxTask).where(
                InboxTask.instance_id == case_id, InboxTask.element_id == name, InboxTask.status == "ready"
            )
        )
        assert task is not None
        return task_completion.complete_task(session, host.runtime, _user(session, by), task.id, data or {})


def _inbox(host: Host, username: str) -> list[int]:
    with host.database.transaction() as session:
        return [t["instance_id"] for t in task_reading.list_tasks(session, _user(session, username))]


def _candidates(host: Host, case_id: int) -> list[str]:
    """Everyone in the directory who has a task of the case in their inbox."""
    with host.database.transaction() as session:
        usernames = sorted(session.scalars(select(User.username)))
    return [username for username in usernames if case_id in _inbox(host, username)]


def _events(host: Host, case_id: int) -> list[tuple[str, str | None]]:
    with host.database.transaction() as session:
        found = session.execute(
            select(AuditEvent.type, AuditEvent.actor).where(AuditEvent.instance_id == case_id).order_by(AuditEvent.seq)
        )
        return [(kind, actor) for kind, actor in found]


def test_a_terminated_case_leaves_the_inbox_of_every_candidate_as_cancelled_history(site: Host) -> None:
    case_id = _start(site, "six_steps", {})
    for by, name, data in (("clerk", "intake", INTAKE), ("clerk", "check", {}), ("jb_staff", "review", {})):
        _complete(site, by, case_id, name, data)
    assert _candidates(site, case_id) == ["land_head", "land_officer"]  # prepare, for the land bureau

    view = _terminate(site, "admin", case_id, "  同一应诉通知书重复登记，保留第 3 号案件  ")

    assert view["status"] == "terminated"
    assert view["tasks"] == []
    assert view["next_due_at"] is None
    assert _candidates(site, case_id) == []
    with site.database.transaction() as session:
        [prepare] = session.scalars(select(InboxTask).where(InboxTask.element_id == "prepare"))
        assert (prepare.status, prepare.completed_at) == ("cancelled", at("2026-09-22T10:00"))
        left = select(func.count()).select_from(InboxCandidate).where(InboxCandidate.task_id == prepare.id)
        assert session.scalar(left) == 0
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.type == "instance_terminated"))
        assert (event.actor, event.payload_json) == ("admin", '{"reason": "同一应诉通知书重复登记，保留第 3 号案件"}')
    with site.database.transaction() as session:
        land = _user(session, "land_officer")
        with pytest.raises(Conflict, match="cancelled"):
            task_completion.complete_task(session, site.runtime, land, prepare.id, {})


def test_no_timer_fires_and_no_reminder_is_sent_after_termination(site: Host, monkeypatch: Any, capsys: Any) -> None:
    # the defence deadline runs to 8 October; its boundary timer fires then, and reminders go out from 30 September
    case_id = _start(site, "defence_deadline", SERVED)
    _terminate(site, "admin", case_id, "法院已撤销该应诉通知")
    events = _events(site, case_id)

    monkeypatch.setenv("DATABASE_URL", site.database.url)
    assert main(["tick", "--now", "2026-10-12T09:30:00+08:00"]) == 0
    assert "fired timers of 0 instance(s); sent 0 reminder(s) or escalation(s)" in capsys.readouterr().out

    assert _events(site, case_id) == events
    with site.database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        assert (row.status, row.next_due_at) == ("terminated", None)
        [deadline] = session.scalars(select(CaseDeadline).where(CaseDeadline.instance_id == case_id))
        assert (deadline.status, deadline.closed_by, deadline.next_notice_at) == ("cancelled", "admin", None)
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_same_case_not_terminated_is_what_the_tick_would_have_fired(site: Host, monkeypatch: Any) -> None:
    """The control of the test above: the same case and tick, without termination, fires the timer and reminds."""
    case_id = _start(site, "defence_deadline", SERVED)
    monkeypatch.setenv("DATABASE_URL", site.database.url)
    assert main(["tick", "--now", "2026-10-12T09:30:00+08:00"]) == 0
    assert ("timer_fired", None) in _events(site, case_id)


def test_reminders_already_sent_leave_the_inbox_page_but_stay_in_the_list(site: Host) -> None:
    case_id = _start(site, "unit_deadline", SERVED)
    assert len(fire_due_notices(site.database, at("2026-09-30T09:00"))) == 1
    with site.database.transaction() as session:
        assert len(notifications.unread_notifications(session, _user(session, "land_officer"))) == 1
    _terminate(site, "admin", case_id, "登记错误", when="2026-09-30T10:00")
    assert fire_due_notices(site.database, at("2026-10-12T09:00")) == []
    with site.database.transaction() as session:
        land = _user(session, "land_officer")
        assert notifications.unread_notifications(session, land) == []
        assert [n["instance_id"] for n in notifications.list_notifications(session, land)] == [case_id]


class Gateway:
    """A message gateway (SMS, mail) that records what it was handed."""

    def __init__(self) -> None:
        self.handed: list[dict[str, Any]] = []

    def deliver(self, notification: dict[str, Any]) -> None:
        self.handed.append(notification)


def test_a_reminder_not_yet_handed_to_the_gateway_is_not_sent_once_the_case_is_terminated(site: Host) -> None:
    stopped = _start(site, "unit_deadline", SERVED)
    running = _start(site, "unit_deadline", SERVED)
    assert len(fire_due_notices(site.database, at("2026-09-30T09:00"))) == 2  # queued for the gateway
    _terminate(site, "admin", stopped, "登记错误", when="2026-09-30T09:01")
    gateway = Gateway()
    assert deliver_pending(site.database, [gateway], at("2026-09-30T09:02")) == 1
    with site.database.transaction() as session:
        sent = session.scalars(select(Notification.instance_id).where(Notification.id == gateway.handed[0]["id"]))
        assert list(sent) == [running]


def test_the_history_of_a_terminated_case_verifies_and_replays(site: Host) -> None:
    case_id = _start(site, "defence_deadline", SERVED)
    _terminate(site, "admin", case_id)
    with site.database.transaction() as session:
        assert verify_instance(session, site.runtime, case_id) == {"ok": True, "events_checked": 3, "steps_replayed": 3}
        assert replay_instance(session, site.runtime, case_id)["ok"] is True
        [state, previous] = session.scalars(
            select(AuditEvent.state_hash).where(AuditEvent.instance_id == case_id).order_by(AuditEvent.seq.desc())
        ).all()[:2]
        assert state == previous is not None  # recorded with the state it left as it was


def test_a_case_is_terminated_once_and_a_closed_case_not_at_all(site: Host) -> None:
    case_id = _start(site, "defence_deadline", SERVED)
    _terminate(site, "admin", case_id)
    with pytest.raises(Conflict, match="already terminated"):
        _terminate(site, "admin", case_id)
    closed = _start(site, "defence_deadline", SERVED)
    _complete(site, "clerk", closed, "file_defence")
    with pytest.raises(Conflict, match="closed"):
        _terminate(site, "admin", closed)
    with pytest.raises(NotFound):
        _terminate(site, "admin", 9999)
    assert [kind for kind, _ in _events(site, case_id)].count("instance_terminated") == 1


@pytest.mark.parametrize(
    ("reason", "message"), [(None, "required"), ("   ", "required"), ("撤", "2 to 500"), ("理" * 501, "2 to 500")]
)
def test_a_reason_of_2_to_500_characters_is_required_and_nothing_is_written_without_it(
    site: Host, reason: Any, message: str
) -> None:
    case_id = _start(site, "defence_deadline", SERVED)
    events = _events(site, case_id)
    with pytest.raises(Invalid, match=message):
        _terminate(site, "admin", case_id, reason)
    assert _events(site, case_id) == events
    assert _inbox(site, "clerk") == [case_id]
    assert _terminate(site, "admin", case_id, "理" * 500)["status"] == "terminated"


def test_a_case_stopped_by_an_error_may_be_terminated(site: Host) -> None:
    case_id = _start(site, "defence_deadline", SERVED)
    with site.database.transaction() as session:  # as the timer worker leaves a case whose step failed
        session.execute(update(Instance).where(Instance.id == case_id).values(status="error", next_due_at=None))
    assert _terminate(site, "admin", case_id)["status"] == "terminated"


def test_a_unit_user_who_did_not_register_the_case_may_not_terminate_it(site: Host) -> None:
    case_id = _start(site, "defence_deadline", SERVED)
    with site.database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        assert not may_terminate(session, _user(session, "land_officer"), row)  # sees it (its unit), may not stop it
        assert may_terminate(session, _user(session, "admin"), row)
    with pytest.raises(Forbidden, match="only an administrator"):
        _terminate(site, "land_officer", case_id)
    with pytest.raises(Forbidden, match="may not see"):
        _terminate(site, "town_officer", case_id)
    assert _inbox(site, "clerk") == [case_id]
    assert "instance_terminated" not in [kind for kind, _ in _events(site, case_id)]


def test_the_registrant_may_terminate_only_before_a_step_is_completed(site: Host) -> None:
    mistaken = _start(site, "six_steps", {})
    assert _terminate(site, "clerk", mistaken, "误登记的测试案件")["status"] == "terminated"
    assert _events(site, mistaken)[-1] == ("instance_terminated", "clerk")

    worked = _start(site, "six_steps", {})
    _complete(site, "clerk", worked, "intake", INTAKE)
    with site.database.transaction() as session:
        row = session.get(Instance, worked)
        assert row is not None
        assert not may_terminate(session, _user(session, "clerk"), row)
    with pytest.raises(Forbidden, match="until a step of it is completed"):
        _terminate(site, "clerk", worked)
    assert _terminate(site, "admin", worked)["status"] == "terminated"


def test_a_terminated_case_is_no_case_of_the_years_report(site: Host) -> None:
    registered = datetime(2026, 3, 2, 9, tzinfo=CST)
    for number in ("(2026)蒙0205行初1号", "(2026)蒙0205行初2号"):
        seed(site, registered, ["land_bureau"], [], [("defence_deadline", "missed")], case_no=number)
    with site.database.transaction() as session:
        first = session.scalar(select(func.min(Instance.id)))
    _terminate(site, "admin", first, "同一案件重复登记")
    with site.database.transaction() as session:
        report = annual_report(session, _user(session, "auditor"), 2026)
    assert (report.total.cases, report.total.deadlines_missed) == (1, 1)
    assert report.units["land_bureau"].cases == 1
    assert report.months[2] == 1


def _waiting_for_a_lock(host: Host) -> bool:
    if host.database.engine.dialect.name != "postgresql":
        return True
    with host.database.engine.connect() as conn:
        query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        return bool(conn.exec_driver_sql(query).scalar())


def test_a_completion_that_waited_for_the_termination_is_refused_and_the_case_stays_terminated(site: Host) -> None:
    """On PostgreSQL a completion waiting for the case's lock reads the case anew but may read its task as it was
    (ready): the step must still be refused, not bring the case back to life."""
    case_id = _start(site, "defence_deadline", SERVED)
    with site.database.transaction() as session:
        [task] = task_reading.list_tasks(session, _user(session, "clerk"))
    outcome: list[BaseException | None] = []

    def clerk_completes() -> None:
        with site.database.transaction() as session:
            try:
                task_completion.complete_task(session, site.runtime, _user(session, "clerk"), task["id"], {})
                outcome.append(None)
            except (Conflict, Forbidden) as err:
                outcome.append(err)
                session.rollback()

    with site.database.transaction() as session:
        terminate_case(session, _user(session, "admin"), case_id, "登记错误")
        waiting = threading.Thread(target=clerk_completes)
        waiting.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock(site) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
    waiting.join(timeout=60)
    assert len(outcome) == 1
    assert isinstance(outcome[0], Conflict), outcome
    with site.database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        assert row.status == "terminated"
        assert session.scalar(select(func.count()).select_from(InboxTask).where(InboxTask.status == "ready")) == 0
    assert "task_completed" not in [kind for kind, _ in _events(site, case_id)]
