"""A workflow rebuilt from its stored meta and rows (the row format of `state_changes`), with the tracker its
next save starts from."""

from __future__ import annotations

from collections import deque
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from .rows import assemble
from .spec_sets import SpecSet, spec_registry
from .state_changes import Tracker, tracker_for

__all__ = ["restore"]


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
    by_wf = assemble(rows)
    sub_rows = {key[2:]: row for key, row in rows.items() if key.startswith("s:")}
    _restore_tasks(registry, workflow, by_wf.get(None, {}), meta["root"])
    _set_attrs(registry, workflow, meta)
    _restore_subprocesses(registry, workflow, workflow, sub_rows, by_wf)
    workflow.bpmn_events = registry.restore(meta.get("bpmn_events", []))
    return workflow, tracker_for(workflow)


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
