"""Inclusive joins that wait for every branch still under way.

SpiffWorkflow 3.2 lets an inclusive join fire when no task that is ready or waiting upstream could still bring a
token to one of its empty inputs. A call activity (or subprocess) whose own tasks are running is neither: it is
STARTED. So a join after a call activity fired as soon as another branch arrived: in `litigation_case` the Art. 7
loss report, finished first, took the case on to compliance and archiving while the Art. 10 retrial question
was still open, and the retrial branch then failed with "task not found". It also looked for the join's own
tasks only down to the first of them in the task tree, so in a second pass through a loop nothing held it back.

Here the join follows the BPMN rule, read on the diagram: it fires when every unfinished task of its workflow
that could still reach one of its empty inputs (without passing the join) could also reach an input that
already has a token. The class keeps SpiffWorkflow's name, so every stored version, older ones included, is
read back as this class.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import InclusiveGateway as _SpiffInclusiveGateway
from SpiffWorkflow.util.task import TaskState

__all__ = ["InclusiveGateway"]

# Tasks that will run or are running: each may still send a token on.
_UNDER_WAY = TaskState.FUTURE | TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.ERROR


class InclusiveGateway(_SpiffInclusiveGateway):  # type: ignore[misc]
    """An inclusive gateway whose join waits for branches running in call activities and subprocesses too."""

    def _check_threshold_unstructured(self, my_task: Any) -> bool:
        tasks = list(my_task.workflow.tasks.values())
        arrived = {
            join.parent.task_spec
            for join in self._this_pass(my_task, tasks)
            if join.parent is not None and join.parent.state == TaskState.COMPLETED
        }
        empty = [spec for spec in self.inputs if spec not in arrived]
        if not empty:
            return True
        sources = {t.task_spec for t in tasks if t.state & _UNDER_WAY and t.task_spec is not self}
        return not any(self._reaches(spec, empty) and not self._reaches(spec, arrived) for spec in sources)

    def _this_pass(self, my_task: Any, tasks: list[Any]) -> list[Any]:
        """This join's tasks of the current pass: those after the last time it fired (in a loop, the tasks of
        earlier passes stay in the tree), and `my_task` itself."""
        fired = [t for t in tasks if t.task_spec is self and t.state == TaskState.COMPLETED]
        last = next((f for f in fired if not any(other.is_descendant_of(f) for other in fired if other is not f)), None)
        return [
            t
            for t in tasks
            if t.task_spec is self
            and (t is my_task or (last is not None and t.is_descendant_of(last)) or last is None)
            and t.state != TaskState.COMPLETED
        ]

    def _reaches(self, start: Any, targets: Any) -> bool:
        """Whether a token at `start` can arrive at one of `targets` along the diagram's flows without passing
        this gateway."""
        wanted = set(targets)
        seen: set[int] = set()
        todo = [start]
        while todo:
            spec = todo.pop()
            if spec in wanted:
                return True
            if id(spec) in seen or spec is self:
                continue
            seen.add(id(spec))
            todo.extend(spec.outputs)
        return False
