"""Does the inbox stay fast as the database fills? The inbox page and GET /api/v1/tasks with 1,000 cases and
with 100,000 cases stored, side by side, p50/p95 and their ratio (target: 100k / 1k at most 1.5); the case list
(/cases, the newest cases one may see) and its search by part of a case number beside them (no target: a search
by part of a number reads the numbers of every case the user may see, so it grows with them).

What is held equal: the work in progress. Both databases hold the same number of open cases (500, spread
over the six steps of `six_steps` and over 60 units, a third of the units' steps the land bureau's); the rest
are closed cases with their full stored history (state rows, completed task rows, audit events). A district's
inbox grows with its open cases, not with the years of closed ones behind them: this measures that the pages
do not pay for the history.

Cases are made by running real cases through the host (one closed, one open at each step), then copying
their stored rows under new ids, so 100,000 cases take seconds instead of hours. The copies' audit chains
are not re-hashed (the inbox never reads them); `audit verify` on a bench database would flag them.

    .venv/bin/python bench/bench_inbox.py              # --cases 1000 100000 --open 500 --requests 200 --skip-pg
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_PG_URL, FIXTURES, PASSWORDS, deployed_host, fresh_database, ms, pct

from workflow_host import create_app
from workflow_host.db import Database
from workflow_host.host import Host
from workflow_host.models import AuditEvent, InboxCandidate, InboxTask, Instance, InstanceStateRow
from workflow_host.services.directory import load_directory

STAGES = ["intake", "check", "review", "prepare", "approve", "file"]
UNITS = 60
BATCH = 2000
UNTARGETED = {"case list, one number"}  # measured beside the inbox, not held to its target
ROUNDS = 10  # the sizes are timed in turn, a tenth of the requests at a time


def extra_directory() -> str:
    """58 more handling units (60 with the fixture's two), each with an officer."""
    units = [{"id": f"unit_{i:02d}", "name": f"单位{i:02d}", "kind": "department"} for i in range(1, UNITS - 1)]
    users = [
        {"username": f"officer_{i:02d}", "name": f"干部{i:02d}", "password": "pw", "unit": f"unit_{i:02d}"}
        | {"roles": ["handling_unit"]}
        for i in range(1, UNITS - 1)
    ]
    return yaml.safe_dump({"units": units, "users": users}, allow_unicode=True)


def unit_names() -> list[str]:
    return ["land_bureau", "wudangzhao", *[f"unit_{i:02d}" for i in range(1, UNITS - 1)]]


class Api:
    def __init__(self, client: Any, username: str) -> None:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORDS[username]})
        self.client = client
        self.headers = {"Authorization": f"Bearer {response.get_json()['token']}"}

    def tasks(self) -> list[dict[str, Any]]:
        return self.client.get("/api/v1/tasks", headers=self.headers).get_json()["tasks"]  # type: ignore[no-any-return]

    def complete(self, instance_id: int, name: str, data: dict[str, Any]) -> None:
        task = next(t for t in self.tasks() if t["name"] == name and t["instance_id"] == instance_id)
        response = self.client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data}, headers=self.headers)
        assert response.status_code == 200, response.get_json()


def make_templates(host: Host) -> tuple[int, dict[str, int]]:
    """One closed case and one case open at each step, run for real; returns their instance ids."""
    client = create_app({"TESTING": True, "HOST": host}).test_client()
    clerk, jb, land, director = (Api(client, u) for u in ("clerk", "jb_staff", "land_officer", "director_wang"))
    walk = [
        (clerk, "intake", {"case_no": "(2025)模板", "defendant": "unit", "defendant_unit": "land_bureau"}),
        (clerk, "check", {}),
        (jb, "review", {}),
        (land, "prepare", {}),
        (director, "approve", {"approve_ok": True}),
        (clerk, "file", {}),
    ]
    ids: dict[str, int] = {}
    for stop in [*STAGES, "closed"]:
        started = client.post("/api/v1/instances", json={"process_id": "six_steps"}, headers=clerk.headers)
        ids[stop] = started.get_json()["id"]
        for who, name, data in walk:
            if name == stop:
                break
            who.complete(ids[stop], name, data)
    return ids.pop("closed"), ids


def rows_of(session: Any, model: Any, instance_id: int) -> list[dict[str, Any]]:
    table = model.__table__
    return [dict(r._mapping) for r in session.execute(select(table).where(table.c.instance_id == instance_id))]


def copy_cases(host: Host, total: int, open_cases: int) -> None:
    """Fill the database to `total` cases: `open_cases` open ones over the steps and units, the rest closed."""
    closed_id, open_ids = make_templates(host)
    with host.database.transaction() as session:
        templates = {}
        for kind, instance_id in [("closed", closed_id), *open_ids.items()]:
            instance = dict(
                session.execute(select(Instance.__table__).where(Instance.id == instance_id)).one()._mapping
            )
            templates[kind] = {
                "instance": instance,
                "states": rows_of(session, InstanceStateRow, instance_id),
                "tasks": rows_of(session, InboxTask, instance_id),
                "events": rows_of(session, AuditEvent, instance_id),
            }
        for kind in templates:
            for task in templates[kind]["tasks"]:
                keys = session.scalars(select(InboxCandidate.key).where(InboxCandidate.task_id == task["id"]))
                task["_keys"] = list(keys)
        next_id = (session.scalar(select(func.max(Instance.id))) or 0) + 1
    units = unit_names()
    made = len(templates)
    plan = [STAGES[i % len(STAGES)] for i in range(max(open_cases - len(STAGES), 0))]
    plan += ["closed"] * max(total - made - len(plan), 0)
    for start in range(0, len(plan), BATCH):
        batch = plan[start : start + BATCH]
        instances, states, tasks, candidates, events = [], [], [], [], []
        for offset, kind in enumerate(batch):
            number = start + offset
            template, instance_id = templates[kind], next_id + number
            case_no = f"(2025)蒙0205行初{number}号"
            # Land and demolition cases are the commonest: a third of the units' work is the land bureau's.
            unit = "land_bureau" if number % 3 == 0 else units[number % len(units)]
            keys = {"case_no": case_no, "number_keys": f"\n{case_no}\n", "unit_keys": f"\n{unit}\n"}
            instances.append(template["instance"] | {"id": instance_id, **keys})
            states += [s | {"instance_id": instance_id} for s in template["states"]]
            events += [
                {k: v for k, v in e.items() if k != "id"} | {"instance_id": instance_id} for e in template["events"]
            ]
            for task in template["tasks"]:
                task_id = str(uuid.uuid4())
                row = {k: v for k, v in task.items() if k != "_keys"} | {"id": task_id, "instance_id": instance_id}
                row["case_no"] = case_no
                if task["status"] == "ready" and task["element_id"] == "prepare":
                    row["unit"] = unit
                tasks.append(row)
                if task["status"] == "ready":
                    keys = [
                        f"ru:handling_unit@{unit}" if k.startswith("ru:handling_unit@") else k for k in task["_keys"]
                    ]
                    candidates += [{"task_id": task_id, "key": k} for k in keys]
        with host.database.transaction() as session:
            session.execute(insert(Instance.__table__), instances)
            session.execute(insert(InstanceStateRow.__table__), states)
            session.execute(insert(AuditEvent.__table__), events)
            session.execute(insert(InboxTask.__table__), tasks)
            if candidates:
                session.execute(insert(InboxCandidate.__table__), candidates)
    with host.database.transaction() as session:
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            session.execute(text("SELECT setval('instance_id_seq', (SELECT max(id) FROM instance))"))
        else:
            session.execute(text("ANALYZE"))
    if host.database.engine.dialect.name == "postgresql":
        # what autovacuum does to a table that only grows: statistics, and the visibility map without which
        # PostgreSQL reads the table beside an index (the cases a person worked on, from the audit index)
        with host.database.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))


def sign_in_page(client: Any, username: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    response = client.post(
        "/login", data={"csrf_token": token.group(1), "username": username, "password": PASSWORDS[username]}
    )
    assert response.status_code == 302


class Caller:
    """One user's three timed requests against one host (a signed-in page client and an API client)."""

    def __init__(self, host: Host, username: str) -> None:
        app = create_app({"TESTING": True, "HOST": host})
        page_client, api_client = app.test_client(), app.test_client()
        sign_in_page(page_client, username)
        api = Api(api_client, username)
        self.calls = {
            "inbox page": lambda: page_client.get("/inbox"),
            "inbox page 2, due sort": lambda: page_client.get("/inbox?page=2&sort=due"),
            "GET /api/v1/tasks": lambda: api_client.get("/api/v1/tasks", headers=api.headers),
            "case list": lambda: page_client.get("/cases"),
            "case list, one number": lambda: page_client.get("/cases?q=行初77号"),
        }

    def measure(self, name: str, requests: int) -> list[float]:
        samples = []
        for _ in range(requests):
            begin = time.perf_counter()
            response = self.calls[name]()
            samples.append(time.perf_counter() - begin)
            assert response.status_code == 200
        return samples


def visible(host: Host, username: str) -> int:
    app = create_app({"TESTING": True, "HOST": host})
    return len(Api(app.test_client(), username).tasks())


def fill(kind: str, url: str, total: int, open_cases: int, tmp: Path) -> tuple[Database, Host]:
    """A fresh database holding `total` cases, `open_cases` of them open."""
    database = fresh_database(kind, url, tmp)
    host = deployed_host(database, FIXTURES / "processes", FIXTURES / "forms")
    with database.transaction() as session:
        load_directory(session, extra_directory())
    began = time.perf_counter()
    copy_cases(host, total, open_cases)
    with database.transaction() as session:
        stored = session.scalar(select(func.count()).select_from(Instance))
        ready = session.scalar(select(func.count()).select_from(InboxTask).where(InboxTask.status == "ready"))
        rows = session.scalar(select(func.count()).select_from(InboxTask))
    took = time.perf_counter() - began
    print(f"  {kind}: {stored} cases ({ready} ready tasks, {rows} task rows) filled in {took:.1f}s")
    for user in ("clerk", "land_officer"):
        print(f"    {user} sees {visible(host, user)} tasks over the API")
    return database, host


def run(kind: str, args: argparse.Namespace) -> dict[int, dict[str, dict[str, list[float]]]]:
    """Fill one database per size, then time them in alternating rounds: this machine's speed drifts over a
    minute, and timing one size after the other tilted the ratio with it."""
    results: dict[int, dict[str, dict[str, list[float]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        filled = []
        for number, total in enumerate(args.cases):
            url = args.pg_url if number == 0 else f"{args.pg_url}_{number}"  # PostgreSQL: a database per size
            (Path(tmp) / str(number)).mkdir()
            filled.append((total, *fill(kind, url, total, args.open, Path(tmp) / str(number))))
        callers = {(total, user): Caller(host, user) for total, _, host in filled for user in ("clerk", "land_officer")}
        for (total, user), caller in callers.items():
            for name in caller.calls:
                caller.measure(name, args.warmup)
                results.setdefault(total, {}).setdefault(user, {})[name] = []
        per_round = max(args.requests // ROUNDS, 1)
        for _ in range(ROUNDS):
            for (total, user), caller in callers.items():
                for name in caller.calls:
                    results[total][user][name] += caller.measure(name, per_round)
        for _, database, _ in filled:
            database.dispose()
    return results


def report(kind: str, results: dict[int, dict[str, dict[str, list[float]]]], cases: list[int]) -> bool:
    small, large = cases[0], cases[-1]
    ok = True
    print(f"\n{kind}: latency per request in ms (p50 / p95), {small:,} vs {large:,} cases stored")
    head = f"{'p50 ' + str(small):>11}{'p95':>9}{'p50 ' + str(large):>13}{'p95':>9}"
    print(f"  {'user':<13}{'request':<26}{head}{'ratio p50':>11}{'ratio p95':>11}")
    for user in results[small]:
        for name in results[small][user]:
            a, b = results[small][user][name], results[large][user][name]
            r50, r95 = pct(b, 50) / pct(a, 50), pct(b, 95) / pct(a, 95)
            ok = ok and (r50 <= 1.5 or name in UNTARGETED)
            print(
                f"  {user:<13}{name:<26}{ms(pct(a, 50)):>11}{ms(pct(a, 95)):>9}{ms(pct(b, 50)):>13}{ms(pct(b, 95)):>9}"
                f"{r50:>11.2f}{r95:>11.2f}"
            )
    print(
        f"  TARGET {'MET' if ok else 'MISSED'}: every p50 ratio {large:,}/{small:,} at most 1.5"
        f" (but {', '.join(UNTARGETED)})"
    )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--open", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    kinds = ["sqlite"] if args.skip_pg else ["sqlite", "postgresql"]
    outcome = []
    for kind in kinds:
        print(f"{kind}:")
        outcome.append(report(kind, run(kind, args), args.cases))
    sys.exit(0 if all(outcome) else 1)


if __name__ == "__main__":
    main()
