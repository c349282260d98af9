"""Make SpiffWorkflow deterministic: time from the engine clock, task ids from the instance's id source.

SpiffWorkflow reads the wall clock for timers and state-change stamps and gives every task a random
UUID. With these hooks an instance replayed from its audit events, at the recorded instants and with
its recorded id seed, takes exactly the same states with exactly the same task ids.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow import task as spiff_task
from SpiffWorkflow.bpmn.specs.event_definitions import timer

from .clock import LOCAL_TZ, ClockedDatetime, now

__all__ = ["IdSource", "install_hooks", "use_ids"]


@dataclass
class IdSource:
    """Task ids of one instance: uuid5(seed, n) for n = 0, 1, 2 …"""

    seed: uuid.UUID
    counter: int = 0

    def next(self) -> uuid.UUID:
        value = uuid.uuid5(self.seed, str(self.counter))
        self.counter += 1
        return value

    def as_data(self) -> dict[str, Any]:
        return {"seed": str(self.seed), "counter": self.counter}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> IdSource:
        return cls(uuid.UUID(data["seed"]), int(data["counter"]))


_ids: ContextVar[IdSource | None] = ContextVar("workflow_host_ids", default=None)


@contextlib.contextmanager
def use_ids(source: IdSource) -> Iterator[IdSource]:
    """Tasks created in this block take their ids from `source`."""
    token = _ids.set(source)
    try:
        yield source
    finally:
        _ids.reset(token)


def _task_id() -> uuid.UUID:
    source = _ids.get()
    return source.next() if source is not None else uuid.uuid4()


class _ClockTime:
    """Stands in for the `time` module inside SpiffWorkflow's task module."""

    @staticmethod
    def time() -> float:
        return now().timestamp()


def install_hooks() -> None:
    """Point SpiffWorkflow at the engine clock, China's local time and deterministic task ids (idempotent)."""
    timer.datetime = ClockedDatetime
    timer.LOCALTZ = LOCAL_TZ
    spiff_task.uuid4 = _task_id
    spiff_task.time = _ClockTime
