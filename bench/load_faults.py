"""Load and faults over HTTP on PostgreSQL (issue #8): many clients, then kill -9 mid-load; the audit log decides.

a. Load: `--clients` concurrent clients (default 50) for `--seconds` (default 60) against gunicorn (2 web workers):
   they read their inbox, claim, complete and read cases of the six_steps fixture, several clients per user so that
   they race for the same tasks. Afterwards every case's audit events are read over the API and compared with what
   the clients were told: zero 5xx, every completion answered 200 recorded exactly once (one `task_completed` event
   for its task id), no completion recorded that no client sent, no task completed twice.
b. Faults: the same load for `--fault-seconds` with hearing_timer cases whose timers fall due every few seconds and a
   timer worker (`workflow-host worker --interval 0.5`) firing them; part-way through, SIGKILL to gunicorn (master
   and workers) and the timer worker, then both restarted. Afterwards: every acknowledged step is present, nothing is
   duplicated (completions and timers), and `workflow-host audit verify --all` exits 0.

    .venv/bin/python bench/load_faults.py [--pg-url URL] [--clients 50] [--seconds 60] [--fault-seconds 30]

The database (default postgresql://postgres@127.0.0.1:5432/load_faults) has its public schema dropped and recreated.
Exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from _common import pct
from _server import Client, Processes, prepare_database, sign_in
from bench_steps import DATA as SIX_STEPS_DATA

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/load_faults"
# Several clients per user: same-user clients race for the same tasks; land_officer and land_head share theirs.
ROTA = ["clerk", "jb_staff", "clerk", "land_officer", "clerk", "director_wang", "land_head", "clerk"]
CST = timezone(timedelta(hours=8))
OPEN_WORK = 15  # a clerk starts a case when fewer tasks than this wait in its inbox


@dataclass
class Ledger:
    """What the clients were told, shared by the client threads of one phase."""

    acked: Counter[str] = field(default_factory=Counter)  # task id -> completions answered 200
    unanswered: set[str] = field(default_factory=set)  # completions sent without an answer (the server died)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)  # (request kind, status)
    latency: dict[str, list[float]] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    instances: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, status: int, seconds: float, body: Any) -> None:
        with self.lock:
            self.statuses[kind, status] += 1
            if status:
                self.latency.setdefault(kind, []).append(seconds)
            if status >= 500:
                self.server_errors.append(f"{kind} {status} {str(body)[:300]}")

    def count(self, kind: str, status: int | None = None) -> int:
        return sum(n for (k, s), n in self.statuses.items() if k == kind and (status is None or s == status))


def task_data(name: str, within: float = 4) -> dict[str, Any]:
    if name == "set_hearing":  # the hearing falls due 1 to `within` seconds from now
        hearing = datetime.now(CST) + timedelta(seconds=random.uniform(1, within))
        return {"hearing_on": hearing.isoformat(timespec="seconds"), "record_due_on": "2026-12-31"}
    return dict(SIX_STEPS_DATA.get(name, {}))


def seed_timers(port: int, token: str, ledger: Ledger, cases: int, within: float) -> None:
    """Hearing cases whose timers fall due over the next `within` seconds, so that some are due at the kill."""
    client = Client(port, token)
    for _ in range(cases):
        status, case, _ = client.call("POST", "/instances", {"process_id": "hearing_timer"})
        assert status == 201, (status, case)
        [task] = case["tasks"]
        status, body, _ = client.call(
            "POST", f"/tasks/{task['id']}/complete", {"data": task_data(task["name"], within)}
        )
        assert status == 200, (status, body)
        ledger.instances.add(int(case["id"]))
        ledger.acked[task["id"]] += 1
    client.close()


class LoadClient:
    """One client: read the inbox, maybe start a case, pick one of the first tasks, maybe claim it, complete it."""

    def __init__(self, port: int, user: str, tokens: dict[str, str], ledger: Ledger, timers: bool) -> None:
        self.client, self.user, self.ledger, self.timers = Client(port, tokens[user]), user, ledger, timers
        self.rng = random.Random()

    def call(self, kind: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        status, answer, seconds = self.client.call(method, path, body)
        self.ledger.note(kind, status, seconds, answer)
        return status, answer

    def run(self, stop: float) -> None:
        while time.monotonic() < stop:
            status, body = self.call("read inbox", "GET", "/tasks?limit=20")
            if status != 200:
                time.sleep(0.2)  # the server is down or restarting
                continue
            tasks = body["tasks"]
            if self.user == "clerk" and len(tasks) < OPEN_WORK:
                self.start_case()
            elif tasks:
                self.work_on(self.rng.choice(tasks[:5]))
            else:
                time.sleep(0.3)  # nothing to do: look again a little later

    def start_case(self) -> None:
        process = "hearing_timer" if self.timers and self.rng.random() < 0.3 else "six_steps"
        status, body = self.call("start case", "POST", "/instances", {"process_id": process})
        if status == 201:
            with self.ledger.lock:
                self.ledger.instances.add(int(body["id"]))

    def work_on(self, task: dict[str, Any]) -> None:
        with self.ledger.lock:
            self.ledger.instances.add(int(task["instance_id"]))
        if self.rng.random() < 0.5:
            self.call("claim", "POST", f"/tasks/{task['id']}/claim")
        data = {"data": task_data(task["name"])}
        status, _ = self.call("complete", "POST", f"/tasks/{task['id']}/complete", data)
        with self.ledger.lock:
            if status == 200:
                self.ledger.acked[task["id"]] += 1
            elif status == 0:
                self.ledger.unanswered.add(task["id"])
        if self.rng.random() < 0.3:
            self.call("read case", "GET", f"/instances/{task['instance_id']}")


def run_clients(port: int, tokens: dict[str, str], ledger: Ledger, clients: int, secs: float, timers: bool) -> float:
    stop = time.monotonic() + secs
    workers = [LoadClient(port, ROTA[i % len(ROTA)], tokens, ledger, timers) for i in range(clients)]
    threads = [threading.Thread(target=w.run, args=(stop,)) for w in workers]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.client.close()
    return time.perf_counter() - start


@dataclass
class Record:
    """What the audit log says, read over the API."""

    completed: Counter[str] = field(default_factory=Counter)  # task id -> task_completed events
    timers: Counter[int] = field(default_factory=Counter)  # instance -> timer_fired events
    waiting: list[int] = field(default_factory=list)  # hearing cases still waiting for a timer that is due
    cases: int = 0
    events: int = 0


def read_record(port: int, token: str, instances: set[int]) -> Record:
    """Every case's events, from id 1 up past the highest id the clients saw (a start whose answer was lost too)."""
    record, lock = Record(), threading.Lock()
    ids = range(1, max(instances, default=0) + 50)

    def read(instance_id: int) -> None:
        client = Client(port, token)
        status, body, _ = client.call("GET", f"/instances/{instance_id}/events")
        if status == 200:
            case_status, case, _ = client.call("GET", f"/instances/{instance_id}")
        client.close()
        if status == 404:
            return
        if status != 200 or case_status != 200:
            raise RuntimeError(f"reading case {instance_id}: {status}")
        with lock:
            absorb(record, instance_id, body["events"], case)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(read, ids))
    return record


def absorb(record: Record, instance_id: int, events: list[dict[str, Any]], case: dict[str, Any]) -> None:
    record.cases += 1
    record.events += len(events)
    for event in events:
        if event["type"] == "task_completed":
            record.completed[event["payload"]["task_id"]] += 1
        elif event["type"] == "timer_fired":
            record.timers[instance_id] += 1
    due = case.get("next_due_at")
    if case["status"] == "running" and due and datetime.fromisoformat(due) < datetime.now(UTC) - timedelta(seconds=5):
        record.waiting.append(instance_id)


def check(ledger: Ledger, record: Record, faults: bool) -> list[str]:
    """The failures: 5xx, an acknowledged step missing or doubled, a step recorded that nobody sent, a timer twice."""
    failures = [f"5xx: {e}" for e in ledger.server_errors[:10]]
    failures += [f"task {t} answered 200 {n} times" for t, n in ledger.acked.items() if n > 1]
    failures += [f"task {t} acknowledged but not recorded" for t in ledger.acked if record.completed[t] == 0]
    failures += [f"task {t} completed {n} times in the audit log" for t, n in record.completed.items() if n > 1]
    sent = set(ledger.acked) | ledger.unanswered
    failures += [f"task {t} recorded but never sent" for t in record.completed if t not in sent]
    failures += [f"case {i}: its timer fired {n} times" for i, n in record.timers.items() if n > 1]
    failures += [f"case {i}: its timer is overdue and has not fired" for i in record.waiting]
    if not faults:
        failures += [f"no answer to the completion of task {t} (no fault was injected)" for t in ledger.unanswered]
    return failures


def summary(name: str, ledger: Ledger, record: Record, seconds: float) -> None:
    requests = sum(n for (_, s), n in ledger.statuses.items() if s)
    every = [t for times in ledger.latency.values() for t in times]
    print(f"\n{name}: {requests:,} requests answered in {seconds:.1f}s ({requests / seconds:.0f}/s)")
    for kind in sorted({k for k, _ in ledger.statuses}):
        counts = ", ".join(f"{s or 'no answer'}: {n}" for (k, s), n in sorted(ledger.statuses.items()) if k == kind)
        times = ledger.latency.get(kind, [])
        p = f"p50 {pct(times, 50) * 1000:.0f} ms, p95 {pct(times, 95) * 1000:.0f} ms" if times else "no answers"
        print(f"  {kind:<12} {counts:<52} {p}")
    if every:
        print(f"  all requests p50 {pct(every, 50) * 1000:.0f} ms, p95 {pct(every, 95) * 1000:.0f} ms")
    acked = len(ledger.acked)
    recorded = sum(1 for t in ledger.acked if record.completed[t] >= 1)
    print(f"  completions sent {ledger.count('complete'):,}, answered 200 {acked:,} ({acked / seconds:.0f}/s), "
          f"409 {ledger.count('complete', 409)}, 403 {ledger.count('complete', 403)}, "
          f"unanswered {len(ledger.unanswered)}")  # fmt: skip
    print(f"  audit log: {record.cases} cases, {record.events:,} events, {sum(record.completed.values()):,} "
          f"task_completed ({acked:,} acknowledged, {recorded:,} of them present), "
          f"{sum(record.timers.values())} timer_fired")  # fmt: skip


def merged(*ledgers: Ledger) -> Ledger:
    """The completions and cases of several phases (not their statuses: each phase reports its own)."""
    out = Ledger()
    for ledger in ledgers:
        out.acked.update(ledger.acked)
        out.unanswered |= ledger.unanswered
        out.instances |= ledger.instances
    return out


def load_phase(server: Processes, tokens: dict[str, str], args: argparse.Namespace) -> tuple[Ledger, list[str]]:
    print(f"a. load: {args.clients} clients for {args.seconds:.0f}s ...", flush=True)
    ledger = Ledger()
    seconds = run_clients(server.port, tokens, ledger, args.clients, args.seconds, timers=False)
    record = read_record(server.port, tokens["clerk"], ledger.instances)
    summary("a. load", ledger, record, seconds)
    return ledger, check(ledger, record, faults=False)


def fault_phase(
    server: Processes, tokens: dict[str, str], args: argparse.Namespace, before: Ledger
) -> tuple[Ledger, list[str]]:
    """The load with timers due and a timer worker; SIGKILL everything part-way through, restart, go on."""
    print(f"b. faults: {args.clients} clients for {args.fault_seconds:.0f}s with timers, kill -9 at "
          f"{args.kill_at:.0f}s ...", flush=True)  # fmt: skip
    ledger, seeded = Ledger(), Ledger()
    seed_timers(server.port, tokens["clerk"], seeded, args.timer_cases, args.fault_seconds)
    load = threading.Thread(
        target=run_clients, args=(server.port, tokens, ledger, args.clients, args.fault_seconds, True)
    )
    start = time.perf_counter()
    load.start()
    time.sleep(args.kill_at)
    acked_at_kill = sum(ledger.acked.values())
    server.kill()
    print(f"   killed gunicorn (master + {args.workers} workers) and the timer worker with SIGKILL "
          f"after {acked_at_kill} acknowledged completions", flush=True)  # fmt: skip
    time.sleep(1)
    server.start()
    print(f"   restarted after {time.perf_counter() - start - args.kill_at:.1f}s", flush=True)
    load.join()
    seconds = time.perf_counter() - start
    time.sleep(6)  # the last hearings fall due within 4s; the restarted worker fires them
    everything = merged(before, seeded, ledger)
    record = read_record(server.port, tokens["clerk"], everything.instances)
    summary("b. faults", ledger, record, seconds)
    present = sum(1 for t in everything.acked if record.completed[t] == 1)
    in_flight = sum(1 for t in ledger.unanswered if record.completed[t] and t not in ledger.acked)
    twice = sum(1 for n in record.timers.values() if n > 1)
    print(f"  after the crash: steps acknowledged {len(everything.acked):,} (both phases, {len(seeded.acked)} of them "
          f"setting a hearing), present exactly once {present:,}")  # fmt: skip
    print(f"  completions without an answer (in flight at the kill) {len(ledger.unanswered)}, of which recorded "
          f"{in_flight}; timers fired {sum(record.timers.values())}, fired twice {twice}, "
          f"overdue and not fired {len(record.waiting)}")  # fmt: skip
    failures = [f"5xx: {e}" for e in ledger.server_errors[:10]]
    return ledger, failures + check(everything, record, faults=True)


def verify_all(server: Processes) -> list[str]:
    start = time.perf_counter()
    result = server.cli("audit", "verify", "--all")
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()
    print(f"\nworkflow-host audit verify --all: exit {result.returncode} in {time.perf_counter() - start:.1f}s: {last}")
    return [] if result.returncode == 0 else [f"audit verify --all failed: {result.stdout[-2000:]}{result.stderr}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--pg-url", default=DEFAULT_URL, help="its public schema is dropped and recreated")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="duration of the load run (a)")
    parser.add_argument("--fault-seconds", type=float, default=30, help="duration of the fault run (b)")
    parser.add_argument("--kill-at", type=float, help="seconds into (b) of the kill (default: 40%% of it)")
    parser.add_argument("--timer-cases", type=int, default=20, help="hearing timers falling due during (b)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn web workers")
    args = parser.parse_args(argv)
    args.kill_at = args.kill_at if args.kill_at is not None else args.fault_seconds * 0.4

    started = time.perf_counter()
    print("load average before: {:.1f} {:.1f} {:.1f} ({} cores)".format(*os.getloadavg(), os.cpu_count()))
    prepare_database(args.pg_url)
    server = Processes(args.pg_url, workers=args.workers, timer_workers=1, interval=0.5)
    server.start()
    try:
        tokens = sign_in(server.port, sorted({*ROTA, "clerk"}))
        before, failures = load_phase(server, tokens, args)
        _, more = fault_phase(server, tokens, args, before)
        failures += more + verify_all(server)
    finally:
        server.stop()
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    for failure in failures[:30]:
        print(f"FAILED: {failure}")
    print(f"\n{'ALL CHECKS PASSED' if not failures else f'{len(failures)} CHECK(S) FAILED'} "
          f"(total {time.perf_counter() - started:.0f}s; server log {server.log.name})")  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
