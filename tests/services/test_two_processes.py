"""Two host processes on one database (two runtimes, each keeping cases warm) never act on stale state."""

from __future__ import annotations

from workflow_host.engine import Runtime
from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services import instances, task_completion, task_reading

INTAKE = {"case_no": "(2026)蒙0205行初9号", "defendant": "unit", "defendant_unit": "land_bureau"}
STEPS = [
    ("clerk", INTAKE),
    ("clerk", {}),
    ("jb_staff", {}),
    ("land_officer", {}),
    ("director_wang", {"approve_ok": True}),
]


def _complete(host: Host, runtime: Runtime, username: str, data: dict[str, object]) -> None:
    with host.database.transaction() as session:
        user = session.get(User, username)
        assert user is not None
        [task] = task_reading.list_tasks(session, user)
        task_completion.complete_task(session, runtime, user, task["id"], data)


def test_steps_alternating_between_two_runtimes_see_each_others_work(deployed: Host) -> None:
    other = Runtime()
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        case_id = int(instances.start_instance(session, deployed.runtime, clerk, "six_steps", {})["id"])
    for index, (username, data) in enumerate(STEPS):
        _complete(deployed, deployed.runtime if index % 2 == 0 else other, username, data)
    _complete(deployed, other, "clerk", {})
    with deployed.database.transaction() as session:
        auditor = session.get(User, "auditor")
        assert auditor is not None
        case = instances.get_instance(session, auditor, case_id)
    assert case["status"] == "completed"
    assert case["data"]["approve_ok"] is True
    assert len(deployed.runtime.live) + len(other.live) >= 1


def test_a_step_rolled_back_with_its_savepoint_leaves_no_warm_copy(deployed: Host) -> None:
    """A step saved inside a savepoint that then rolls back must not be kept warm under the next revision:
    the next step would otherwise run on state the database never kept."""
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        case_id = int(instances.start_instance(session, deployed.runtime, clerk, "six_steps", {})["id"])
    deployed.runtime.live.clear()
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        [task] = task_reading.list_tasks(session, clerk)
        try:
            with session.begin_nested():
                task_completion.complete_task(session, deployed.runtime, clerk, task["id"], INTAKE)
                raise RuntimeError("something after the step failed")
        except RuntimeError:
            pass
    assert len(deployed.runtime.live) == 0
    _complete(deployed, deployed.runtime, "clerk", INTAKE)  # the same task is still there to complete
    assert len(deployed.runtime.live) == 1
    with deployed.database.transaction() as session:
        auditor = session.get(User, "auditor")
        assert auditor is not None
        case = instances.get_instance(session, auditor, case_id)
    assert case["data"]["case_no"] == INTAKE["case_no"]


def test_a_step_whose_savepoint_was_released_but_whose_transaction_rolled_back_leaves_no_warm_copy(
    deployed: Host,
) -> None:
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        instances.start_instance(session, deployed.runtime, clerk, "six_steps", {})
    deployed.runtime.live.clear()
    try:
        with deployed.database.transaction() as session:
            clerk = session.get(User, "clerk")
            assert clerk is not None
            [task] = task_reading.list_tasks(session, clerk)
            with session.begin_nested():  # as the task page runs a step
                task_completion.complete_task(session, deployed.runtime, clerk, task["id"], INTAKE)
            raise RuntimeError("the request failed after the step's savepoint")
    except RuntimeError:
        pass
    assert len(deployed.runtime.live) == 0
