"""The audit log: one hash chain per instance, whose head (seq, hash) is kept on the instance row.

Keeping the head on the row makes appending O(1) and orders every writer of a case through the row's
lock (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ..models import AuditEvent, Instance

__all__ = ["GENESIS", "EventSpec", "append_events", "chain", "event_dict", "verify_chain"]


GENESIS = "0" * 64

EventSpec = tuple[str, str | None, dict[str, Any]]  # (type, actor, payload)


def _canonical(event: dict[str, Any]) -> str:
    body = {
        "instance_id": event["instance_id"],
        "seq": event["seq"],
        "type": event["type"],
        "actor": event["actor"],
        "at": event["at"].isoformat(),
        "version_hash": event["version_hash"],
        "payload": json.loads(event["payload_json"]),
        "state_hash": event["state_hash"],
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _hash(prev_hash: str, event: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def chain(
    row: Instance, events: Sequence[EventSpec], at: datetime, version_hash: str, state_hash: str | None
) -> list[dict[str, Any]]:
    """Event rows that continue the instance's chain from its head (not yet stored)."""
    seq, head = row.audit_seq, row.audit_head
    chained = []
    for type_, actor, payload in events:
        seq += 1
        event = {
            "instance_id": row.id,
            "seq": seq,
            "type": type_,
            "actor": actor,
            "at": at,
            "version_hash": version_hash,
            "payload_json": json.dumps(payload, sort_keys=True, ensure_ascii=False),
            "state_hash": state_hash,
            "prev_hash": head,
        }
        event["hash"] = head = _hash(head, event)
        chained.append(event)
    return chained


def append_events(
    session: Session, row: Instance, events: Sequence[EventSpec], at: datetime, version_hash: str
) -> None:
    """Append events that do not change the workflow (claims, errors) and move the row's head."""
    previous = session.scalar(
        select(AuditEvent.state_hash).where(AuditEvent.instance_id == row.id, AuditEvent.seq == row.audit_seq)
    )
    chained = chain(row, events, at, version_hash, previous)
    session.execute(insert(AuditEvent), chained)
    session.execute(
        update(Instance)
        .where(Instance.id == row.id)
        .values(audit_seq=chained[-1]["seq"], audit_head=chained[-1]["hash"])
        .execution_options(synchronize_session=False)
    )


def event_dict(event: AuditEvent) -> dict[str, Any]:
    """An event as the API shows it."""
    return {
        "seq": event.seq,
        "type": event.type,
        "actor": event.actor,
        "at": event.at.isoformat(),
        "version_hash": event.version_hash,
        "payload": json.loads(event.payload_json),
        "state_hash": event.state_hash,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }


def _as_row(event: AuditEvent) -> dict[str, Any]:
    return {c: getattr(event, c) for c in ("instance_id", "seq", "type", "actor", "at", "version_hash")} | {
        "payload_json": event.payload_json,
        "state_hash": event.state_hash,
    }


def verify_chain(session: Session, instance_id: int) -> dict[str, Any]:
    """Recompute the chain; report the first event whose links or hash do not match."""
    prev_hash = GENESIS
    checked = 0
    events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq))
    for expected_seq, event in enumerate(events, start=1):
        problem = None
        if event.seq != expected_seq:
            problem = f"event {expected_seq} is missing"
        elif event.prev_hash != prev_hash:
            problem = "prev_hash does not match the previous event"
        elif _hash(prev_hash, _as_row(event)) != event.hash:
            problem = "hash does not match the event's content"
        if problem:
            return {"ok": False, "events_checked": checked, "mismatch": {"seq": event.seq, "reason": problem}}
        checked += 1
        prev_hash = event.hash
    instance = session.get(Instance, instance_id)
    if instance is not None and (instance.audit_seq, instance.audit_head) != (checked, prev_hash):
        reason = "the chain's last event is not the one the case records as its head (events removed?)"
        return {"ok": False, "events_checked": checked, "mismatch": {"seq": checked + 1, "reason": reason}}
    return {"ok": True, "events_checked": checked}
