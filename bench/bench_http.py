"""The host over HTTP (gunicorn, 2 web workers) against the bare engine, on SQLite and PostgreSQL.

For the six_steps fixture and a full litigation case (processes/litigation_case, a suit against a unit won at first
instance, 12 user tasks and the hearing timer), prints per-step latency p50/p95 with one client, completed user tasks
per second with several concurrent clients, the ratios host/bare, and TARGET MET/MISSED for the targets of issue #10.

    .venv/bin/python bench/bench_http.py [--cases 20] [--clients 8] [--seconds 10] [--skip-pg] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from _common import ROOT, ms, pct, table
from _server import DEFAULT_HTTP_PG_URL, Client, Processes, cpu_seconds, prepare_database, sign_in
from bench_steps import STEPS as SIX_STEPS
from bench_steps import run_bare, run_roundtrip

from workflow_host.config import Settings
from workflow_host.db import Database
from workflow_host.engine import SourceFile
from workflow_host.host import Host
from workflow_host.services import schema

sys.path.insert(0, str(ROOT))  # the litigation case's data comes from its process test

Step = tuple[str, str, dict[str, Any]]  # (who completes it, user task, submitted data)
TARGET_FACTOR = 3.0
TARGET_RATE = 200.0


def litigation_steps() -> list[Step]:
    """The main path of tests/processes/test_litigation_case.py: a unit sued, defended, heard, won, archived."""
    from tests.processes.test_litigation_case import (
        ATTEND,
        NOTICE,
        SEALED,
        UNIT_HEAD_APPEARS,
        attendee,
        hearing_record,
        materials,
    )

    intake = {**NOTICE, "defendant": "unit", "defendant_unit": "land_bureau", "notice_received_on": "2026-03-02"}
    intake |= {"complaint_served_on": "2026-03-02", "hearing_on": "2026-04-14T09:30:00+08:00"}
    volume = {"volume_no": "自然资源-2026-诉-07", "archived_on": "2026-05-20", "pages": 120}
    volume |= {"documents": ["response_notice", "complaint", "defence_materials", "hearing_records", "court_decisions"]}
    volume |= {"retention_period": "30_years", "archivist": "档案员刘某"}
    land = "land_officer"
    filed = {"filed_on": "2026-03-10", "filed_by": "司法局干部", "filing_method": "in_person"}
    judgment = {"decision_form": "judgment", "outcome": "dismissed_claim", "decision_served_on": "2026-04-28"}
    return [
        ("clerk", "intake", intake),
        (land, "prepare_defence", materials("石拐区自然资源局")),
        ("jb_staff", "formal_review", {"materials_complete": True, "review_opinion": "材料及手续齐备"}),
        ("clerk", "affix_seal", {"seal_affixed": True, "sealed_on": "2026-03-10", "sealed_documents": SEALED}),
        ("jb_staff", "file_defence", filed),
        (land, "arrange_appearance", UNIT_HEAD_APPEARS),
        (land, "prepare_hearing", ATTEND),  # then the hearing timer (already due) waits for the timer worker
        (land, "record_hearing", hearing_record(attendee("张某某", "unit_head", "land_bureau"))),
        (land, "record_judgment", judgment),
        (land, "submit_appeal_opinion", {"unit_appeal_opinion": False, "opinion_note": "服从判决"}),
        (land, "record_outcome", {"plaintiff_appealed": False, "effective_on": "2026-05-14"}),
        (land, "file_case_records", volume),
    ]


@dataclass
class Run:
    """Completions and their latencies (one client or many), and how long the whole run took."""

    times: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds used meanwhile: client, server, database
    loop: list[float] = field(default_factory=list)  # the host-like bare loop's steps, taken case by case alongside
    polls: list[float] = field(default_factory=list)  # GET /tasks by a user polling the inbox meanwhile

    @property
    def rate(self) -> float:
        return len(self.times) / self.seconds if self.seconds else 0.0


class CaseDriver:
    """Runs whole cases over HTTP: the clerk starts one, each step's user completes its task (timed).

    The next task is taken from the last answer (a start or a completion lists the case's ready tasks); the case
    is read only when it waits for something else (the hearing timer). `read_case` reads it before every step
    instead, as the first version of this benchmark did."""

    def __init__(
        self, port: int, tokens: dict[str, str], process_id: str, steps: list[Step], read_case: bool = False
    ) -> None:
        self.client = Client(port)
        self.tokens, self.process_id, self.steps, self.read_case = tokens, process_id, steps, read_case

    def case(self, run: Run | None) -> None:
        status, body, _ = self.client.call("POST", "/instances", {"process_id": self.process_id}, self.tokens["clerk"])
        if status != 201:
            raise RuntimeError(f"start of {self.process_id}: {status} {body}")
        instance_id, waiting = body["id"], body.get("tasks", [])
        for user, name, data in self.steps:
            found = [] if self.read_case else [t["id"] for t in waiting if t["name"] == name]
            task_id = found[0] if found else self._wait_for(instance_id, name)
            path = f"/tasks/{task_id}/complete"
            status, body, elapsed = self.client.call("POST", path, {"data": data}, self.tokens[user])
            if status != 200:
                raise RuntimeError(f"{self.process_id} {name}: {status} {body}")
            waiting = body.get("tasks", [])  # servers before the answer listed them: read the case
            if run is not None:
                run.times.append(elapsed)

    def _wait_for(self, instance_id: int, name: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            status, body, _ = self.client.call("GET", f"/instances/{instance_id}", token=self.tokens["clerk"])
            found = [t["id"] for t in (body or {}).get("tasks", []) if t["name"] == name] if status == 200 else []
            if found:
                return str(found[0])
            if time.monotonic() > deadline:
                raise RuntimeError(f"case {instance_id}: no task {name} after {timeout:.0f}s ({status} {body})")
            time.sleep(0.05)


def sequential(
    port: int, tokens: dict[str, str], process_id: str, steps: list[Step], cases: int,
    loop_case: Callable[[], list[float]] | None = None,
) -> Run:  # fmt: skip
    """One client running `cases` cases; after each, `loop_case` runs one case of the host-like bare loop in this
    process, so that the ratio compares steps taken in the same minute (this machine's speed drifts)."""
    driver, run = CaseDriver(port, tokens, process_id, steps), Run()
    start = time.perf_counter()
    for _ in range(cases):
        driver.case(run)
        if loop_case is not None:
            run.loop += loop_case()
    run.seconds = time.perf_counter() - start
    return run


def concurrent(
    server: Processes, tokens: dict[str, str], process_id: str, steps: list[Step], clients: int, secs: float,
    read_case: bool, poller: str | None = None,
) -> Run:  # fmt: skip
    """`clients` threads, each running its own cases until `secs` have passed (the case in hand is finished);
    and, with `poller`, one more that reads that user's inbox every 20 ms meanwhile (`Run.polls`)."""
    run, lock = Run(), threading.Lock()
    stop = time.monotonic() + secs

    def work() -> None:
        driver, mine = CaseDriver(server.port, tokens, process_id, steps, read_case), Run()
        try:
            while time.monotonic() < stop:
                driver.case(mine)
        except RuntimeError as err:
            mine.errors.append(str(err))
        with lock:
            run.times.extend(mine.times)
            run.errors.extend(mine.errors)

    def poll(user: str) -> None:
        client = Client(server.port, tokens[user])
        try:
            while time.monotonic() < stop:
                status, body, elapsed = client.call("GET", "/tasks")
                if status != 200:
                    run.errors.append(f"GET /tasks: {status} {body}")
                    return
                run.polls.append(elapsed)
                time.sleep(0.02)
        finally:
            client.close()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    if poller is not None:
        threads.append(threading.Thread(target=poll, args=(poller,)))
    before, start = cpu_seconds(server.sessions()), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - start
    after = cpu_seconds(server.sessions())
    run.cpu = {part: after[part] - before[part] for part in after}
    return run


def measure_database(kind: str, url: str, args: argparse.Namespace) -> dict[str, Run]:
    """Prepare the database, start gunicorn and a timer worker, and run the four measurements."""
    gunicorn = f"gunicorn -w {args.workers} --threads {args.threads}"
    print(f"{kind}: preparing the database and starting {gunicorn} ...", flush=True)
    prepare_database(url, measures=True)
    server = Processes(url, args.workers, timer_workers=1, interval=args.timer_interval, threads=args.threads)
    server.start()
    try:
        tokens = sign_in(server.port, sorted({u for u, _, _ in SIX_STEPS + LITIGATION}))
        for _ in range(args.warmup):  # every web worker loads its diagrams and warms its caches
            sequential(server.port, tokens, "six_steps", SIX_STEPS, 2)
            sequential(server.port, tokens, "litigation_case", LITIGATION, 1)
        engine_loop = EngineLoop()
        try:
            six_loop, lit_loop = (lambda: run_roundtrip(1, 0)[0]), (lambda: engine_loop.case(rebuild=True))
            runs = {
                "six_steps seq": sequential(server.port, tokens, "six_steps", SIX_STEPS, args.cases, six_loop),
                "litigation seq": sequential(
                    server.port, tokens, "litigation_case", LITIGATION, args.lit_cases, lit_loop
                ),
            }
        finally:
            engine_loop.close()
        print(f"{kind}: {args.clients} clients for {args.seconds:.0f}s on each diagram ...", flush=True)
        diagrams = (("six_steps", "six_steps", SIX_STEPS), ("litigation", "litigation_case", LITIGATION))
        for label, process_id, steps in diagrams:
            for read_case in (False, True):
                load = concurrent(server, tokens, process_id, steps, args.clients, args.seconds, read_case)
                runs[f"{label} load{' read' if read_case else ''}"] = load
        runs["six_steps polled"] = concurrent(
            server, tokens, "six_steps", SIX_STEPS, args.clients, args.seconds, False, poller="land_officer"
        )
        print_storage(kind, url)
        return runs
    finally:
        server.stop()


def print_storage(kind: str, url: str) -> None:
    """What a litigation case leaves in the database, per case: the figures docs/deploy.md scales up."""
    database = Database(url)
    per_case = """
        SELECT COUNT(*), SUM(bytes) FROM (
          SELECT i.id,
            (SELECT COALESCE(SUM(LENGTH(e.payload_json) + 200), 0) FROM audit_event e WHERE e.instance_id = i.id)
            + (SELECT COALESCE(SUM(LENGTH(r.body) + 60), 0) FROM instance_state_row r WHERE r.instance_id = i.id)
            + (SELECT COALESCE(SUM(LENGTH(t.data_json) + 200), 0) FROM inbox_task t WHERE t.instance_id = i.id)
            + LENGTH(i.data_json) + LENGTH(i.meta_json) AS bytes
          FROM instance i WHERE i.process_id = 'litigation_case' AND i.status = 'completed') AS cases"""
    events = """SELECT COUNT(*) FROM audit_event e JOIN instance i ON i.id = e.instance_id
                WHERE i.process_id = 'litigation_case' AND i.status = 'completed'"""
    try:
        with database.engine.connect() as conn:
            cases, size = conn.exec_driver_sql(per_case).one()
            count = conn.exec_driver_sql(events).scalar_one()
    finally:
        database.dispose()
    if cases:
        print(f"{kind}: a finished litigation case (mean of {cases}) holds {count / cases:.0f} audit events and "
              f"~{size / cases / 1024:.0f} KiB of rows (data, state, events, inbox; indexes not counted)")  # fmt: skip


LITIGATION = litigation_steps()


def latency_row(
    name: str, times: list[float], bare: list[float], loop: list[float], alongside: list[float] | None = None
) -> list[Any]:
    """A row of the latency table; `alongside`: the host-like loop's steps taken case by case with these."""

    def ratio(base: list[float] | None) -> str:
        if not base:
            return "-"
        factor = pct(times, 50) / pct(base, 50)
        return f"{factor:.1f}x" if factor >= 1 else f"{factor:.2f}x"

    beside = ms(pct(alongside, 50)) if alongside else "-"
    return [
        name,
        len(times),
        ms(pct(times, 50)),
        ms(pct(times, 95)),
        ratio(bare),
        ratio(loop),
        beside,
        ratio(alongside),
    ]


@dataclass
class Baselines:
    """Per-step times without HTTP or database: six_steps (bench_steps' a and b) and the litigation case (a', b')."""

    bare: list[float]
    loop: list[float]
    lit_bare: list[float]
    lit_loop: list[float]


def baselines(args: argparse.Namespace) -> Baselines:
    """One round of the four baselines (a third of the cases asked for: three rounds are pooled)."""
    cases, lit_cases = max(args.cases // 3, 4), max(args.lit_cases // 3, 1)
    six = run_bare(cases, 1), run_roundtrip(cases, 1)[0]
    return Baselines(*six, run_engine_loop(lit_cases, 1, rebuild=False), run_engine_loop(lit_cases, 1, rebuild=True))


def pooled(rounds: list[Baselines]) -> Baselines:
    """The rounds' samples together."""
    return Baselines(*([t for r in rounds for t in getattr(r, f.name)] for f in fields(Baselines)))


class EngineLoop:
    """The litigation case through the host's engine (SpiffWorkflow with the host's script engine and deadline
    helpers), no database: in memory, or (`rebuild`) with the full state dumped and loaded again before every step
    (`Runtime.rebind`, what the host-like loop b does with SpiffWorkflow's JSON). A due timer fires in the step
    after it (the hearing). Built once (the diagrams compiled), then run case by case."""

    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory()
        self.database = Database(f"sqlite:///{Path(self._tmp.name) / 'calendar.sqlite3'}")  # the helpers read one
        schema.init_db(self.database)
        self.runtime = Host.on(Settings(database_url=self.database.url, secret_key="x" * 32), self.database).runtime
        diagrams = [p for p in sorted((ROOT / "processes").iterdir()) if p.suffix in (".bpmn", ".dmn")]
        self.spec = self.runtime.compile([SourceFile(p.name, p.read_bytes()) for p in diagrams]).spec_json

    def case(self, rebuild: bool) -> list[float]:
        """The per-step times of one whole case."""
        times: list[float] = []
        instance = self.runtime.start(self.spec, "litigation_case", {})
        instance.run()
        for _, name, data in LITIGATION:
            start = time.perf_counter()
            if rebuild:
                instance = self.runtime.rebind(instance, self.spec)
            instance.run()
            [task] = [t for t in instance.ready_user_tasks() if t.element_id == name]
            instance.complete(task.id, data)
            times.append(time.perf_counter() - start)
        return times

    def close(self) -> None:
        self.database.dispose()
        self._tmp.cleanup()


def run_engine_loop(cases: int, warmup: int, rebuild: bool) -> list[float]:
    """`cases` litigation cases through EngineLoop after `warmup` unmeasured ones."""
    loop = EngineLoop()
    try:
        for _ in range(warmup):
            loop.case(rebuild)
        return [t for _ in range(cases) for t in loop.case(rebuild)]
    finally:
        loop.close()


def report(args: argparse.Namespace, base: Baselines, results: dict[str, dict[str, Run]]) -> int:
    headers = ["way", "steps", "p50 ms", "p95 ms", "p50 / a", "p50 / b", "b alongside", "p50 / b alongside"]
    print(f"\nper-step latency of completing one user task, one client, sequential "
          f"(gunicorn -w {args.workers} --threads {args.threads}, requests over loopback)\n")  # fmt: skip
    rows = [latency_row("a. six_steps, bare SpiffWorkflow, in memory", base.bare, base.bare, base.loop)]
    rows.append(latency_row("b. six_steps, host-like bare loop (full JSON)", base.loop, base.bare, base.loop))
    rows += [latency_row(f"c. six_steps over HTTP, {k}", r["six_steps seq"].times, base.bare, base.loop,
                         r["six_steps seq"].loop) for k, r in results.items()]  # fmt: skip
    rows.append(latency_row("a'. litigation, host engine, in memory", base.lit_bare, base.lit_bare, base.lit_loop))
    rows.append(latency_row("b'. litigation, host engine, full reload", base.lit_loop, base.lit_bare, base.lit_loop))
    rows += [latency_row(f"d. litigation over HTTP, {k}", r["litigation seq"].times, base.lit_bare, base.lit_loop,
                         r["litigation seq"].loop) for k, r in results.items()]  # fmt: skip
    print(table(headers, rows))
    print("(a', b': bare SpiffWorkflow cannot run the litigation case's scripts without the host's script engine and")
    print(" deadline helpers, so its baselines run through workflow_host.engine, still without HTTP or a database;")
    print(" b alongside: p50 ms of the host-like loop (b or b') run one case after each case over HTTP, in the same")
    print(" minutes; the targets below are judged against it)")

    print(f"\ncompleted user tasks per second, {args.clients} concurrent clients for {args.seconds:.0f}s, each running "
          "its own cases:\n  next = complete the task the last answer names (read the case only while a timer is "
          "due)\n  read = read the case, then complete its next task (two requests per task)\n"
          "  client, server, database = CPU ms per completed task of the load generator (this process), gunicorn\n"
          "  with the timer worker, and PostgreSQL (their sum, over the two cores, bounds tasks/s)\n")  # fmt: skip
    rows = []
    for kind, runs in results.items():
        for label in ("six_steps load", "six_steps load read", "litigation load", "litigation load read"):
            run = runs[label]
            p50, p95 = (ms(pct(run.times, q)) if run.times else "-" for q in (50, 95))
            way = "read" if label.endswith("read") else "next"
            cpu = [f"{run.cpu[part] / max(len(run.times), 1) * 1000:.1f}" for part in ("client", "server", "database")]
            rows.append([f"{label.split()[0]}, {kind}", way, len(run.times), f"{run.seconds:.1f}", f"{run.rate:.0f}",
                         p50, p95, len(run.errors), *cpu])  # fmt: skip
    headers = ["diagram, database", "way", "completed", "seconds", "tasks/s", "p50 ms", "p95 ms", "errors"]
    headers += ["client", "server", "database"]
    print(table(headers, rows))

    print(f"\nthe inbox read while steps run: one client reads land_officer's inbox (GET /api/v1/tasks)\n"
          f"every 20 ms while {args.clients} clients complete six_steps tasks the next way\n")  # fmt: skip
    rows = []
    for kind, runs in results.items():
        run = runs["six_steps polled"]
        polls = run.polls or [0.0]
        rows.append([kind, f"{run.rate:.0f}", len(run.polls), ms(pct(polls, 50)), ms(pct(polls, 95)), ms(max(polls))])
    print(table(["database", "tasks/s", "reads", "p50 ms", "p95 ms", "longest ms"], rows))
    return targets(base, results)


def verdict(ok: bool) -> str:
    return "TARGET MET" if ok else "TARGET MISSED"


def targets(base: Baselines, results: dict[str, dict[str, Run]]) -> int:
    print(
        f"\ntarget: host per-step time (p50, over HTTP) at most {TARGET_FACTOR:.0f}x the host-like bare loop (b, b'),"
    )
    print("taken alongside")
    pairs = [("six_steps", "six_steps seq"), ("litigation", "litigation seq")]
    for kind, runs in results.items():
        for diagram, label in pairs:
            factor = pct(runs[label].times, 50) / pct(runs[label].loop, 50)
            print(f"  {diagram + ', ' + kind:<24} {factor:5.2f}x  {verdict(factor <= TARGET_FACTOR)}")
    print(f"target: at least {TARGET_RATE:.0f} completed user tasks per second on PostgreSQL with 2 web workers")
    for kind, runs in results.items():
        if kind == "postgresql":
            for label in ("six_steps load", "six_steps load read"):
                rate = runs[label].rate
                way = "read" if label.endswith("read") else "next"
                print(f"  {'six_steps, ' + kind + ', ' + way:<30} {rate:4.0f}/s  {verdict(rate >= TARGET_RATE)}")
    errors = [e for runs in results.values() for run in runs.values() for e in run.errors]
    for error in errors[:5]:
        print(f"error: {error}")
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--cases", type=int, default=20, help="six_steps cases per sequential run (6 tasks each)")
    parser.add_argument("--lit-cases", type=int, default=3, help="litigation cases per sequential run (12 tasks)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients of the throughput runs")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each throughput run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn web workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread, as deployed); 1: sync")
    parser.add_argument("--timer-interval", type=float, default=0.5, help="of the timer worker (the hearing)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured warm-up rounds per database")
    parser.add_argument("--pg-url", default=DEFAULT_HTTP_PG_URL, help="its public schema is dropped and recreated")
    parser.add_argument("--skip-pg", action="store_true")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    print("load average before: {:.1f} {:.1f} {:.1f} ({} cores)".format(*os.getloadavg(), os.cpu_count()))
    # The baselines run before, between and after the HTTP runs and are pooled: this machine's speed drifts by
    # tens of percent over a minute, and a baseline taken only at the start would tilt every ratio with it.
    samples = [baselines(args)]
    results: dict[str, dict[str, Run]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["sqlite"] = measure_database("sqlite", f"sqlite:///{Path(tmp) / 'http.sqlite3'}", args)
    samples.append(baselines(args))
    if not args.skip_pg:
        results["postgresql"] = measure_database("postgresql", args.pg_url, args)
        samples.append(baselines(args))
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    code = report(args, pooled(samples), results)
    print(f"\n(total {time.perf_counter() - started:.0f}s)")
    return code


if __name__ == "__main__":
    sys.exit(main())
