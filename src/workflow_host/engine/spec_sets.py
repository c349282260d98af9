"""A version's process specs restored from their stored JSON, with the converter registry that reads and writes
them (and every workflow's state) in SpiffWorkflow's spiff dialect."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask

from .decisions import HOST_CONFIG

__all__ = ["SpecSet", "load_specs", "spec_registry"]


@lru_cache(maxsize=1)
def spec_registry() -> Any:
    """The converter registry for SpiffWorkflow's spiff dialect."""
    return BpmnWorkflowSerializer.configure(HOST_CONFIG)


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
