"""The engine facade: compile diagrams, start and load instances, step them to their next wait state."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from .clock import aware
from .errors import EngineError, ScriptError
from .sandbox import Budget, Sandbox
from .scripting import make_script_engine
from .serializer import StateChanges, dump_changes, load_specs, restore, spec_registry, take_snapshot
from .specs import CompiledBundle, SourceFile, compile_bundle
from .timers import install_clock

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

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None, budget: Budget | None = None):
        install_clock()
        self.sandbox = Sandbox(helpers, budget)
        self._script_engine = make_script_engine(self.sandbox)

    def compile(self, files: list[SourceFile]) -> CompiledBundle:
        """Validate and serialize diagrams; raises DiagramErrors."""
        return compile_bundle(files, self.sandbox)

    def start(self, spec_json: str, process_id: str, data: Mapping[str, Any]) -> Instance:
        """Create an instance of `process_id` with initial data (not yet run)."""
        spec, sub_specs = load_specs(spec_json).for_process(process_id)
        workflow = BpmnWorkflow(spec, sub_specs, script_engine=self._script_engine)
        initial = copy.deepcopy(dict(data))
        workflow.task_tree.data = initial
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data = copy.deepcopy(initial)
        return Instance(workflow, None)

    def load(self, spec_json: str, meta: dict[str, Any], rows: dict[str, dict[str, Any]]) -> Instance:
        """Rebuild a stored instance."""
        workflow, snapshot = restore(load_specs(spec_json), meta, rows, self._script_engine)
        return Instance(workflow, snapshot)


def _engine_error(err: Exception) -> EngineError:
    cause: BaseException | None = err
    while cause is not None and not isinstance(cause, ScriptError):
        cause = getattr(cause, "exception", None) or cause.__cause__ or cause.__context__
    task_spec = getattr(err, "task_spec", None)
    element = getattr(task_spec, "bpmn_id", None) or getattr(task_spec, "name", None)
    if isinstance(cause, ScriptError):
        line = f" (line {cause.line})" if cause.line else ""
        return EngineError(f"{cause.message}{line}", element_id=element)
    return EngineError(str(err).split(". ")[0], element_id=element)


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
    """One running workflow and the snapshot it was loaded from."""

    def __init__(self, workflow: BpmnWorkflow, snapshot: Any) -> None:
        self._workflow = workflow
        self._snapshot = snapshot

    def run(self) -> None:
        """Fire due timers and run engine tasks until only people or timers are awaited."""
        try:
            self._workflow.refresh_timers()
            self._workflow.do_engine_steps()
        except (SpiffWorkflowException, ScriptError) as err:
            raise _engine_error(err) from None

    def complete(self, task_id: str, data: Mapping[str, Any]) -> None:
        """Merge submitted data into a ready user task, complete it and run on."""
        task = self._ready_user_task(task_id)
        task.data = {**task.data, **copy.deepcopy(dict(data))}
        try:
            task.run()
        except (SpiffWorkflowException, ScriptError) as err:
            raise _engine_error(err) from None
        self.run()

    def _ready_user_task(self, task_id: str) -> Any:
        try:
            task = self._workflow.get_task_from_id(UUID(task_id))
        except (ValueError, SpiffWorkflowException):
            task = None
        if task is None or not isinstance(task.task_spec, UserTask) or task.state != TaskState.READY:
            raise EngineError("task is not ready", element_id=None)
        return task

    def _iter_tasks(self, state: int) -> Iterator[Any]:
        yield from self._workflow.get_tasks(state=state)
        for sub in self._workflow.subprocesses.values():
            yield from sub.get_tasks(state=state)

    def ready_user_tasks(self) -> list[ReadyTask]:
        """Every ready user task, in tree order."""
        seen: set[UUID] = set()
        result = []
        for task in self._iter_tasks(TaskState.READY):
            if isinstance(task.task_spec, UserTask) and task.id not in seen:
                seen.add(task.id)
                result.append(ReadyTask(str(task.id), task.workflow.spec.name, task.task_spec.bpmn_id, task.data))
        return result

    @property
    def status(self) -> str:
        if self._workflow.completed:
            return "completed"
        if any(True for _ in self._iter_tasks(TaskState.ERROR)):
            return "error"
        return "running"

    @property
    def data(self) -> dict[str, Any]:
        """The case's current data: the finished workflow's, or the open tasks' merged in order."""
        if self._workflow.completed:
            return dict(self._workflow.data)
        merged: dict[str, Any] = {}
        for state in (TaskState.WAITING, TaskState.STARTED, TaskState.READY):
            for task in self._iter_tasks(state):
                merged.update(task.data)
        return merged

    def next_due(self) -> datetime | None:
        """The earliest instant a timer of this instance is due, if any."""
        due = [at for event in self._workflow.waiting_events() if (at := _timer_instant(event.value)) is not None]
        return min(due) if due else None

    def changes(self) -> StateChanges:
        """What this instance changed since it was loaded (everything, if new)."""
        return dump_changes(self._workflow, self._snapshot)

    def mark_saved(self) -> None:
        """The current state is now what is stored."""
        self._snapshot = take_snapshot(self._workflow)

    def state_digest(self) -> str:
        """A hash of what a person can observe: status, case data and open tasks (ids excluded)."""
        open_tasks = sorted(
            f"{t.workflow.spec.name}:{t.task_spec.name}:{TaskState.get_name(t.state)}"
            for state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.ERROR)
            for t in self._iter_tasks(state)
        )
        body = {"status": self.status, "data": self.data, "open": open_tasks}
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def full_dump(self) -> dict[str, Any]:
        """SpiffWorkflow's own complete serialization, for comparisons in tests and replay."""
        registry = spec_registry()
        dct: dict[str, Any] = registry.convert(self._workflow)
        dct.pop("spec", None)
        dct.pop("subprocess_specs", None)
        return dct
