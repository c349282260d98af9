"""Deterministic replay: rebuild a case from its version and its audit events alone, at the recorded
instants and with its recorded task-id seed, and compare the state after every step with the state hash
recorded at that step; finally compare with the state stored now."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import EngineError, FixedClock, Instance, Runtime, use_clock
from ..models import AuditEvent, ProcessVersion
from .calendar import calendar_as_of
from .steps import load_case

__all__ = ["ReplayError", "replay_instance", "replay_steps"]


def _mismatch(seq: int, reason: str, checked: int) -> dict[str, Any]:
    return {"ok": False, "steps_checked": checked, "mismatch": {"seq": seq, "reason": reason}}


def _apply(engine: Instance | None, runtime: Runtime, spec_json: str, event: AuditEvent) -> Instance | None:
    """Redo what an event did to the workflow (most events record something beside it: a claim, a notice, a
    termination, which stops the case outside the workflow and leaves its state as it was)."""
    payload = json.loads(event.payload_json)
    if event.type == "instance_created":
        engine = runtime.start(spec_json, payload["process_id"], payload["data"], payload["id_seed"])
        engine.run()
    elif engine is None:
        raise EngineError(f"event {event.seq} ({event.type}) comes before the case was created")
    elif event.type == "task_completed":
        engine.complete(payload["task_id"], payload["data"])
    elif event.type == "timer_fired":
        engine.run()
    elif event.type == "version_migrated":
        engine = runtime.rebind(engine, spec_json)  # the version this event names (events carry their version)
    elif event.type == "deadlines_recomputed":
        engine.retime({k: v for k, v in payload.get("instants", {}).items() if k != v})
        engine.redate(payload.get("dates", {}))  # plain provisional dates (older events have none)
    return engine


class ReplayError(Exception):
    """An event could not be replayed: its version is missing or the engine refused it."""

    def __init__(self, seq: int, reason: str) -> None:
        super().__init__(reason)
        self.seq = seq
        self.reason = reason


def replay_steps(
    session: Session, runtime: Runtime, events: list[AuditEvent]
) -> Iterator[tuple[AuditEvent, Instance | None]]:
    """Rebuild a case event by event (at each event's instant, with the calendar as it was then), yielding the
    workflow after each; ReplayError names the event that could not be replayed."""
    versions: dict[str, str] = {}
    engine: Instance | None = None
    for event in events:
        if event.version_hash not in versions:
            spec = session.scalar(
                select(ProcessVersion.spec_json).where(ProcessVersion.content_hash == event.version_hash)
            )
            if spec is None:
                raise ReplayError(event.seq, f"process version {event.version_hash[:12]} is not stored")
            versions[event.version_hash] = spec
        try:
            with use_clock(FixedClock(event.at)), calendar_as_of(event.at):
                engine = _apply(engine, runtime, versions[event.version_hash], event)
        except EngineError as err:
            raise ReplayError(event.seq, f"replaying {event.type} failed: {err.message}") from None
        yield event, engine


def replay_instance(session: Session, runtime: Runtime, instance_id: int) -> dict[str, Any]:
    """Replay every step of a case; report the first event whose state differs from the replay."""
    events = list(
        session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq))
    )
    engine: Instance | None = None
    checked = 0
    try:
        for event, engine in replay_steps(session, runtime, events):
            if engine is not None and event.state_hash is not None and engine.state_digest() != event.state_hash:
                return _mismatch(event.seq, f"the state after {event.type} differs from the one recorded", checked)
            checked += 1
    except ReplayError as err:
        return _mismatch(err.seq, err.reason, checked)
    if engine is not None:
        stored = load_case(session, runtime, instance_id, lock=False).engine
        if stored.state_digest() != engine.state_digest():
            return _mismatch(events[-1].seq, "the stored state differs from the replay of every event", checked)
    return {"ok": True, "steps_checked": checked}
