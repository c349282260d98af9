"""A long case (a loop task run past its chunk boundaries) stores, restores and finishes on every database."""

from __future__ import annotations

from sqlalchemy import func, select

from workflow_host.host import Host
from workflow_host.models import InstanceStateRow, User
from workflow_host.services import instances, task_completion, task_reading
from workflow_host.services.audit import verify_chain

ROUNDS = 140  # past two 64-item chunks of the loop task's lists


def test_a_loop_of_many_rounds_keeps_every_round_and_finishes(deployed: Host) -> None:
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        case_id = int(instances.start_instance(session, deployed.runtime, clerk, "loop_case", {"done": False})["id"])
    for round_no in range(1, ROUNDS + 1):
        with deployed.database.transaction() as session:
            clerk = session.get(User, "clerk")
            assert clerk is not None
            [task] = task_reading.list_tasks(session, clerk)
            data = {"done": round_no == ROUNDS, "round": round_no}
            task_completion.complete_task(session, deployed.runtime, clerk, task["id"], data)
    with deployed.database.transaction() as session:
        auditor = session.get(User, "auditor")
        assert auditor is not None
        case = instances.get_instance(session, auditor, case_id)
        assert case["status"] == "completed"
        assert case["data"]["round"] == ROUNDS
        chunks = session.scalar(
            select(func.count())
            .select_from(InstanceStateRow)
            .where(InstanceStateRow.instance_id == case_id, InstanceStateRow.key.like("x:%"))
        )
        assert chunks == 4  # two full chunks of children and two of merged iterations
        # created, every round, completed, and the auditor having looked at it just now
        assert verify_chain(session, case_id) == {"ok": True, "events_checked": ROUNDS + 3}
