"""SpiffWorkflow's script engine, with every script and expression routed through the sandbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .errors import ScriptError
from .sandbox import Sandbox

__all__ = ["SandboxEnvironment", "make_script_engine"]


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Evaluates and executes with RestrictedPython instead of plain eval/exec."""

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__({})
        self.sandbox = sandbox

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        return self.sandbox.evaluate(expression, context, external_context)

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        self.sandbox.execute(script, context, external_context)
        return True

    def call_service(self, context: Mapping[str, Any], **kwargs: Any) -> Any:
        raise ScriptError("service tasks are not supported by this host")


def make_script_engine(sandbox: Sandbox) -> Any:
    """A SpiffWorkflow script engine bound to `sandbox`."""
    return PythonScriptEngine(environment=SandboxEnvironment(sandbox))
