"""A case's full history for auditors: every event with the chain's head hash, as JSON or CSV; and the
record that an auditor looked (auditors' views are themselves audited)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import READ_ONLY
from ..engine import now
from ..models import AuditEvent, Instance, ProcessVersion, User
from .audit import append_events, event_dict
from .errors import Invalid, NotFound
from .permissions import READ_ALL, require_view_instance

__all__ = ["RECORDED_VIEWS", "ViewToRecord", "case_events", "export_history", "record_auditor_view", "record_view"]

CSV_COLUMNS = ["seq", "type", "actor", "at", "version_hash", "state_hash", "prev_hash", "hash", "payload"]
RECORDED_VIEWS = "workflow_host_recorded_views"  # session.info: (instance id, what) already recorded for this read


class ViewToRecord(Exception):
    """An auditor's reading met in a read transaction, which cannot write its event: the caller records it in a
    short transaction of its own (`record_view`) and runs the read again, with the pair in RECORDED_VIEWS."""

    def __init__(self, instance_id: int, what: str) -> None:
        super().__init__(f"record the reading of case {instance_id} ({what}) first")
        self.instance_id, self.what = instance_id, what


def record_auditor_view(session: Session, user: User, row: Instance, what: str) -> None:
    """An auditor (or admin) reading a case they have no part in leaves a `case_viewed` event.

    In a read transaction (Database.read_transaction) it raises ViewToRecord, unless the caller has recorded this
    reading already: the event is written before the read, which then shows it."""
    if not user.role_names & READ_ALL or row.created_by == user.username:
        return
    if session.info.get(READ_ONLY):
        if (row.id, what) in session.info.get(RECORDED_VIEWS, ()):
            return
        raise ViewToRecord(row.id, what)
    locked = session.scalar(select(Instance).where(Instance.id == row.id).with_for_update())
    version = session.get(ProcessVersion, row.version_id)
    assert locked is not None
    assert version is not None
    append_events(session, locked, [("case_viewed", user.username, {"what": what})], now(), version.content_hash)


def record_view(session: Session, user: User, instance_id: int, what: str) -> None:
    """Record the reading a read transaction asked for (ViewToRecord), in a transaction that may write."""
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    record_auditor_view(session, user, row, what)


def _visible(session: Session, user: User, instance_id: int) -> Instance:
    row = session.get(Instance, instance_id)
    if row is None:
        raise NotFound(f"instance {instance_id} does not exist")
    require_view_instance(session, user, row)
    return row


def case_events(session: Session, user: User, instance_id: int, what: str) -> tuple[Instance, list[dict[str, Any]]]:
    """The case and its events in order (as the API gives them), for a user who may see it; an auditor's reading
    (`what`: "export csv") is recorded first, so the events include it."""
    row = _visible(session, user, instance_id)
    record_auditor_view(session, user, row, what)
    session.refresh(row)
    events = [
        event_dict(e)
        for e in session.scalars(select(AuditEvent).where(AuditEvent.instance_id == row.id).order_by(AuditEvent.seq))
    ]
    return row, events


def export_history(session: Session, user: User, instance_id: int, fmt: str) -> tuple[str, str]:
    """(content type, body) of the case's events, with the chain head an outside party can check."""
    _visible(session, user, instance_id)
    if fmt not in ("json", "csv"):
        raise Invalid("format must be json or csv")
    row, events = case_events(session, user, instance_id, f"export {fmt}")
    if fmt == "json":
        body = {"instance_id": row.id, "process_id": row.process_id, "head_hash": row.audit_head, "events": events}
        return "application/json", json.dumps(body, ensure_ascii=False, indent=1)
    out = io.StringIO()
    out.write(f"# instance {row.id} ({row.process_id}); chain head {row.audit_head}\n")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for event in events:
        writer.writerow(
            {**{k: event[k] for k in CSV_COLUMNS[:-1]}, "payload": json.dumps(event["payload"], ensure_ascii=False)}
        )
    return "text/csv; charset=utf-8", out.getvalue()
