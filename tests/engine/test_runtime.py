"""Running instances: six steps to the end, state stored row by row and restored identically, timers, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from workflow_host.engine import EngineError, FixedClock, Instance, Runtime, SourceFile, StateChanges, use_clock

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
FINISHED_STATES = {64, 256}  # SpiffWorkflow's TaskState.COMPLETED and CANCELLED, as stored in task rows
ANSWERS: dict[str, dict[str, Any]] = {
    "intake": {"case_no": "(2026)沪0101行初1号", "defendant": "unit", "defendant_unit": "land_bureau"},
    "approve": {"approve_ok": True},
}
CHINA = timezone(timedelta(hours=8))


class Store:
    """What the host keeps for one instance: meta plus one row per task or subprocess."""

    def __init__(self) -> None:
        self.meta: dict[str, Any] = {}
        self.rows: dict[str, dict[str, Any]] = {}

    def save(self, instance: Instance) -> StateChanges:
        changes = instance.changes()
        for key in changes.deletes:
            del self.rows[key]
        self.rows.update(changes.upserts)
        self.meta = changes.meta
        instance.mark_saved()
        return changes

    def finished_rows(self) -> set[str]:
        return {key for key, row in self.rows.items() if row.get("state") in FINISHED_STATES}


def compile_spec(runtime: Runtime, path: Path) -> str:
    return runtime.compile([SourceFile(path.name, path.read_bytes())]).spec_json


def assert_same_workflow(restored: Instance, live: Instance) -> None:
    assert restored.full_dump() == live.full_dump()
    assert restored.ready_user_tasks() == live.ready_user_tasks()
    assert restored.status == live.status
    assert restored.data == live.data


@pytest.fixture(scope="module")
def runtime() -> Runtime:
    return Runtime()


@pytest.fixture(scope="module")
def six_steps(runtime: Runtime) -> str:
    return compile_spec(runtime, FIXTURES / "processes" / "six_steps.bpmn")


@pytest.fixture(scope="module")
def loop(runtime: Runtime) -> str:
    return compile_spec(runtime, FIXTURES / "engine" / "loop.bpmn")


def test_six_steps_runs_to_completion(runtime: Runtime, six_steps: str) -> None:
    instance = runtime.start(six_steps, "six_steps", {})
    instance.run()
    visited = []

    while ready := instance.ready_user_tasks():
        [task] = ready
        visited.append(task.element_id)
        instance.complete(task.id, ANSWERS.get(task.element_id, {}))

    assert visited == ["intake", "check", "review", "prepare", "approve", "file"]
    assert instance.status == "completed"
    assert instance.data["handling_units"] == ["land_bureau"]
    assert instance.data["case_no"] == ANSWERS["intake"]["case_no"]


def test_six_steps_stored_and_restored_at_every_step_is_the_same_workflow(runtime: Runtime, six_steps: str) -> None:
    store = Store()
    instance = runtime.start(six_steps, "six_steps", {"title": "test"})
    instance.run()
    steps = 0

    while True:
        store.save(instance)
        assert_same_workflow(runtime.load(six_steps, store.meta, store.rows), instance)
        if not (ready := instance.ready_user_tasks()):
            break
        instance.complete(ready[0].id, ANSWERS.get(ready[0].element_id, {}))
        steps += 1

    assert steps == 6
    assert instance.status == "completed"


def test_six_steps_continued_from_storage_at_every_step_completes(runtime: Runtime, six_steps: str) -> None:
    store = Store()
    instance = runtime.start(six_steps, "six_steps", {})
    instance.run()
    store.save(instance)

    while ready := instance.ready_user_tasks():
        instance.complete(ready[0].id, ANSWERS.get(ready[0].element_id, {}))
        store.save(instance)
        instance = runtime.load(six_steps, store.meta, store.rows)

    assert instance.status == "completed"
    assert instance.data["handling_units"] == ["land_bureau"]


def run_loop(runtime: Runtime, spec_json: str, iterations: int, check: Any = None) -> dict[int, tuple[int, int]]:
    """Complete the looping task `iterations` times, loading it from storage before each step.

    Returns, per step, (rows upserted, rows stored)."""
    store = Store()
    instance = runtime.start(spec_json, "loop", {"done": False})
    instance.run()
    store.save(instance)
    counts = {}
    for step in range(1, iterations + 1):
        instance = runtime.load(spec_json, store.meta, store.rows)
        finished_before = store.finished_rows()
        [task] = instance.ready_user_tasks()
        instance.complete(task.id, {"done": step == iterations, "round": step})
        upserts = store.save(instance).upserts
        assert not finished_before & set(upserts), f"step {step} rewrote finished tasks"
        counts[step] = (len(upserts), len(store.rows))
        if check:
            check(step, instance, store)
    assert instance.status == "completed"
    return counts


def test_loop_step_writes_a_bounded_number_of_rows_as_the_case_grows(runtime: Runtime, loop: str) -> None:
    counts = run_loop(runtime, loop, 150)
    upserted = {step: upserts for step, (upserts, _rows) in counts.items()}
    stored = {step: rows for step, (_upserts, rows) in counts.items()}

    assert stored[150] - stored[5] >= 140
    assert upserted[150] <= upserted[5]
    # a full 64-item chunk of the loop task's two growing lists is written once, at the step that fills it
    assert max(upserted[step] for step in range(5, 151)) <= upserted[5] + 2


def test_loop_stored_and_restored_at_every_iteration_is_the_same_workflow(runtime: Runtime, loop: str) -> None:
    def check(step: int, instance: Instance, store: Store) -> None:
        restored = runtime.load(loop, store.meta, store.rows)
        assert restored.full_dump() == instance.full_dump(), f"round trip differs after iteration {step}"
        assert restored.ready_user_tasks() == instance.ready_user_tasks()

    run_loop(runtime, loop, 150, check)


@pytest.fixture(scope="module")
def timer(runtime: Runtime) -> str:
    return compile_spec(runtime, FIXTURES / "engine" / "timer.bpmn")


DUE = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)


def test_timer_waits_until_its_due_time_then_moves_on(runtime: Runtime, timer: str) -> None:
    clock = FixedClock(DUE - timedelta(hours=2))
    with use_clock(clock):
        instance = runtime.start(timer, "timer", {"due_at": DUE.isoformat()})
        instance.run()
        assert instance.ready_user_tasks() == []
        assert instance.status == "running"

        clock.set(DUE - timedelta(seconds=1))
        instance.run()
        assert instance.ready_user_tasks() == []

        clock.set(DUE + timedelta(seconds=1))
        instance.run()
        assert [task.element_id for task in instance.ready_user_tasks()] == ["follow_up"]


def test_next_due_is_the_timer_instant(runtime: Runtime, timer: str) -> None:
    with use_clock(FixedClock(DUE - timedelta(hours=2))):
        instance = runtime.start(timer, "timer", {"due_at": DUE.isoformat()})
        instance.run()
        due = instance.next_due()

    assert due is not None
    assert due.tzinfo is not None
    assert due == DUE
    assert due == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_waiting_timer_survives_storage_and_fires_after_load(runtime: Runtime, timer: str) -> None:
    store = Store()
    clock = FixedClock(DUE - timedelta(days=1))
    with use_clock(clock):
        instance = runtime.start(timer, "timer", {"due_at": DUE.isoformat()})
        instance.run()
        store.save(instance)
        restored = runtime.load(timer, store.meta, store.rows)
        assert_same_workflow(restored, instance)

        clock.set(DUE + timedelta(minutes=5))
        restored.run()

    assert [task.element_id for task in restored.ready_user_tasks()] == ["follow_up"]


@pytest.mark.parametrize("due_at", ["2027-02-30T09:30:00+08:00", "9999-12-31T23:59:59-23:59", "not a date"])
def test_a_timer_date_that_is_no_real_instant_is_an_engine_error_not_a_crash(
    runtime: Runtime, timer: str, due_at: str
) -> None:
    with use_clock(FixedClock(DUE)):
        instance = runtime.start(timer, "timer", {"due_at": due_at})
        with pytest.raises(EngineError, match="a date or duration the case waits for is not valid"):
            instance.run()


def test_failing_script_task_raises_engine_error_naming_the_element(runtime: Runtime) -> None:
    spec_json = compile_spec(runtime, FIXTURES / "engine" / "script_error.bpmn")
    instance = runtime.start(spec_json, "script_error", {})

    with pytest.raises(EngineError) as caught:
        instance.run()

    assert caught.value.element_id == "divide"
    assert "ZeroDivisionError" in caught.value.message
    assert "line 2" in caught.value.message


def test_completing_a_task_that_is_not_ready_is_refused(runtime: Runtime, six_steps: str) -> None:
    instance = runtime.start(six_steps, "six_steps", {})
    instance.run()
    [intake] = instance.ready_user_tasks()
    instance.complete(intake.id, ANSWERS["intake"])

    with pytest.raises(EngineError, match="not ready"):
        instance.complete(intake.id, {})


def test_an_embedded_subprocess_runs_stores_and_finishes(runtime: Runtime) -> None:
    spec_json = compile_spec(runtime, FIXTURES / "engine" / "embedded.bpmn")
    instance = runtime.start(spec_json, "embedding", {"handling_units": ["land_bureau"]})
    instance.run()
    store = Store()
    store.save(instance)
    restored = runtime.load(spec_json, store.meta, store.rows)
    [task] = restored.ready_user_tasks()
    assert (task.process_id, task.element_id) == ("per_unit", "prepare")
    restored.complete(task.id, {"done": True})
    assert restored.status == "completed"


def test_a_task_in_an_embedded_subprocess_is_catalogued_under_it_with_the_subprocess_lane(runtime: Runtime) -> None:
    bundle = runtime.compile([SourceFile("embedded.bpmn", (FIXTURES / "engine" / "embedded.bpmn").read_bytes())])
    assert bundle.user_tasks["per_unit:prepare"].lane == "handling_unit"
    assert list(bundle.processes) == ["embedding"]
