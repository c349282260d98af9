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
from .errors import ScriptError
from .limits import MAX_TASKS_PER_STEP

__all__ = ["IdSource", "StepRunaway", "install_hooks", "use_ids"]


class StepRunaway(ScriptError):
    """A step that would go on making tasks without end (a ScriptError, so it is reported like a stopped script)."""


@dataclass
class IdSource:
    """Task ids of one instance: uuid5(seed, n) for n = 0, 1, 2 …"""

    seed: uuid.UUID
    counter: int = 0
    stop_at: int | None = None  # set while a step runs: a step that creates more tasks never ends

    def next(self) -> uuid.UUID:
        if self.stop_at is not None and self.counter >= self.stop_at:
            raise StepRunaway(
                f"the step made more than {MAX_TASKS_PER_STEP:,} tasks without waiting for anyone: does a loop or a"
                " call go round without end?"
            )
        value = uuid.uuid5(self.seed, str(self.counter))
        self.counter += 1
        return value

    @contextlib.contextmanager
    def limited(self) -> Iterator[None]:
        """At most MAX_TASKS_PER_STEP new tasks within the block."""
        self.stop_at = self.counter + MAX_TASKS_PER_STEP
        try:
            yield
        finally:
            self.stop_at = None

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
