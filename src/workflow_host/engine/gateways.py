"""Inclusive joins that wait for every branch still under way.

SpiffWorkflow 3.2 lets an inclusive join fire when no task that is ready or waiting upstream could still bring a
token to one of its empty inputs. A call activity (or subprocess) whose own tasks are running is neither: it is
STARTED. So a join after a call activity fired as soon as another branch arrived: in `litigation_case` the Art. 7
loss report, finished first, took the case on to compliance and archiving while the Art. 10 retrial question
was still open, and the retrial branch then failed with "task not found". It also looked for the join's own
tasks only down to the first of them in the task tree, so in a second pass through a loop nothing held it back.

Here the join follows the BPMN rule, read on the diagram: it fires when every unfinished task of its workflow
that could still reach one of its empty inputs (without passing the join) could also reach an input that
already has a token. When it fires it merges the data of the branches of this pass only (SpiffWorkflow merged
those of earlier passes too, so a value a script had deleted came back). The class keeps SpiffWorkflow's name,
so every stored version, older ones included, is read back as this class.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.defaults import InclusiveGateway as _SpiffInclusiveGateway
from SpiffWorkflow.util.deep_merge import DeepMerge
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

    def _run_hook(self, my_task: Any) -> bool:
        # the branches that arrived before this one, in the order they arrived, then this one
        earlier = [
            t
            for t in self._this_pass(my_task, list(my_task.workflow.tasks.values()))
            if t is not my_task and t.has_state(TaskState.FINISHED_MASK) and t.parent is not None
        ]
        for join in sorted(earlier, key=lambda t: t.last_state_change):
            DeepMerge.merge(my_task.data, join.parent.data)
        my_task._inherit_data()
        # then the gateway's own choice of the flows to go on
        matches, defaults = self._get_matching_outputs(my_task)
        if not matches and not defaults:
            raise WorkflowTaskException("No conditions satisfied on gateway", task=my_task)
        my_task._sync_children(matches or defaults, TaskState.FUTURE)
        for child in my_task.children:
            child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        return True

    def _this_pass(self, my_task: Any, tasks: list[Any]) -> list[Any]:
        """This join's tasks of the current pass and `my_task`: those created after the last time the join fired
        on `my_task`'s path (in a loop, the tasks of earlier passes stay in the tree). Walks parents iteratively:
        a loop of many passes makes a deep tree."""
        last = None
        ancestors: set[int] = set()
        node = my_task.parent
        while node is not None:
            ancestors.add(id(node))
            if last is None and node.task_spec is self and node.state == TaskState.COMPLETED:
                last = node
            node = node.parent
        if last is None:
            return [t for t in tasks if t.task_spec is self and t.state != TaskState.COMPLETED]
        above_last: set[int] = set()
        node = last
        while node is not None:
            above_last.add(id(node))
            node = node.parent
        found = []
        for task in tasks:
            if task.task_spec is not self or task.state == TaskState.COMPLETED:
                continue
            node = task.parent
            while node is not None and node is not last and id(node) not in above_last:
                node = node.parent
            if task is my_task or node is last:
                found.append(task)
        return found

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
