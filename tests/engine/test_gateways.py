"""An inclusive join waits for every branch still under way, a branch running in a call activity included
(SpiffWorkflow 3.2 fired it as soon as another branch arrived), in every pass of a loop, and across storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.test_runtime import Store, compile_spec
from tests.engine.test_runtime import runtime as runtime
from workflow_host.engine import Instance, Runtime

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="module")
def spec_json(runtime: Runtime) -> str:
    return compile_spec(runtime, FIXTURES / "engine" / "inclusive_call.bpmn")


def ready(instance: Instance) -> list[str]:
    return sorted(task.element_id for task in instance.ready_user_tasks())


def finish(instance: Instance, element: str, data: dict[str, object] | None = None) -> None:
    [task] = [t for t in instance.ready_user_tasks() if t.element_id == element]
    instance.complete(task.id, data or {})


@pytest.mark.parametrize("extra", [False, True], ids=["straight", "through_a_task_after_the_call"])
def test_the_join_waits_for_the_branch_in_the_call_activity_in_every_pass(
    runtime: Runtime, spec_json: str, extra: bool
) -> None:
    instance = runtime.start(spec_json, "inclusive_call", {})
    instance.run()
    store = Store()
    for rounds in (1, 2):
        assert ready(instance) == ["decide", "report"]
        finish(instance, "report")  # the plain branch arrives first (the loss report, finished before the retrial)
        assert ready(instance) == ["decide"]  # the join waits: the other branch is inside the call activity
        store.save(instance)
        instance = runtime.load(spec_json, store.meta, store.rows)  # and keeps waiting once stored and loaded
        assert ready(instance) == ["decide"]
        finish(instance, "decide", {"wants_extra": extra})
        if extra:
            assert ready(instance) == ["extra"]
            finish(instance, "extra")
        assert ready(instance) == ["after"]  # both branches are in: it fires once
        finish(instance, "after", {"rounds": rounds})
    assert instance.status == "completed"


def test_the_join_waits_for_the_plain_branch_when_the_call_activity_ends_first(
    runtime: Runtime, spec_json: str
) -> None:
    instance = runtime.start(spec_json, "inclusive_call", {})
    instance.run()
    finish(instance, "decide", {"wants_extra": False})
    assert ready(instance) == ["report"]
    finish(instance, "report")
    assert ready(instance) == ["after"]


def test_a_value_deleted_after_the_join_stays_deleted_in_the_next_pass(runtime: Runtime) -> None:
    # SpiffWorkflow merged the branches of every earlier pass at the join: the copy of the join the first branch
    # left behind brought `admitted` back in the second pass, after a script had deleted it
    spec = compile_spec(runtime, FIXTURES / "engine" / "inclusive_cleanup.bpmn")
    instance = runtime.start(spec, "inclusive_call", {})
    instance.run()
    finish(instance, "decide", {"wants_extra": False, "admitted": True})  # the call branch arrives first
    finish(instance, "report")
    [after] = instance.ready_user_tasks()
    assert after.data["admitted"] is True
    finish(instance, "after")
    assert "admitted" not in instance.data  # the script after the join deleted it
    finish(instance, "report")
    finish(instance, "decide", {"wants_extra": False})
    [after] = instance.ready_user_tasks()
    assert "admitted" not in after.data
