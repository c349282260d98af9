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

This module finds and serializes what a step changed (`dump_changes`) and keeps the `Tracker` of what is
stored; `state_restore` rebuilds a workflow from the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from .rows import (
    CHUNK,
    CHUNKED,
    FINISHED,
    ChunkState,
    chunk_key,
    forget_lists,
    full_chunks,
    remember_lists,
    sp_id,
    task_rows,
    top_meta,
    workflow_attrs,
)
from .spec_sets import spec_registry

__all__ = ["StateChanges", "Tracker", "dump_changes", "open_tasks", "track_saved", "tracker_for"]


@dataclass
class StateChanges:
    """What a step changed: the new meta, rows to insert, rows to replace, rows to delete."""

    meta: dict[str, Any]
    inserts: dict[str, dict[str, Any]]
    updates: dict[str, dict[str, Any]]
    deletes: list[str]
    plan: _Plan | None = None

    @property
    def upserts(self) -> dict[str, dict[str, Any]]:
        """Every row written, new or replaced."""
        return {**self.inserts, **self.updates}


@dataclass
class _Plan:
    """What dump_changes found, for track_saved to apply once the rows are stored."""

    written: list[Any]
    new: dict[UUID | None, list[UUID]]
    gone: set[UUID]


@dataclass
class Tracker:
    """What is stored for an instance, so a save finds its changes without walking every task."""

    task_ids: dict[UUID | None, set[UUID]] = field(default_factory=dict)  # per workflow (None: the top one)
    open_ids: set[UUID] = field(default_factory=set)  # tasks not finished when stored
    open_parents: dict[UUID, UUID | None] = field(default_factory=dict)
    finished_subprocesses: set[UUID] = field(default_factory=set)
    lists: ChunkState = field(default_factory=dict)


def _workflows(workflow: BpmnWorkflow) -> dict[UUID | None, Any]:
    return {None: workflow, **workflow.subprocesses}


def _task(workflow: BpmnWorkflow, task_id: UUID) -> Any:
    """The task with this id in the workflow or any of its subprocesses, or None."""
    for wf in _workflows(workflow).values():
        task = wf.tasks.get(task_id)
        if task is not None:
            return task
    return None


def _new_task_ids(workflow: BpmnWorkflow, tracker: Tracker) -> dict[UUID | None, list[UUID]]:
    """Tasks created since the tracker's state: new tasks are always at the end of a workflow's task dict."""
    new: dict[UUID | None, list[UUID]] = {}
    for wf_id, wf in _workflows(workflow).items():
        known = tracker.task_ids.get(wf_id)
        if known is None:
            new[wf_id] = list(wf.tasks)
            continue
        found = []
        for task_id in reversed(wf.tasks):
            if task_id in known:
                break
            found.append(task_id)
        if found:
            new[wf_id] = found[::-1]
    return new


def open_tasks(workflow: BpmnWorkflow, tracker: Tracker | None) -> list[Any]:
    """Every task that is not finished, found from the tracker and the tasks created since.

    Sorted by subprocess, element and id: the same order for a live workflow and a restored one."""
    if tracker is None:
        found: Any = (t for wf in _workflows(workflow).values() for t in wf.tasks.values())
    else:
        new = _new_task_ids(workflow, tracker)
        candidates = tracker.open_ids.union(*new.values())
        found = (_task(workflow, task_id) for task_id in candidates)
    return sorted((t for t in found if t is not None and not t.state & FINISHED), key=_stable_order)


def _stable_order(task: Any) -> tuple[str, str, str]:
    return (sp_id(task) or "", task.task_spec.name, str(task.id))


def _plan(workflow: BpmnWorkflow, tracker: Tracker | None) -> _Plan:
    """The tasks whose rows must be written, the new ones, and the stored ones that are gone."""
    if tracker is None:
        every = {wf_id: list(wf.tasks) for wf_id, wf in _workflows(workflow).items()}
        return _Plan([t for wf in _workflows(workflow).values() for t in wf.tasks.values()], every, set())
    new = _new_task_ids(workflow, tracker)
    gone = {task_id for task_id in tracker.open_ids if _task(workflow, task_id) is None}
    for wf_id, ids in tracker.task_ids.items():
        if wf_id is not None and wf_id not in workflow.subprocesses:
            gone.update(ids)  # a removed subprocess takes its tasks with it
    dirty = (tracker.open_ids - gone).union(*new.values())
    for task_id in list(dirty):
        task = _task(workflow, task_id)
        if task is not None and task._parent is not None and task_id not in tracker.open_ids:
            dirty.add(task._parent)  # a new child changes its parent's list of children
    dirty.update(p for task_id in gone if (p := tracker.open_parents.get(task_id)) is not None)
    written = [t for task_id in dirty if (t := _task(workflow, task_id)) is not None]
    return _Plan(sorted(written, key=_stable_order), new, gone)


def dump_changes(workflow: BpmnWorkflow, tracker: Tracker | None) -> StateChanges:
    """Serialize only the rows that are new or changed since the tracker's state (everything when None)."""
    registry = spec_registry()
    track = tracker or Tracker()
    plan = _plan(workflow, tracker)
    new_ids = {task_id for ids in plan.new.values() for task_id in ids}
    inserts: dict[str, dict[str, Any]] = {}
    updates: dict[str, dict[str, Any]] = {}
    deletes: set[str] = {f"t:{task_id}" for task_id in plan.gone}
    for task in plan.written:
        for key, row in task_rows(registry, task, track.lists).items():
            stored = _is_stored(key, task, new_ids, track)
            (updates if stored else inserts)[key] = row
        deletes.update(_stale_chunks(task, track))
    for task_id in plan.gone:
        deletes.update(_chunk_keys(task_id, track))
    for sub_id, sub in workflow.subprocesses.items():
        if sub_id not in track.finished_subprocesses:
            attrs = workflow_attrs(registry, sub)
            attrs.update(parent_task_id=str(sub.parent_task_id), spec=sub.spec.name)
            (updates if sub_id in track.task_ids else inserts)[f"s:{sub_id}"] = attrs
    deletes.update(f"s:{wf_id}" for wf_id in track.task_ids if wf_id is not None and wf_id not in workflow.subprocesses)
    return StateChanges(top_meta(registry, workflow), inserts, updates, sorted(deletes), plan)


def _is_stored(key: str, task: Any, new_ids: set[UUID], track: Tracker) -> bool:
    if key.startswith("t:"):
        return task.id not in new_ids
    _x, _task_id, name, index = key.split(":")
    return int(index) < full_chunks(track.lists.get((task.id, name), []))


def _chunk_keys(task_id: UUID, track: Tracker) -> list[str]:
    return [
        chunk_key(task_id, name, index)
        for name in CHUNKED
        for index in range(full_chunks(track.lists.get((task_id, name), [])))
    ]


def _stale_chunks(task: Any, track: Tracker) -> list[str]:
    """Chunk rows beyond a list's new length (a list that shrank)."""
    stale: list[str] = []
    for name in CHUNKED:
        stored = full_chunks(track.lists.get((task.id, name), []))
        items = task._children if name == "children" else task.internal_data.get("merged") or []
        stale.extend(chunk_key(task.id, name, i) for i in range(full_chunks(items), stored))
    return stale


def track_saved(workflow: BpmnWorkflow, tracker: Tracker | None, changes: StateChanges) -> Tracker:
    """The tracker once `changes` are stored."""
    plan = changes.plan
    assert plan is not None
    track = tracker or Tracker()
    for wf_id in list(track.task_ids):
        if wf_id is not None and wf_id not in workflow.subprocesses:
            del track.task_ids[wf_id]
    for wf_id, new_ids in plan.new.items():
        track.task_ids.setdefault(wf_id, set()).update(new_ids)
    for known in track.task_ids.values():
        known.difference_update(plan.gone)
    opened = [t for t in plan.written if not t.state & FINISHED]
    track.open_ids = {t.id for t in opened}
    track.open_parents = {t.id: t._parent for t in opened}
    track.finished_subprocesses = {sub_id for sub_id, sub in workflow.subprocesses.items() if sub.completed}
    for task_id in plan.gone:
        forget_lists(task_id, track.lists)
    for task in plan.written:
        remember_lists(task, track.lists)
    return track


def tracker_for(workflow: BpmnWorkflow) -> Tracker:
    """A tracker for a workflow exactly as stored (one walk of every task, at load time only)."""
    opened = open_tasks(workflow, None)
    track = Tracker(
        task_ids={wf_id: set(wf.tasks) for wf_id, wf in _workflows(workflow).items()},
        open_ids={t.id for t in opened},
        open_parents={t.id: t._parent for t in opened},
        finished_subprocesses={sub_id for sub_id, sub in workflow.subprocesses.items() if sub.completed},
    )
    for wf in _workflows(workflow).values():
        for task in wf.tasks.values():
            if len(task._children) > CHUNK or len(task.internal_data.get("merged") or ()) > CHUNK:
                remember_lists(task, track.lists)
    return track
