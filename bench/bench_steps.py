"""Per-step latency of completing a user task: bare SpiffWorkflow vs a JSON round-trip loop vs the host's API.

Runs the six_steps fixture (6 user tasks per case) N times each way and prints p50/p95 per step, tasks/s,
the ratios host/bare and host/host-like loop, and whether host per-step time is at most 3x the host-like loop.

    .venv/bin/python bench/bench_steps.py [--cases 30] [--skip-pg] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import (
    DEFAULT_PG_URL,
    FIXTURES,
    PASSWORDS,
    SqlCounter,
    Timers,
    deployed_host,
    fresh_database,
    ms,
    pct,
    table,
)
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from workflow_host import create_app
from workflow_host.engine import runtime
from workflow_host.services import task_completion

PROCESS = "six_steps"
DIAGRAM = FIXTURES / "processes" / "six_steps.bpmn"
INTAKE = {"case_no": "(2026)蒙0205行初12号", "defendant": "unit", "defendant_unit": "land_bureau"}
# (who completes it, user task, submitted data), in the order the diagram reaches them.
STEPS = [
    ("clerk", "intake", INTAKE),
    ("clerk", "check", {}),
    ("jb_staff", "review", {}),
    ("land_officer", "prepare", {}),
    ("director_wang", "approve", {"approve_ok": True}),
    ("clerk", "file", {}),
]
DATA = {name: data for _, name, data in STEPS}
TARGET = 3.0


def parse_spec() -> tuple[Any, dict[str, Any]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(DIAGRAM))
    return parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)


def ready_user_task(workflow: BpmnWorkflow) -> Any:
    return workflow.get_next_task(state=TaskState.READY, manual=True)


def run_bare(cases: int, warmup: int) -> list[float]:
    """a. Everything in memory: one workflow object per case, no serialization."""
    spec, subs = parse_spec()
    times: list[float] = []
    for case in range(warmup + cases):
        workflow = BpmnWorkflow(spec, subs)
        workflow.do_engine_steps()
        while not workflow.completed:
            task_id = ready_user_task(workflow).id
            start = time.perf_counter()
            task = workflow.get_task_from_id(task_id)
            task.data.update(DATA[task.task_spec.bpmn_id])
            task.run()
            workflow.do_engine_steps()
            if case >= warmup:
                times.append(time.perf_counter() - start)
    return times


def run_roundtrip(cases: int, warmup: int) -> tuple[list[float], int]:
    """b. What a naive host does: deserialize the full workflow JSON, complete one task, serialize it again."""
    spec, subs = parse_spec()
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    times: list[float] = []
    size = 0
    for case in range(warmup + cases):
        workflow = BpmnWorkflow(spec, subs)
        workflow.do_engine_steps()
        stored = serializer.serialize_json(workflow)
        while not workflow.completed:
            task_id = ready_user_task(workflow).id
            start = time.perf_counter()
            workflow = serializer.deserialize_json(stored)
            task = workflow.get_task_from_id(task_id)
            task.data.update(DATA[task.task_spec.bpmn_id])
            task.run()
            workflow.do_engine_steps()
            stored = serializer.serialize_json(workflow)
            if case >= warmup:
                times.append(time.perf_counter() - start)
                size = max(size, len(stored))
    return times, size


def run_host(kind: str, pg_url: str, cases: int, warmup: int) -> tuple[list[float], dict[str, float]]:
    """c. The host over its JSON API (Flask test client in-process), one fresh database."""
    with tempfile.TemporaryDirectory() as tmp:
        database = fresh_database(kind, pg_url, Path(tmp))
        try:
            host = deployed_host(database, FIXTURES / "processes", FIXTURES / "forms")
            client = create_app({"TESTING": True, "HOST": host}).test_client()
            sql = SqlCounter(database.engine, waits=True)
            try:
                return _drive_api(client, sql, cases, warmup)
            finally:
                sql.close()
        finally:
            database.dispose()


def _drive_api(client: Any, sql: SqlCounter, cases: int, warmup: int) -> tuple[list[float], dict[str, float]]:
    headers = {}
    for user, password in PASSWORDS.items():
        reply = client.post("/api/v1/auth/token", json={"username": user, "password": password})
        assert reply.status_code == 200, reply.get_json()
        headers[user] = {"Authorization": f"Bearer {reply.get_json()['token']}"}
    timers = Timers()
    # the task read with its case, locked (load_case in revisions before e162616, for side-by-side runs)
    timers.patch(task_completion, "_actor_case", "load")
    timers.patch(runtime.Instance, "complete", "engine")
    timers.patch(task_completion, "save_case", "save")
    times: list[float] = []
    parts: dict[str, float] = {"load": 0.0, "engine": 0.0, "save": 0.0, "statements": 0.0, "dbapi": 0.0, "waited": 0.0}
    try:
        for case in range(warmup + cases):
            started = client.post(
                "/api/v1/instances", json={"process_id": PROCESS, "data": {}}, headers=headers["clerk"]
            )
            assert started.status_code == 201, started.get_json()
            instance_id = started.get_json()["id"]
            for user, name, data in STEPS:
                inbox = client.get("/api/v1/tasks", headers=headers[user]).get_json()["tasks"]
                [task] = [t for t in inbox if t["instance_id"] == instance_id and t["name"] == name]
                timers.take()
                sql.take()
                start = time.perf_counter()
                reply = client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data}, headers=headers[user])
                elapsed = time.perf_counter() - start
                assert reply.status_code == 200, reply.get_json()
                if case >= warmup:
                    times.append(elapsed)
                    for key, value in timers.take().items():
                        parts[key] += value
                    statements, dbapi, waited = sql.take()
                    parts["statements"] += statements
                    parts["dbapi"] += dbapi
                    parts["waited"] += waited
    finally:
        timers.restore()
    return times, {k: v / len(times) for k, v in parts.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=30, help="cases per way (6 user tasks each)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured cases run first, per way")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args(argv)

    ways: list[tuple[str, list[float]]] = []
    breakdown: list[tuple[str, list[float], dict[str, float]]] = []
    bare = run_bare(args.cases, args.warmup)
    ways.append(("a. bare SpiffWorkflow, in memory", bare))
    loop, size = run_roundtrip(args.cases, args.warmup)
    ways.append(("b. host-like bare loop (full JSON)", loop))
    kinds = ["sqlite"] + ([] if args.skip_pg else ["postgresql"])
    for kind in kinds:
        times, parts = run_host(kind, args.pg_url, args.cases, args.warmup)
        ways.append((f"c. host API, {kind}", times))
        breakdown.append((kind, times, parts))

    def ratio(times: list[float], base: list[float], q: float = 50) -> str:
        return f"{pct(times, q) / pct(base, q):.1f}x"

    rows: list[list[Any]] = []
    for name, times in ways:
        mean = sum(times) / len(times)
        rows.append([name, len(times), ms(pct(times, 50)), ms(pct(times, 95)), ms(mean), f"{1 / mean:.0f}",
                     ratio(times, bare), ratio(times, loop)])  # fmt: skip
    print(
        f"\nsix_steps, {args.cases} cases x {len(STEPS)} user tasks per way ({args.warmup} warm-up cases not counted)"
    )
    print("per-step latency of completing one user task (engine run and save included)\n")
    headers = ["way", "steps", "p50 ms", "p95 ms", "mean ms", "tasks/s", "p50 / a", "p50 / b"]
    print(table(headers, rows))
    print(f"\nlargest full workflow JSON in way b: {size:,} bytes (read and written at every step)")

    if breakdown:
        print("\nwhere a host step goes (mean ms per complete request)\n")
        split = []
        for kind, times, parts in breakdown:
            mean = sum(times) / len(times)
            other = mean - parts["load"] - parts["engine"] - parts["save"]
            split.append([kind, ms(mean), ms(parts["load"]), ms(parts["engine"]), ms(parts["save"]), ms(other),
                          f"{parts['statements']:.1f}", ms(parts["dbapi"]), ms(parts["waited"]),
                          ms(mean - parts["waited"])])  # fmt: skip
        headers = ["database", "request", "load", "complete+run", "save_case", "rest", "SQL stmts", "in DBAPI",
                   "db wait", "request - db wait"]  # fmt: skip
        print(table(headers, split))
        print("(load = the task read with its case, locked, and the engine restored unless warm; rest = auth, form")
        print(" validation, Flask, commit; SQL stmts = through SQLAlchemy (on PostgreSQL most writes skip it);")
        print(" in DBAPI = time inside cursor.execute, commit excluded; db wait = time the step waited on its")
        print(" database: on PostgreSQL every wait of the driver, pipelined writes and the commit included, on SQLite")
        print(" every execute and the commit)")

    print(f"\ntarget: host per-step time (p50) at most {TARGET:.0f}x the host-like bare loop (b)")
    for kind, times, _ in breakdown:
        factor = pct(times, 50) / pct(loop, 50)
        verdict = "TARGET MET" if factor <= TARGET else "TARGET MISSED"
        p95 = pct(times, 95) / pct(loop, 95)
        print(f"  {kind:<10} p50 {factor:.2f}x (p95 {p95:.2f}x)  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
