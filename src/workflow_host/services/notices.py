"""Reminders before a deadline and escalation after it, up the levels the measures name.

Level by level, at the instants in the deadline's schedule: remind the people who hold the task (09:00 of
the working day before); when the due day ends with the task still open, record the deadline as missed and
tell the handling unit's head; a working day later the justice bureau; a working day after that the vice
district head in charge of the unit. Each notice is one transaction with its audit event; several workers
share the work through `FOR UPDATE SKIP LOCKED` on PostgreSQL. Delivery beyond the inbox (SMS, e-mail)
plugs in as a `NotificationSink`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import exists, insert, select, update
from sqlalchemy.orm import Session

from ..db import Database, is_postgres
from ..models import CaseDeadline, InboxCandidate, InboxTask, Instance, Notification, ProcessVersion, Unit
from .audit import append_events
from .case_keys import key_list
from .catalog import catalog_of

__all__ = ["NotificationSink", "deliver_pending", "fire_due_notices"]

LEVELS = ("reminder", "missed", "escalation", "escalation")


class NotificationSink(Protocol):
    """Somewhere a notification goes besides the inbox (SMS gateway, e-mail)."""

    def deliver(self, notification: dict[str, Any]) -> None: ...


def _claim(session: Session, at: datetime, passed: set[int]) -> tuple[CaseDeadline, Instance] | None:
    """A due deadline with its case, both locked: the case row first, as a step takes it before it closes or
    moves the case's deadlines (the other order deadlocks with a step). On PostgreSQL a case or deadline that
    another transaction holds is passed over (it is due again at the next round); SQLite runs one writer."""
    skip = is_postgres(session.get_bind().engine)
    due = (CaseDeadline.closed_at.is_(None), CaseDeadline.next_notice_at <= at)
    while True:
        found = session.execute(
            select(CaseDeadline.id, CaseDeadline.instance_id)
            .where(*due, CaseDeadline.id.not_in(passed))
            .order_by(CaseDeadline.next_notice_at, CaseDeadline.id)
            .limit(1)
        ).first()
        if found is None:
            return None
        instance = session.scalar(
            select(Instance).where(Instance.id == found.instance_id).with_for_update(skip_locked=skip)
        )
        deadline = None
        if instance is not None:  # still due once the case is ours? (a step may have just closed it)
            query = select(CaseDeadline).where(CaseDeadline.id == found.id, *due)
            deadline = session.scalar(query.with_for_update(skip_locked=skip).execution_options(populate_existing=True))
        if instance is not None and deadline is not None:
            return deadline, instance  # not marked passed: once sent, its next level may be due as well
        passed.add(found.id)


def _bound_tasks(session: Session, deadline: CaseDeadline, version: ProcessVersion) -> list[InboxTask]:
    """The ready tasks that close this deadline."""
    catalog = catalog_of(version)
    tasks = session.scalars(
        select(InboxTask).where(InboxTask.instance_id == deadline.instance_id, InboxTask.status == "ready")
    )
    return [
        t
        for t in tasks
        if (info := catalog.user_task(t.process_id, t.element_id)) and info.deadline_variable == deadline.variable
    ]


def _units(tasks: list[InboxTask], instance: Instance) -> list[str]:
    """The units a deadline concerns: those of its tasks, else the case's handling units."""
    units = {unit for t in tasks for unit in key_list(t.units)}  # every unit of a joint act's task
    if not units:
        data = json.loads(instance.data_json)
        for key in ("handling_units", "units_concerned"):
            if isinstance(data.get(key), list):
                units.update(u for u in data[key] if isinstance(u, str))
    return sorted(units)


def _recipients(session: Session, level: int, tasks: list[InboxTask], instance: Instance) -> list[str]:
    units = _units(tasks, instance)
    heads = {u.head: u.supervisor for u in session.scalars(select(Unit).where(Unit.id.in_(units)))}
    if level == 0:
        keys = session.scalars(select(InboxCandidate.key).where(InboxCandidate.task_id.in_([t.id for t in tasks])))
        found = sorted(set(keys))
        return found or ["r:gov_office"]
    if level == 1:
        return sorted(f"u:{head}" for head in heads if head) or ["r:office_director"]
    if level == 2:
        return ["r:justice_bureau_head", "r:justice_bureau"]
    supervisors = sorted({f"u:{s}" for s in heads.values() if s})
    return supervisors or ["r:vice_head_in_charge"]


def _message(level: int, deadline: CaseDeadline, case_no: str | None) -> str:
    what = f"{case_no or '案件'}「{deadline.title}」（{deadline.rule}，{deadline.due_on.isoformat()}届满）"
    provisional = "（期限为暂定，节假日安排尚未公布）" if deadline.provisional else ""
    return [
        f"提醒：{what}明日到期，请按时办理。{provisional}",
        f"逾期：{what}已届满仍未办结，请承办单位负责人督办。",
        f"督办：{what}逾期未办结，请司法局协调督办。",
        f"督办：{what}逾期未办结，请分管副区长督办。",
    ][level]


def _notify(session: Session, deadline: CaseDeadline, instance: Instance, at: datetime) -> None:
    version = session.get(ProcessVersion, instance.version_id)
    assert version is not None
    level = deadline.notice_level
    if level == 0 and at > deadline.due_at:
        level = 1  # the reminder came too late to help; the deadline is already missed
    recipients = _recipients(session, level, _bound_tasks(session, deadline, version), instance)
    message = _message(level, deadline, instance.case_no)
    session.execute(
        insert(Notification),
        [
            {
                "instance_id": instance.id,
                "deadline_id": deadline.id,
                "kind": LEVELS[level],
                "level": level,
                "recipient": key,
                "message": message,
                "created_at": at,
            }
            for key in recipients
        ],
    )
    if level == 1:
        deadline.status = "missed"
    deadline.notice_level = level + 1
    schedule = json.loads(deadline.schedule_json)
    deadline.next_notice_at = datetime.fromisoformat(schedule[level + 1]) if level + 1 < len(schedule) else None
    kind = {0: "deadline_reminded", 1: "deadline_missed"}.get(level, "deadline_escalated")
    payload = {"key": deadline.key, "level": level, "recipients": recipients, "message": message}
    append_events(session, instance, [(kind, None, payload)], at, version.content_hash)


def fire_due_notices(database: Database, at: datetime, limit: int = 10_000) -> list[int]:
    """Send every reminder and escalation due at `at`, one per transaction; returns, per notice sent, its
    deadline's id.

    A deadline whose several levels are due (a worker that was down) goes through each of them in turn."""
    done: list[int] = []
    passed: set[int] = set()  # held by another transaction in this round: due again at the next
    while len(done) < limit:
        with database.transaction() as session:
            claimed = _claim(session, at, passed)
            if claimed is None:
                break
            deadline, instance = claimed
            _notify(session, deadline, instance, at)
            done.append(deadline.id)
    return done


def deliver_pending(database: Database, sinks: Sequence[NotificationSink], at: datetime) -> int:
    """Hand notifications not yet delivered to every sink (none of a terminated case); the inbox shows them.

    Several workers may run this at once: on PostgreSQL each takes the rows no other holds (SKIP LOCKED), so a
    notification goes out once (at least once: a crash between handing it over and the commit sends it again)."""
    if not sinks:
        return 0
    # a terminated case reminds nobody: what it queued before it was terminated is not handed over any more
    stopped = exists().where(Instance.id == Notification.instance_id, Instance.status == "terminated")
    query = (
        select(Notification).where(Notification.delivered_at.is_(None), ~stopped).order_by(Notification.id).limit(500)
    )
    with database.transaction() as session:
        if is_postgres(session.get_bind().engine):
            query = query.with_for_update(skip_locked=True)
        rows = list(session.scalars(query))
        for row in rows:
            note = {"id": row.id, "recipient": row.recipient, "kind": row.kind, "message": row.message}
            for sink in sinks:
                sink.deliver(note)
        if rows:
            ids = [r.id for r in rows]
            session.execute(update(Notification).where(Notification.id.in_(ids)).values(delivered_at=at))
    return len(rows)
