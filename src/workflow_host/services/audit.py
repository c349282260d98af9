"""Append audit events to an instance's hash chain, and verify the chain."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEvent

__all__ = ["GENESIS", "append_event", "event_dict", "last_event", "verify_chain"]

GENESIS = "0" * 64


def _canonical(event: AuditEvent) -> str:
    body = {
        "instance_id": event.instance_id,
        "seq": event.seq,
        "type": event.type,
        "actor": event.actor,
        "at": event.at.isoformat(),
        "version_hash": event.version_hash,
        "payload": json.loads(event.payload_json),
        "state_hash": event.state_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + _canonical(event)).encode()).hexdigest()


def last_event(session: Session, instance_id: int) -> AuditEvent | None:
    """The newest event of an instance."""
    return session.scalar(
        select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq.desc()).limit(1)
    )


def append_event(
    session: Session,
    instance_id: int,
    type_: str,
    actor: str | None,
    at: datetime,
    version_hash: str,
    payload: dict[str, Any],
    state_hash: str | None = None,
    previous: AuditEvent | None = None,
) -> AuditEvent:
    """Add one event to the end of the instance's chain (the caller holds the instance's lock)."""
    prev = previous if previous is not None else last_event(session, instance_id)
    event = AuditEvent(
        instance_id=instance_id,
        seq=(prev.seq + 1) if prev else 1,
        type=type_,
        actor=actor,
        at=at,
        version_hash=version_hash,
        payload_json=json.dumps(payload, sort_keys=True, ensure_ascii=False),
        state_hash=state_hash,
        prev_hash=prev.hash if prev else GENESIS,
    )
    event.hash = _hash(event.prev_hash, event)
    session.add(event)
    return event


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
        elif _hash(prev_hash, event) != event.hash:
            problem = "hash does not match the event's content"
        if problem:
            return {"ok": False, "events_checked": checked, "mismatch": {"seq": event.seq, "reason": problem}}
        checked += 1
        prev_hash = event.hash
    return {"ok": True, "events_checked": checked}
