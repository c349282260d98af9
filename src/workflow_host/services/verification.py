"""Verify a case: its hash chain links and hashes, then a deterministic replay of every step."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..engine import Runtime
from ..models import Instance
from .audit import verify_chain
from .errors import NotFound
from .replay import replay_instance

__all__ = ["verify_instance"]


def verify_instance(session: Session, runtime: Runtime, instance_id: int) -> dict[str, Any]:
    """`{ok, events_checked, steps_replayed, mismatch?}`: the first event where chain or replay disagrees.

    NotFound for a case that does not exist: it has no events, and "nothing disagreed" is not a pass."""
    if session.get(Instance, instance_id) is None:
        raise NotFound(f"there is no case {instance_id}")
    chain = verify_chain(session, instance_id)
    if not chain["ok"]:
        return {**chain, "steps_replayed": 0}
    replay = replay_instance(session, runtime, instance_id)
    result = {"ok": replay["ok"], "events_checked": chain["events_checked"], "steps_replayed": replay["steps_checked"]}
    if not replay["ok"]:
        result["mismatch"] = replay["mismatch"]
    return result
