"""The only package that imports SpiffWorkflow; nothing SpiffWorkflow-typed leaves it."""

from .cache import LiveCache
from .catalog import ProcessInfo, UserTaskInfo, task_key
from .clock import LOCAL_TZ, Clock, FixedClock, SystemClock, current_clock, now, use_clock
from .errors import DiagramError, DiagramErrors, EngineError, ScriptError
from .runtime import Instance, ReadyTask, Runtime
from .sandbox import Budget
from .specs import CompiledBundle, SourceFile
from .state_changes import StateChanges
from .xml import ElementSignature, called_decisions, decision_ids, decision_names, element_signatures

__all__ = [
    "LOCAL_TZ",
    "Budget",
    "Clock",
    "CompiledBundle",
    "DiagramError",
    "DiagramErrors",
    "ElementSignature",
    "EngineError",
    "FixedClock",
    "Instance",
    "LiveCache",
    "ProcessInfo",
    "ReadyTask",
    "Runtime",
    "ScriptError",
    "SourceFile",
    "StateChanges",
    "SystemClock",
    "UserTaskInfo",
    "called_decisions",
    "current_clock",
    "decision_ids",
    "decision_names",
    "element_signatures",
    "now",
    "task_key",
    "use_clock",
]
