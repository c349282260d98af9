"""Does saving a step stay cheap as a case grows? One instance of a looping user task, 1,000 steps.

Drives bench/fixtures/loop.bpmn through the services layer (start_instance, then complete_task in one
transaction per step) on SQLite and PostgreSQL and times save_case, the load (task_completion._actor_case) and the
whole step (commit included) around step 10 and step 1,000 (medians); the target is save@1000 / save@10 <= 1.5,
step 10 being a young case's, stepped alternately with the grown one so that the machine's drift cancels out.

    .venv/bin/python bench/bench_long_case.py [--steps 1000] [--window 10] [--skip-pg] [--pg-url URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import DEFAULT_PG_URL, SqlCounter, Timers, deployed_host, fresh_database, ms, table
from sqlalchemy import func, select

from workflow_host.engine import runtime
from workflow_host.models import InstanceStateRow, User
from workflow_host.services import instances, steps, task_completion, task_reading

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROCESS = "loop_case"
TARGET = 1.5
SAVE_PARTS = ["changes", "inbox_reads", "writes", "digest", "mark_saved"]
YOUNG_AGE = 10  # the step the long case is compared at


def run_case(
    kind: str, pg_url: str, total: int, warm: bool, windows: list[range]
) -> tuple[list[dict[str, float]], dict[int, dict[str, float]], dict[int, int]]:
    """Grow one instance to `total` completed steps; per step: timings (seconds) and rows written; and, for each
    step inside `windows`, the timings of a young case's step taken right after it."""
    with tempfile.TemporaryDirectory() as tmp:
        database = fresh_database(kind, pg_url, Path(tmp))
        try:
            host = deployed_host(database, FIXTURES, live_instances=256 if warm else 0)
            return _Grower(host).grow(total, windows)
        finally:
            database.dispose()


class _Grower:
    """Steps cases of the loop diagram through the services, timing the parts of each step."""

    def __init__(self, host: Any) -> None:
        self.host, self.last_changes, self.timers = host, [], Timers()
        self.sql = SqlCounter(host.database.engine)

    def grow(
        self, total: int, windows: list[range]
    ) -> tuple[list[dict[str, float]], dict[int, dict[str, float]], dict[int, int]]:
        records, young, stored = [], {}, {}
        self._patch()
        try:
            instance_id = self._start()
            for step in range(1, total + 1):
                starting = next((w for w in windows if w.start == step), None)
                if starting is not None:  # a fresh case, brought to the age the first window measures
                    young_id = self._start()
                    for _ in range(YOUNG_AGE - len(starting) // 2 - 1):
                        self._step(young_id, done=False)
                records.append(self._step(instance_id, done=step == total))
                if any(step in w for w in windows):  # the same moment's step of a young case, side by side
                    young[step] = self._step(young_id, done=False)
                if step in (10, total - 1):
                    stored[step] = self._stored_rows(instance_id)
            assert records[-1]["completed"], records[-1]
        finally:
            self.timers.restore()
        return records, young, stored

    def _patch(self) -> None:
        timers = self.timers
        # the task read with its case, locked (load_case in revisions before e162616, for side-by-side runs)
        timers.patch(task_completion, "_actor_case", "load")
        timers.patch(runtime.Instance, "complete", "engine")
        timers.patch(task_completion, "save_case", "save")
        timers.patch(runtime.Instance, "changes", "changes", after=self.last_changes.append)
        timers.patch(steps, "plan_inbox" if hasattr(steps, "plan_inbox") else "inbox_writes", "inbox_reads")
        timers.patch(steps, "run_writes", "writes")
        timers.patch(runtime.Instance, "state_digest", "digest")
        timers.patch(runtime.Instance, "mark_saved", "mark_saved")

    def _start(self) -> int:
        with self.host.database.transaction() as session:
            clerk = session.get(User, "clerk")
            return int(instances.start_instance(session, self.host.runtime, clerk, PROCESS, {"done": False})["id"])

    def _step(self, instance_id: int, done: bool) -> dict[str, float]:
        with self.host.database.transaction() as session:
            clerk = session.get(User, "clerk")
            [task_id] = [t["id"] for t in task_reading.list_tasks(session, clerk) if t["instance_id"] == instance_id]
            self.last_changes.clear()
            self.timers.take()
            self.sql.take()
            start = time.perf_counter()
            result = task_completion.complete_task(session, self.host.runtime, clerk, task_id, {"done": done})
        record = self.timers.take()
        record["total"] = time.perf_counter() - start  # complete_task and the commit
        changes = self.last_changes[-1]
        record["upserts"] = len(changes.upserts)
        record["deletes"] = len(changes.deletes)
        sizes = [len(json.dumps(v)) for v in changes.upserts.values()]
        record["bytes"] = sum(sizes) + len(json.dumps(changes.meta))
        record["largest"] = max(sizes, default=0)
        record["statements"] = self.sql.take()[0]
        record["completed"] = float(result["status"] == "completed")
        return record

    def _stored_rows(self, instance_id: int) -> int:
        with self.host.database.transaction() as session:
            query = select(func.count()).where(InstanceStateRow.instance_id == instance_id)
            return int(session.scalar(query.select_from(InstanceStateRow)) or 0)


def window(point: int, size: int, total: int) -> range:
    """`size` steps around `point`, never the last step (it ends the loop and the case)."""
    end = min(point - size // 2 + size, total)  # exclusive; `total` itself is left out
    start = max(1, end - size)
    return range(start, end)


def median_of(records: list[dict[str, float]], steps_: range, key: str) -> float:
    """The median over the window: one stray pause (autovacuum, a checkpoint) must not decide the verdict."""
    return statistics.median(records[s - 1].get(key, 0.0) for s in steps_)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000, help="completed user-task steps in the one case")
    parser.add_argument("--window", type=int, default=10, help="steps averaged around each measuring point")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument(
        "--mode",
        choices=["warm", "cold", "both"],
        default="both",
        help="warm: the process keeps the case between steps (as when one person works through a case); "
        "cold: every step loads the case from the database (as when it comes back hours later)",
    )
    args = parser.parse_args(argv)
    assert args.steps > 2 * args.window, "--steps must be well above --window"

    points = sorted({10, 100, args.steps // 2, args.steps} & set(range(10, args.steps + 1)))
    growth, parts, verdicts = [], [], []
    modes = ["warm", "cold"] if args.mode == "both" else [args.mode]
    runs = [(db, mode) for db in ["sqlite"] + ([] if args.skip_pg else ["postgresql"]) for mode in modes]
    for db, mode in runs:
        kind = f"{db} {mode}"
        started = time.perf_counter()
        first, last = window(10, args.window, args.steps), window(args.steps, args.window, args.steps)
        records, young, stored = run_case(db, args.pg_url, args.steps, mode == "warm", [first, last])
        wall = time.perf_counter() - started
        for point in points:
            span = window(point, args.window, args.steps)
            avg = {key: median_of(records, span, key) for key in ["total", "load", "engine", "save", *SAVE_PARTS]}
            label = f"{span.start}-{span.stop - 1}"
            growth.append(
                [kind, f"~{point} ({label})", ms(avg["total"]), ms(avg["load"]), ms(avg["engine"]), ms(avg["save"])]
                + [f"{median_of(records, span, k):.1f}" for k in ("statements", "upserts", "deletes")]
                + [f"{median_of(records, span, k):,.0f}" for k in ("bytes", "largest")]
            )
            if point in (10, args.steps):
                other = avg["save"] - sum(avg[k] for k in SAVE_PARTS)
                parts.append([kind, f"~{point}", ms(avg["save"]), *(ms(avg[k]) for k in SAVE_PARTS), ms(other)])
        # The verdict compares the grown case's steps with a young case's stepped right after each of them: this
        # machine's speed drifts by a third within minutes, which a comparison across the run would measure too.
        young_save = statistics.median(young[s]["save"] for s in last)
        save_ratio = median_of(records, last, "save") / young_save
        total_ratio = median_of(records, last, "total") / statistics.median(young[s]["total"] for s in last)
        across_run = median_of(records, last, "save") / median_of(records, first, "save")
        verdict = "TARGET MET" if save_ratio <= TARGET else "TARGET MISSED"
        rows_note = ", ".join(f"{n:,} state rows stored after step {s}" for s, n in sorted(stored.items()))
        verdicts.append(
            f"  {kind:<15} save@{args.steps}/save@10 = {save_ratio:.2f}x  (whole step {total_ratio:.2f}x;"
            f" against its own step 10, minutes earlier: {across_run:.2f}x)  {verdict}"
            f"\n  {'':<15} {len(records)} steps in {wall:.1f}s; {rows_note}"
        )

    print(f"\none {PROCESS} instance grown to {args.steps} completed steps;", end=" ")
    print(f"each figure is the median of {args.window} steps")
    print("(step = complete_task + commit; save = save_case; SQL = statements per step; rows written =")
    print(" StateChanges.upserts, bytes = their JSON plus meta, largest = the biggest row written)\n")
    headers = ["database", "at step", "step ms", "load ms", "engine ms", "save ms", "SQL", "rows written", "deleted"]
    headers += ["bytes", "largest"]
    print(table(headers, growth))
    print("\ninside save_case (median ms; rest = engine.data/status/next_due, instance UPDATE, audit event)\n")
    print(table(["database", "at step", "save", *SAVE_PARTS, "rest"], parts))
    print(f"\ntarget: save_case time at step {args.steps} at most {TARGET}x its time at step 10")
    print(f"(step 10: a young case's steps, each taken right after one of the grown case's steps at {args.steps})")
    print("\n".join(verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
