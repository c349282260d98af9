"""Instance state kept apart from specs, stored as one row per task so a step writes only what changed.

SpiffWorkflow's own serializer writes the whole workflow (every task ever run) at every save, so the cost
of a step grows with the age of the case. Here the state of an instance is split into

* `meta`: the top workflow's own attributes (data, root, events …), small;
* rows: `t:<task id>` for each task and `s:<subprocess id>` for each subprocess's own attributes.

A `Snapshot` remembers what was loaded; `dump_changes` returns only new or changed rows and the keys of
rows that disappeared. Finished tasks never change again, so a long case costs the same to save as a
short one. Restoring reassembles the workflow with SpiffWorkflow's converters and cached specs.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

__all__ = ["SpecSet", "StateChanges", "dump_changes", "full_state", "load_specs", "restore", "spec_registry"]

FINISHED = TaskState.COMPLETED | TaskState.CANCELLED


@lru_cache(maxsize=1)
def spec_registry() -> Any:
    """The converter registry for SpiffWorkflow's spiff dialect."""
    return BpmnWorkflowSerializer.configure(SPIFF_CONFIG)


@dataclass
class SpecSet:
    """The restored specs of one process version."""

    specs: dict[str, Any]

    def for_process(self, process_id: str) -> tuple[Any, dict[str, Any]]:
        """The top spec of `process_id` and the specs of every process it calls, transitively."""
        if process_id not in self.specs:
            raise KeyError(process_id)
        subprocesses: dict[str, Any] = {}
        pending = [process_id]
        while pending:
            spec = self.specs[pending.pop()]
            for task_spec in spec.task_specs.values():
                called = getattr(task_spec, "spec", None)
                if isinstance(task_spec, SubWorkflowTask) and called and called not in subprocesses:
                    subprocesses[called] = self.specs[called]
                    pending.append(called)
        return self.specs[process_id], subprocesses


@lru_cache(maxsize=64)
def load_specs(spec_json: str) -> SpecSet:
    """Restore a version's specs once; specs are immutable and shared by every instance of the version."""
    registry = spec_registry()
    return SpecSet({pid: registry.restore(dct) for pid, dct in json.loads(spec_json).items()})


@dataclass
class StateChanges:
    """What a step changed: the new meta, rows to insert or replace, rows to delete."""

    meta: dict[str, Any]
    upserts: dict[str, dict[str, Any]]
    deletes: list[str]
    existing: frozenset[str] = frozenset()

    @property
    def inserts(self) -> dict[str, dict[str, Any]]:
        """Upserted rows that are not stored yet."""
        return {k: v for k, v in self.upserts.items() if k not in self.existing}

    @property
    def updates(self) -> dict[str, dict[str, Any]]:
        """Upserted rows that replace stored ones."""
        return {k: v for k, v in self.upserts.items() if k in self.existing}


@dataclass
class Snapshot:
    """Fingerprints of the rows as loaded, to tell what a step changed."""

    tasks: dict[str, tuple[int, float] | None] = field(default_factory=dict)
    completed_subprocesses: set[str] = field(default_factory=set)
    subprocesses: set[str] = field(default_factory=set)


def _fingerprint(task: Any) -> tuple[int, float] | None:
    # Only finished tasks are stable; anything still open is rewritten at every save.
    return (task.state, task.last_state_change) if task.state & FINISHED else None


def _all_workflows(workflow: BpmnWorkflow) -> list[tuple[str | None, Any]]:
    return [(None, workflow)] + [(str(sp_id), sp) for sp_id, sp in workflow.subprocesses.items()]


def take_snapshot(workflow: BpmnWorkflow) -> Snapshot:
    """Remember the state as it is now, as the base for the next dump_changes."""
    snap = Snapshot()
    for sp_id, wf in _all_workflows(workflow):
        for task_id, task in wf.tasks.items():
            snap.tasks[f"t:{task_id}"] = _fingerprint(task)
        if sp_id is not None:
            snap.subprocesses.add(f"s:{sp_id}")
            if wf.completed:
                snap.completed_subprocesses.add(f"s:{sp_id}")
    return snap


def _workflow_attrs(registry: Any, wf: Any) -> dict[str, Any]:
    return {
        "data": registry.convert(registry.clean(wf.data)),
        "correlations": wf.correlations,
        "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
        "success": wf.success,
        "completed": wf.completed,
        "root": str(wf.task_tree.id),
    }


def _top_meta(registry: Any, workflow: BpmnWorkflow) -> dict[str, Any]:
    meta = _workflow_attrs(registry, workflow)
    meta["spec"] = workflow.spec.name
    meta["bpmn_events"] = registry.convert(workflow.bpmn_events)
    return meta


def dump_changes(workflow: BpmnWorkflow, snapshot: Snapshot | None) -> StateChanges:
    """Serialize only the rows that are new or changed since `snapshot` (everything when None)."""
    registry = spec_registry()
    snap = snapshot or Snapshot()
    upserts: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for sp_id, wf in _all_workflows(workflow):
        for task_id, task in wf.tasks.items():
            key = f"t:{task_id}"
            seen.add(key)
            if (
                snapshot is None
                or key not in snap.tasks
                or snap.tasks[key] is None
                or snap.tasks[key] != _fingerprint(task)
            ):
                upserts[key] = _task_row(registry, task, sp_id)
        if sp_id is not None:
            key = f"s:{sp_id}"
            seen.add(key)
            if key not in snap.completed_subprocesses or not wf.completed:
                row = _workflow_attrs(registry, wf)
                row.update(parent_task_id=str(wf.parent_task_id), spec=wf.spec.name)
                upserts[key] = row
    known = set(snap.tasks) | snap.subprocesses
    deletes = sorted(known - seen)
    return StateChanges(_top_meta(registry, workflow), upserts, deletes, frozenset(known))


def _task_row(registry: Any, task: Any, sp_id: str | None) -> dict[str, Any]:
    row: dict[str, Any] = registry.convert(task)
    row["wf"] = sp_id
    return row


def full_state(workflow: BpmnWorkflow) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The whole state as (meta, rows): what a fresh instance stores."""
    changes = dump_changes(workflow, None)
    return changes.meta, changes.upserts


def _restore_tasks(registry: Any, wf: Any, rows: dict[str, dict[str, Any]], root: str) -> None:
    # Parents first: a task's data is stored as a delta against its parent's.
    queue = deque([root])
    while queue:
        task_id = queue.popleft()
        row = rows.get(task_id)
        if row is None:
            continue
        registry.restore(row, workflow=wf)
        queue.extend(row["children"])
    wf.task_tree = wf.tasks[UUID(root)]


def _set_attrs(registry: Any, wf: Any, attrs: dict[str, Any]) -> None:
    wf.success = attrs["success"]
    wf.completed = attrs.get("completed", False)
    wf.correlations = attrs.get("correlations", {})
    last = attrs.get("last_task")
    wf.last_task = wf.tasks.get(UUID(last)) if last else None
    wf.data = registry.restore(attrs.get("data", {}))


def restore(
    specs: SpecSet, meta: dict[str, Any], rows: dict[str, dict[str, Any]], script_engine: Any
) -> tuple[BpmnWorkflow, Snapshot]:
    """Rebuild a workflow from its meta and rows; returns it with the snapshot to diff the next save."""
    registry = spec_registry()
    spec, sub_specs = specs.for_process(meta["spec"])
    workflow = BpmnWorkflow(spec, sub_specs, script_engine=script_engine, deserializing=True)
    by_wf: dict[str | None, dict[str, dict[str, Any]]] = {}
    sub_rows: dict[str, dict[str, Any]] = {}
    for key, row in rows.items():
        if key.startswith("t:"):
            by_wf.setdefault(row["wf"], {})[key[2:]] = row
        else:
            sub_rows[key[2:]] = row
    _restore_tasks(registry, workflow, by_wf.get(None, {}), meta["root"])
    _set_attrs(registry, workflow, meta)
    _restore_subprocesses(registry, workflow, workflow, sub_rows, by_wf)
    workflow.bpmn_events = registry.restore(meta.get("bpmn_events", []))
    return workflow, take_snapshot(workflow)


def _restore_subprocesses(
    registry: Any,
    top: BpmnWorkflow,
    parent: Any,
    sub_rows: dict[str, dict[str, Any]],
    by_wf: dict[str | None, dict[str, dict[str, Any]]],
) -> None:
    for task in list(parent.tasks.values()):
        sp_id = str(task.id)
        if not isinstance(task.task_spec, SubWorkflowTask) or sp_id not in sub_rows:
            continue
        attrs = sub_rows[sp_id]
        sub = BpmnSubWorkflow(top.subprocess_specs[task.task_spec.spec], task.id, top, deserializing=True)
        _restore_tasks(registry, sub, by_wf.get(sp_id, {}), attrs["root"])
        _set_attrs(registry, sub, attrs)
        top.subprocesses[task.id] = sub
        sub.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
        _restore_subprocesses(registry, top, sub, sub_rows, by_wf)
