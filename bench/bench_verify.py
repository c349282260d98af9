"""How fast can an auditor verify the record? Hash chains and deterministic replay over many cases.

Creates N cases of the six-step test diagram (each started and taken through its first steps), then runs
`workflow-host audit verify --all`'s work two ways and prints events per second: the hash chain alone, and the
chain plus a full replay of every step.

    .venv/bin/python bench/bench_verify.py [--cases 10000] [--steps 3] [--skip-pg] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import DEFAULT_PG_URL, FIXTURES, deployed_host, fresh_database, table
from sqlalchemy import func, select

from workflow_host.host import Host
from workflow_host.models import AuditEvent, InboxTask, Instance, User
from workflow_host.services import instances, task_completion
from workflow_host.services.audit import verify_chain
from workflow_host.services.verification import verify_instance

INTAKE = {"case_no": "(2026)蒙0205行初1号", "defendant": "unit", "defendant_unit": "land_bureau"}
STEPS = [
    ("clerk", "intake", INTAKE),
    ("clerk", "check", {}),
    ("jb_staff", "review", {}),
    ("land_officer", "prepare", {}),
]


def _fill(host: Host, cases: int, steps: int) -> None:
    database, runtime = host.database, host.runtime
    batch = 200
    for first in range(0, cases, batch):
        with database.transaction() as session:
            users = {u: session.get(User, u) for u in ("clerk", "jb_staff", "land_officer")}
            for _ in range(min(batch, cases - first)):
                case = instances.start_instance(session, runtime, users["clerk"], "six_steps", {})
                for username, name, data in STEPS[:steps]:
                    ready = select(InboxTask.id).where(
                        InboxTask.instance_id == case["id"], InboxTask.status == "ready", InboxTask.element_id == name
                    )
                    task_completion.complete_task(session, runtime, users[username], session.scalars(ready).one(), data)


def _measure(host: Host, replay: bool) -> tuple[float, int, int]:
    database, runtime = host.database, host.runtime
    with database.transaction() as session:
        ids = list(session.scalars(select(Instance.id).order_by(Instance.id)))
        events = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    started, failures = time.perf_counter(), 0
    for first in range(0, len(ids), 500):
        with database.transaction() as session:
            for instance_id in ids[first : first + 500]:
                result = (
                    verify_instance(session, runtime, instance_id) if replay else verify_chain(session, instance_id)
                )
                failures += not result["ok"]
    return time.perf_counter() - started, events, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=3, choices=range(1, 5), help="user tasks completed per case")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for kind in ["sqlite"] + ([] if args.skip_pg else ["postgresql"]):
        with tempfile.TemporaryDirectory() as tmp:
            database = fresh_database(kind, args.pg_url, Path(tmp))
            try:
                host = deployed_host(database, FIXTURES / "processes", FIXTURES / "forms", live_instances=0)
                started = time.perf_counter()
                _fill(host, args.cases, args.steps)
                filled = time.perf_counter() - started
                for label, replay in (("hash chain", False), ("chain + replay", True)):
                    seconds, events, failures = _measure(host, replay)
                    rows.append(
                        [
                            kind,
                            label,
                            f"{args.cases:,}",
                            f"{events:,}",
                            f"{seconds:.1f}",
                            f"{events / seconds:,.0f}",
                            str(failures),
                        ]
                    )
                rows.append([kind, f"(filling took {filled:.0f} s)", "", "", "", "", ""])
            finally:
                database.dispose()
    print(f"\nverification of {args.cases:,} six_steps cases with {args.steps} completed step(s) each\n")
    print(table(["database", "check", "cases", "events", "seconds", "events/s", "failed"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
