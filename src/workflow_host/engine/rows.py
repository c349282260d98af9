"""The row format of instance state: one row per task, long lists in fixed chunks, workflow attributes.

A task's data is stored as a difference from its parent's only when the parent has finished (its data is
final); otherwise in full. A loop task's `children` and merged-iteration list grow by one per iteration:
they are stored as full 64-item chunk rows (`x:<task id>:<list>:<n>`, never changed once written) plus a
short tail in the task's own row, so rewriting an open loop task costs the same at iteration 1,000 as at 10.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

__all__ = [
    "CHUNK",
    "CHUNKED",
    "FINISHED",
    "ChunkState",
    "assemble",
    "chunk_key",
    "forget_lists",
    "full_chunks",
    "remember_lists",
    "sp_id",
    "task_rows",
    "top_meta",
    "workflow_attrs",
]

FINISHED = TaskState.COMPLETED | TaskState.CANCELLED
CHUNK = 64
CHUNKED = ("children", "merged")

ChunkState = dict[tuple[UUID, str], list[Any]]  # a task's chunked list as stored (the live objects)


def chunk_key(task_id: UUID | str, name: str, index: int) -> str:
    return f"x:{task_id}:{name}:{index}"


def full_chunks(items: list[Any]) -> int:
    """How many full chunks a list of this length is stored as (none while it fits in the row)."""
    return len(items) // CHUNK if len(items) > CHUNK else 0


def sp_id(task: Any) -> str | None:
    """The id of the subprocess a task belongs to (None for the top workflow)."""
    return str(task.workflow.parent_task_id) if isinstance(task.workflow, BpmnSubWorkflow) else None


def _lists(task: Any) -> dict[str, list[Any]]:
    merged = task.internal_data.get("merged")
    return {"children": task._children, **({"merged": merged} if merged is not None else {})}


def task_rows(registry: Any, task: Any, stored: ChunkState) -> dict[str, dict[str, Any]]:
    """The row of a task, plus the chunk rows of its long lists that are not stored yet."""
    parent = task.parent
    if parent is not None and parent.state & FINISHED:
        data: Any = {}
        delta = {
            "updates": registry.convert(DeepMerge.get_updated_keys(parent.data, task.data)),
            "deletions": DeepMerge.get_deleted_keys(parent.data, task.data),
        }
    else:
        data, delta = registry.convert(registry.clean(task.data)), {}
    internal = {k: v for k, v in task.internal_data.items() if k != "merged"}
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
        "wf": sp_id(task),
        "chunks": {},
    }
    rows = {f"t:{task.id}": row}
    for name, items in _lists(task).items():
        before = stored.get((task.id, name), [])
        kept = full_chunks(before)
        # Lists only grow; identical objects compare without calling __eq__, so this check is cheap.
        if before[: kept * CHUNK] != items[: kept * CHUNK]:
            kept = 0
        count = full_chunks(items)
        for index in range(kept, count):
            chunk = items[index * CHUNK : (index + 1) * CHUNK]
            rows[chunk_key(task.id, name, index)] = {"items": [str(i) for i in chunk]}
        row[name] = [str(i) for i in items[count * CHUNK :]]
        row["chunks"][name] = count
    return rows


def remember_lists(task: Any, stored: ChunkState) -> None:
    """Keep a task's chunked lists as now stored, to know at the next save which chunks are already there."""
    for name, items in _lists(task).items():
        if full_chunks(items):
            stored[(task.id, name)] = list(items)
        else:
            stored.pop((task.id, name), None)


def forget_lists(task_id: UUID, stored: ChunkState) -> None:
    """Drop what is kept of a task that is gone."""
    for name in CHUNKED:
        stored.pop((task_id, name), None)


def assemble(rows: dict[str, dict[str, Any]]) -> dict[str | None, dict[str, dict[str, Any]]]:
    """Task rows in SpiffWorkflow's format, grouped by workflow, with chunked lists put back together."""
    by_wf: dict[str | None, dict[str, dict[str, Any]]] = {}
    for key, row in rows.items():
        if not key.startswith("t:"):
            continue
        task = dict(row)
        internal = dict(task["internal_data"])
        for name, count in task.pop("chunks", {}).items():
            head = [i for n in range(count) for i in rows[chunk_key(key[2:], name, n)]["items"]]
            items = head + task.pop(name)
            if name == "merged":
                internal["merged"] = items
            else:
                task["children"] = items
        task["internal_data"] = internal
        by_wf.setdefault(task.pop("wf"), {})[key[2:]] = task
    return by_wf


def workflow_attrs(registry: Any, wf: Any) -> dict[str, Any]:
    """The attributes of a workflow or subprocess, without its tasks."""
    return {
        "data": registry.convert(registry.clean(wf.data)),
        "correlations": wf.correlations,
        "last_task": str(wf.last_task.id) if wf.last_task is not None else None,
        "success": wf.success,
        "completed": wf.completed,
        "root": str(wf.task_tree.id),
    }


def top_meta(registry: Any, workflow: Any) -> dict[str, Any]:
    """The top workflow's own attributes: what the instance row keeps beside the task rows."""
    meta = workflow_attrs(registry, workflow)
    meta["spec"] = workflow.spec.name
    meta["bpmn_events"] = registry.convert(workflow.bpmn_events)
    return meta
