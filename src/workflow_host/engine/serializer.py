"""Instance state kept apart from specs, stored as rows so that a step writes only what it changed.

SpiffWorkflow's own serializer writes the whole workflow (every task ever run) at every save, so the cost
of a step grows with the age of the case. Here the state of an instance is

* `meta`: the top workflow's own attributes (data, root, pending events …), small;
* rows: `t:<task id>` per task, `s:<subprocess id>` per subprocess's own attributes, and
  `x:<task id>:<list>:<n>` for full 64-item chunks of a task's long lists (a loop task's children and
  merged iterations grow by one per iteration; full chunks never change again).

A task that has finished (completed or cancelled) never changes again, so a save looks only at the
tasks that were open when the instance was loaded, the tasks created since, and their parents; finding
those uses set operations, not a walk of the task tree. A task's data is stored as a difference from
its parent's only when the parent has finished (its data is final); otherwise in full.
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
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

__all__ = [
    "SpecSet",
    "StateChanges",
    "Tracker",
    "dump_changes",
    "full_state",
    "load_specs",
    "open_tasks",
    "restore",
    "spec_registry",
    "track_saved",
]

FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
CHUNK = 64
CHUNKED = ("children", "merged")


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
class Tracker:
    """What is stored for an instance, to tell what a step changed without walking every task."""

    keys: set[str] = field(default_factory=set)  # every stored row key
    task_ids: set[UUID] = field(default_factory=set)  # every stored task
    open_ids: set[UUID] = field(default_factory=set)  # tasks not finished when stored
    open_parents: dict[UUID, UUID | None] = field(default_factory=dict)
    finished_subprocesses: set[UUID] = field(default_factory=set)
    lists: dict[tuple[UUID, str], list[str]] = field(default_factory=dict)  # chunked lists as stored


def _workflows(workflow: BpmnWorkflow) -> list[Any]:
    return [workflow, *workflow.subprocesses.values()]


def _all_task_ids(workflow: BpmnWorkflow) -> set[UUID]:
    ids: set[UUID] = set()
    for wf in _workflows(workflow):
        ids.update(wf.tasks.keys())
    return ids


def _task(workflow: BpmnWorkflow, task_id: UUID) -> Any:
    """The task with this id in the workflow or any of its subprocesses, or None."""
    for wf in _workflows(workflow):
        task = wf.tasks.get(task_id)
        if task is not None:
            return task
    return None


def open_tasks(workflow: BpmnWorkflow, tracker: Tracker | None) -> list[Any]:
    """Every task that is not finished, found from the tracker and the tasks created since.

    Sorted by element and id: an order that is the same for a live workflow and a restored one."""
    if tracker is None:
        found: Any = (t for wf in _workflows(workflow) for t in wf.tasks.values())
    else:
        candidates = tracker.open_ids | (_all_task_ids(workflow) - tracker.task_ids)
        found = (_task(workflow, task_id) for task_id in candidates)
    return sorted((t for t in found if t is not None and not t.state & FINISHED), key=_stable_order)


def _stable_order(task: Any) -> tuple[str, str, str]:
    return (_sp_id(task) or "", task.task_spec.name, str(task.id))


def _stored_chunks(stored: list[str]) -> int:
    return len(stored) // CHUNK if len(stored) > CHUNK else 0


def _sp_id(task: Any) -> str | None:
    parent_task_id = task.workflow.parent_task_id if isinstance(task.workflow, BpmnSubWorkflow) else None
    return str(parent_task_id) if parent_task_id is not None else None


def _split(items: list[str]) -> tuple[list[list[str]], list[str]]:
    full = len(items) // CHUNK * CHUNK if len(items) > CHUNK else 0
    return [items[i : i + CHUNK] for i in range(0, full, CHUNK)], items[full:]


def _task_rows(registry: Any, task: Any, tracker: Tracker) -> dict[str, dict[str, Any]]:
    """The row of a task, and the chunk rows of its long lists that are not stored yet."""
    parent = task.parent
    if parent is not None and parent.state & FINISHED:
        data: Any = {}
        delta = {
            "updates": registry.convert(DeepMerge.get_updated_keys(parent.data, task.data)),
            "deletions": DeepMerge.get_deleted_keys(parent.data, task.data),
        }
    else:
        data, delta = registry.convert(registry.clean(task.data)), {}
    internal = dict(task.internal_data)
    lists = {"children": [str(c) for c in task._children], "merged": internal.pop("merged", None)}
    row: dict[str, Any] = {
        "typename": "Task",
        "id": str(task.id),
        "parent": str(task._parent) if task._parent is not None else None,
        "last_state_change": task.last_state_change,
        "state": task.state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": registry.convert(internal),
        "data": data,
        "delta": delta,
        "wf": _sp_id(task),
        "chunks": {},
    }
    rows = {f"t:{task.id}": row}
    for name in CHUNKED:
        items = lists[name]
        if items is None:
            continue
        chunks, tail = _split(items)
        row[name] = tail
        row["chunks"][name] = len(chunks)
        stored = tracker.lists.get((task.id, name), [])
        kept = _stored_chunks(stored)
        unchanged = kept if stored[: kept * CHUNK] == items[: kept * CHUNK] else 0
        for index in range(unchanged, len(chunks)):
            rows[f"x:{task.id}:{name}:{index}"] = {"items": chunks[index]}
    return rows


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


def _dirty_tasks(workflow: BpmnWorkflow, tracker: Tracker | None) -> tuple[list[Any], set[UUID]]:
    """Tasks whose rows must be written, and the ids of stored tasks that are gone."""
    if tracker is None:
        return [t for wf in _workflows(workflow) for t in wf.tasks.values()], set()
    current = _all_task_ids(workflow)
    new = current - tracker.task_ids
    gone = tracker.task_ids - current
    dirty = tracker.open_ids | new
    for task_id in new:
        task = _task(workflow, task_id)
        if task is not None and task._parent is not None:
            dirty.add(task._parent)
    dirty.update(p for task_id in gone if (p := tracker.open_parents.get(task_id)) is not None)
    tasks = [t for task_id in dirty & current if (t := _task(workflow, task_id)) is not None]
    return tasks, gone


def dump_changes(workflow: BpmnWorkflow, tracker: Tracker | None) -> StateChanges:
    """Serialize only the rows that are new or changed since the tracker's state (everything when None)."""
    registry = spec_registry()
    track = tracker or Tracker()
    tasks, gone = _dirty_tasks(workflow, tracker)
    upserts: dict[str, dict[str, Any]] = {}
    for task in tasks:
        upserts.update(_task_rows(registry, task, track))
    for sp_id, sub in workflow.subprocesses.items():
        if sp_id not in track.finished_subprocesses:
            attrs = _workflow_attrs(registry, sub)
            attrs.update(parent_task_id=str(sub.parent_task_id), spec=sub.spec.name)
            upserts[f"s:{sp_id}"] = attrs
    current_subs = {f"s:{sp_id}" for sp_id in workflow.subprocesses}
    deletes = {f"t:{task_id}" for task_id in gone}
    deletes.update(k for k in track.keys if k.startswith("s:") and k not in current_subs)
    deletes.update(k for k in track.keys if k.startswith("x:") and UUID(k.split(":")[1]) in gone)
    deletes.update(_stale_chunks(track, upserts))
    return StateChanges(_top_meta(registry, workflow), upserts, sorted(deletes), frozenset(track.keys))


def _stale_chunks(track: Tracker, upserts: dict[str, dict[str, Any]]) -> set[str]:
    """Chunk rows beyond a list's new length (a list that shrank)."""
    stale: set[str] = set()
    for key, row in upserts.items():
        if key.startswith("t:"):
            for name, count in row["chunks"].items():
                stored = _stored_chunks(track.lists.get((UUID(key[2:]), name), []))
                stale.update(f"x:{key[2:]}:{name}:{index}" for index in range(count, stored))
    return stale


def track_saved(workflow: BpmnWorkflow, tracker: Tracker | None, changes: StateChanges) -> Tracker:
    """The tracker after `changes` were stored."""
    opened = open_tasks(workflow, tracker)
    track = tracker or Tracker()
    track.keys.difference_update(changes.deletes)
    track.keys.update(changes.upserts)
    track.task_ids = _all_task_ids(workflow)
    track.open_ids = {t.id for t in opened}
    track.open_parents = {t.id: t._parent for t in opened}
    track.finished_subprocesses = {sp_id for sp_id, sub in workflow.subprocesses.items() if sub.completed}
    _remember_lists(workflow, track, changes.upserts)
    return track


def _remember_lists(workflow: BpmnWorkflow, track: Tracker, rows: dict[str, dict[str, Any]]) -> None:
    """Keep the chunked lists as stored, to know next time which chunks are already there."""
    for key, row in rows.items():
        if key.startswith("t:") and row.get("chunks"):
            task = _task(workflow, UUID(key[2:]))
            for name in row["chunks"]:
                items = [str(c) for c in task._children] if name == "children" else task.internal_data["merged"]
                track.lists[(task.id, name)] = list(items)


def full_state(workflow: BpmnWorkflow) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The whole state as (meta, rows): what a fresh instance stores."""
    changes = dump_changes(workflow, None)
    return changes.meta, changes.upserts


def _assemble(rows: dict[str, dict[str, Any]]) -> dict[str | None, dict[str, dict[str, Any]]]:
    """Task rows grouped by workflow, with chunked lists put back together."""
    by_wf: dict[str | None, dict[str, dict[str, Any]]] = {}
    for key, row in rows.items():
        if not key.startswith("t:"):
            continue
        task = dict(row)
        internal = dict(task["internal_data"])
        for name, count in task.pop("chunks", {}).items():
            items = [i for n in range(count) for i in rows[f"x:{key[2:]}:{name}:{n}"]["items"]] + task[name]
            if name == "merged":
                internal["merged"] = items
                task.pop("merged")
            else:
                task["children"] = items
        task["internal_data"] = internal
        by_wf.setdefault(task.pop("wf"), {})[key[2:]] = task
    return by_wf


def _restore_tasks(registry: Any, wf: Any, rows: dict[str, dict[str, Any]], root: str) -> None:
    # Parents first: a task's data may be stored as a difference from its parent's.
    queue = deque([root])
    while queue:
        row = rows.get(queue.popleft())
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
) -> tuple[BpmnWorkflow, Tracker]:
    """Rebuild a workflow from its meta and rows; returns it with the tracker for the next save."""
    registry = spec_registry()
    spec, sub_specs = specs.for_process(meta["spec"])
    workflow = BpmnWorkflow(spec, sub_specs, script_engine=script_engine, deserializing=True)
    by_wf = _assemble(rows)
    sub_rows = {key[2:]: row for key, row in rows.items() if key.startswith("s:")}
    _restore_tasks(registry, workflow, by_wf.get(None, {}), meta["root"])
    _set_attrs(registry, workflow, meta)
    _restore_subprocesses(registry, workflow, workflow, sub_rows, by_wf)
    workflow.bpmn_events = registry.restore(meta.get("bpmn_events", []))
    return workflow, _tracker_for(workflow, rows)


def _tracker_for(workflow: BpmnWorkflow, rows: dict[str, dict[str, Any]]) -> Tracker:
    opened = open_tasks(workflow, None)
    track = Tracker(
        keys=set(rows),
        task_ids=_all_task_ids(workflow),
        open_ids={t.id for t in opened},
        open_parents={t.id: t._parent for t in opened},
        finished_subprocesses={sp_id for sp_id, sub in workflow.subprocesses.items() if sub.completed},
    )
    _remember_lists(workflow, track, rows)
    return track


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
