"""The engine facade: compile diagrams, start and load instances, step them to their next wait state."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from .cache import LiveCache
from .clock import aware
from .errors import EngineError, ScriptError
from .hooks import IdSource, install_hooks, use_ids
from .sandbox import Budget, Sandbox
from .scripting import make_script_engine
from .spec_sets import load_specs, spec_registry
from .specs import CompiledBundle, SourceFile, compile_bundle
from .state_changes import StateChanges, Tracker, dump_changes, open_tasks, track_saved
from .state_restore import restore

__all__ = ["Instance", "ReadyTask", "Runtime"]

logging.getLogger("spiff").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for a person, as plain data."""

    id: str
    process_id: str
    element_id: str
    data: dict[str, Any]


class Runtime:
    """Everything the host does with SpiffWorkflow goes through here."""

    def __init__(
        self,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        budget: Budget | None = None,
        live_instances: int = 256,
    ):
        install_hooks()
        self.sandbox = Sandbox(helpers, budget)
        self._script_engine = make_script_engine(self.sandbox)
        self.live: LiveCache[Instance] = LiveCache(live_instances)

    def compile(self, files: list[SourceFile]) -> CompiledBundle:
        """Validate and serialize diagrams; raises DiagramErrors."""
        return compile_bundle(files, self.sandbox)

    def start(self, spec_json: str, process_id: str, data: Mapping[str, Any], id_seed: str | None = None) -> Instance:
        """Create an instance of `process_id` with initial data (not yet run); `id_seed` replays one."""
        ids = IdSource(UUID(id_seed) if id_seed else uuid4())
        spec, sub_specs = load_specs(spec_json).for_process(process_id)
        with use_ids(ids):
            workflow = BpmnWorkflow(spec, sub_specs, script_engine=self._script_engine)
        initial = copy.deepcopy(dict(data))
        workflow.task_tree.data = initial
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data = copy.deepcopy(initial)
        return Instance(workflow, None, ids)

    def load(self, spec_json: str, meta: dict[str, Any], rows: dict[str, dict[str, Any]]) -> Instance:
        """Rebuild a stored instance."""
        try:
            workflow, tracker = restore(load_specs(spec_json), meta, rows, self._script_engine)
        except (KeyError, SpiffWorkflowException) as err:
            raise EngineError(f"the stored state does not fit this version: {err}", element_id=None) from None
        ids = IdSource.from_data(meta["ids"]) if "ids" in meta else IdSource(uuid4())
        return Instance(workflow, tracker, ids)

    def rebind(self, instance: Instance, spec_json: str) -> Instance:
        """The same instance (its tasks, data, ids) under another version's specs, for a migration; EngineError
        when its state refers to elements the other version does not have."""
        full = dump_changes(instance._workflow, None)
        meta = {**full.meta, "ids": instance._ids.as_data()}
        return self.load(spec_json, meta, full.upserts)


_TIMER_MODULE = os.path.join("event_definitions", "timer.py")  # SpiffWorkflow's, where timer values are parsed


@contextmanager
def _stepping(ids: IdSource) -> Iterator[None]:
    """Run the engine with the instance's task ids; what goes wrong comes out as an EngineError."""
    try:
        with use_ids(ids), ids.limited():
            yield
    except (SpiffWorkflowException, ScriptError) as err:
        raise _engine_error(err) from None
    except (ValueError, OverflowError) as err:
        # SpiffWorkflow parses the value of a timer's expression without a check of its own: a date such as
        # 2027-02-30 comes out of task.run(), refresh_timers() or do_engine_steps() as a ValueError
        if not any(frame.filename.endswith(_TIMER_MODULE) for frame in traceback.extract_tb(err.__traceback__)):
            raise
        raise EngineError(f"a date or duration the case waits for is not valid: {err}", element_id=None) from None


def _engine_error(err: Exception) -> EngineError:
    cause: BaseException | None = err
    while cause is not None and not isinstance(cause, ScriptError):
        cause = getattr(cause, "exception", None) or cause.__cause__ or cause.__context__
    task_spec = getattr(err, "task_spec", None)
    element = getattr(task_spec, "bpmn_id", None) or getattr(task_spec, "name", None)
    # SpiffWorkflow adds where it happened as notes, e.g. "Rule failed on row 6" of a decision table
    notes = [n for n in getattr(err, "notes", []) if isinstance(n, str) and not n.startswith("Error evaluating")]
    where = f" ({'; '.join(notes)})" if notes else ""
    if isinstance(cause, ScriptError):
        line = f" (line {cause.line})" if cause.line else ""
        return EngineError(f"{cause.message}{line}{where}", element_id=element, said=cause.said)
    return EngineError(f"{str(err).split('. ')[0]}{where}", element_id=element)


def _timer_instant(value: Any) -> datetime | None:
    """When a waiting timer event fires: its resolved date or the next cycle; None for other events."""
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str) or value.upper().startswith("P"):
        return None
    try:
        return aware(datetime.fromisoformat(value))
    except ValueError:
        return None


class Instance:
    """One running workflow and the tracker of what is stored of it."""

    def __init__(self, workflow: BpmnWorkflow, tracker: Tracker | None, ids: IdSource) -> None:
        self._workflow = workflow
        self._tracker = tracker
        self._ids = ids
        self._pending: StateChanges | None = None

    @property
    def id_seed(self) -> str:
        """What task ids are derived from: replaying with it gives the same ids."""
        return str(self._ids.seed)

    def run(self) -> None:
        """Fire due timers and run engine tasks until only people or timers are awaited."""
        with _stepping(self._ids):
            self._workflow.refresh_timers()
            self._workflow.do_engine_steps()

    def complete(self, task_id: str, data: Mapping[str, Any]) -> None:
        """Merge submitted data into a ready user task, complete it and run on."""
        task = self._ready_user_task(task_id)
        task.data = {**task.data, **copy.deepcopy(dict(data))}
        with _stepping(self._ids):
            task.run()
        self.run()

    def _ready_user_task(self, task_id: str) -> Any:
        try:
            task = self._workflow.get_task_from_id(UUID(task_id))
        except (ValueError, SpiffWorkflowException):
            task = None
        if task is None or not isinstance(task.task_spec, UserTask) or task.state != TaskState.READY:
            raise EngineError("task is not ready", element_id=None)
        return task

    def _open(self) -> list[Any]:
        return open_tasks(self._workflow, self._tracker)

    def ready_user_tasks(self) -> list[ReadyTask]:
        """Every ready user task."""
        return [
            ReadyTask(str(t.id), t.workflow.spec.name, t.task_spec.bpmn_id, t.data)
            for t in self._open()
            if t.state == TaskState.READY and isinstance(t.task_spec, UserTask)
        ]

    @property
    def status(self) -> str:
        return self._status(self._open())

    def element_states(self) -> dict[str, dict[str, str]]:
        """For drawing the case: by process id, each BPMN element's state, `completed` or `active` (active
        wins when an element ran before and is open again, as in a loop)."""
        states: dict[str, dict[str, str]] = {}
        for wf in (self._workflow, *self._workflow.subprocesses.values()):
            for task in wf.tasks.values():
                element = getattr(task.task_spec, "bpmn_id", None)
                if not element:
                    continue
                seen = states.setdefault(wf.spec.name, {})
                if task.state & (TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR):
                    seen[element] = "error" if task.state == TaskState.ERROR else "active"
                elif task.state == TaskState.COMPLETED and seen.get(element) is None:
                    seen[element] = "completed"
        return states

    def _status(self, opened: list[Any]) -> str:
        if self._workflow.completed:
            return "completed"
        return "error" if any(t.state == TaskState.ERROR for t in opened) else "running"

    @property
    def data(self) -> dict[str, Any]:
        """The case's current data: the finished workflow's, or the open tasks' merged."""
        return self._data(self._open())

    def _data(self, opened: list[Any]) -> dict[str, Any]:
        if self._workflow.completed:
            return dict(self._workflow.data)
        merged: dict[str, Any] = {}
        for task in opened:
            if task.state & (TaskState.WAITING | TaskState.STARTED | TaskState.READY):
                merged.update(task.data)
        return merged

    def next_due(self) -> datetime | None:
        """The earliest instant a timer of this instance is due, if any."""
        due = [at for event in self._workflow.waiting_events() if (at := _timer_instant(event.value)) is not None]
        return min(due) if due else None

    def retime(self, instants: Mapping[str, str]) -> int:
        """Move waiting timers due at an instant in `instants` (old ISO string -> new one), e.g. a deadline
        recomputed after a calendar year was loaded; returns how many moved."""
        moved = 0
        for task in self._open():
            due = task.internal_data.get("event_value")
            if task.state == TaskState.WAITING and isinstance(due, str) and due in instants:
                task.internal_data = {**task.internal_data, "event_value": instants[due]}
                moved += 1
        return moved

    def redate(self, dates: Mapping[str, Mapping[str, Any]]) -> int:
        """Replace plain dates that were computed provisionally (`<name>` with `<name>_provisional` true beside
        it), e.g. once the calendar year they fall in is loaded. `dates` maps a name to {"from": the value
        computed, "to": the new one, "provisional": whether it still is}; only open tasks holding the value
        computed change. Returns how many tasks changed."""
        changed = 0
        for task in self._open():
            update: dict[str, Any] = {}
            for name, date in dates.items():
                if task.data.get(name) == date["from"] and task.data.get(f"{name}_provisional") is True:
                    update.update({name: date["to"], f"{name}_provisional": bool(date["provisional"])})
            if update:
                task.data = {**task.data, **update}  # a new dict: tasks share nested values, never mutate
                changed += 1
        return changed

    def changes(self) -> StateChanges:
        """What this instance changed since it was loaded or last saved (everything, if new)."""
        self._pending = dump_changes(self._workflow, self._tracker)
        self._pending.meta["ids"] = self._ids.as_data()
        return self._pending

    def mark_saved(self) -> None:
        """The changes last returned by changes() are now stored."""
        if self._pending is None:
            raise RuntimeError("mark_saved() without changes()")
        self._tracker = track_saved(self._workflow, self._tracker, self._pending)
        self._pending = None

    def state_digest(self) -> str:
        """A hash of what a person can observe: status, case data and open tasks (ids excluded)."""
        opened = self._open()
        open_tasks = sorted(
            f"{t.workflow.spec.name}:{t.task_spec.name}:{TaskState.get_name(t.state)}"
            for t in opened
            if t.state & (TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR)
        )
        body = {"status": self._status(opened), "data": self._data(opened), "open": open_tasks}
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def full_dump(self) -> dict[str, Any]:
        """SpiffWorkflow's own complete serialization, for comparisons in tests and replay."""
        registry = spec_registry()
        dct: dict[str, Any] = registry.convert(self._workflow)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        return dct
