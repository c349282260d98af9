"""Who may do what across units: two cases of the land bureau and two of Wudangzhao township, each waiting at
its unit's `prepare` step, tried by the heads and staff of both units, each unit's vice head, the district roles
(government office, justice bureau and its head), the analyst, the auditor and the administrator: view the case,
view the task, claim, complete, assign, deploy, migrate and the audit routes, over the API and the pages. Every
refused write is checked to change nothing. The rules are services/permissions.py's and those of
services/task_reading.py, task_claims.py and task_completion.py."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.conftest import PASSWORDS, Api
from tests.processes.test_appeal import CASE as APPEAL_CASE
from tests.web.test_pages import Web, host_of
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.models import AuditEvent, InboxTask, Instance, ProcessVersion
from workflow_host.services.directory import load_directory

# Wudangzhao gets a head of its own and a vice head of its own: li_vice now supervises only the land bureau
# (and the justice bureau), zhang_vice only the township.
SECOND_UNIT = """
units:
  - {id: wudangzhao, name: 五当召镇人民政府, kind: township, head: town_head, supervisor: zhang_vice}
users:
  - {username: town_head, name: 五当召镇镇长, password: pw-townhead, unit: wudangzhao, roles: [handling_unit]}
  - {username: zhang_vice, name: 张副区长, password: pw-zhang, roles: [vice_head_in_charge]}
  - {username: admin, name: 系统管理员, password: pw-admin, roles: [admin]}
"""
PASSWORD = {**PASSWORDS, "town_head": "pw-townhead", "zhang_vice": "pw-zhang", "admin": "pw-admin"}
DISTRICT = {"clerk", "jb_staff", "zhao"}  # government office, justice bureau (also a handling unit role), its head
UNIT = {"land": {"land_officer", "land_head"}, "town": {"town_officer", "town_head"}}
HEAD = {"land": "land_head", "town": "town_head"}
VICE = {"land": "li_vice", "town": "zhang_vice"}
READ_ALL = {"auditor", "admin"}
USERS = sorted(DISTRICT | UNIT["land"] | UNIT["town"] | set(VICE.values()) | READ_ALL | {"analyst"})
DEFENDANT = {"land": "land_bureau", "town": "wudangzhao"}


class Cases:
    """Two cases per unit at `prepare`: the first for every check, the second for a second user's completion."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        with host_of(app).database.transaction() as session:
            load_directory(session, SECOND_UNIT)
        self.api = {name: Api(app.test_client(), name, PASSWORD[name]) for name in USERS}
        self.case: dict[str, list[int]] = {"land": [], "town": []}
        self.task: dict[str, list[str]] = {"land": [], "town": []}
        for unit in ("land", "town"):
            for _ in range(2):
                case_id, task_id = self._open(unit)
                self.case[unit].append(case_id)
                self.task[unit].append(task_id)

    def _open(self, unit: str) -> tuple[int, str]:
        clerk, jb = self.api["clerk"], self.api["jb_staff"]
        case_id = clerk.post("/instances", json={"process_id": "six_steps"}).get_json()["id"]
        intake = {"case_no": f"(2026)蒙0205行初{case_id}号", "defendant": "unit", "defendant_unit": DEFENDANT[unit]}
        for api, name, data in ((clerk, "intake", intake), (clerk, "check", {}), (jb, "review", {})):
            answer = api.post(f"/tasks/{self.ready(case_id, name)}/complete", json={"data": data})
            assert answer.status_code == 200, answer.get_json()
        return case_id, self.ready(case_id, "prepare")

    def ready(self, case_id: int, name: str) -> str:
        with host_of(self.app).database.transaction() as session:
            found = session.scalar(
                select(InboxTask.id).where(
                    InboxTask.instance_id == case_id, InboxTask.element_id == name, InboxTask.status == "ready"
                )
            )
        assert found is not None, (case_id, name)
        return found

    def state(self, unit: str) -> tuple[Any, ...]:
        """What a refused write must leave as it was: the task's status and claim, the case's event count."""
        with host_of(self.app).database.transaction() as session:
            task = session.get(InboxTask, self.task[unit][0])
            assert task is not None
            events = session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id == self.case[unit][0])
            )
            return task.status, task.claimed_by, events


class Page(Web):
    """A page session of a user of the fixture directory or of SECOND_UNIT."""

    def sign_in(self, username: str) -> None:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": PASSWORD[username]})
        assert response.status_code == 302, response.get_data(as_text=True)
        self.get("/inbox")


def viewers(unit: str) -> set[str]:
    return DISTRICT | READ_ALL | UNIT[unit] | {VICE[unit]}


# route → (path of the unit's first case and task, who may) for reads over the API and the pages
READS = {
    "api view case": (lambda c, t: f"/api/v1/instances/{c}", viewers),
    "page view case": (lambda c, t: f"/cases/{c}", viewers),
    "api view task": (lambda c, t: f"/api/v1/tasks/{t}", lambda u: UNIT[u] | READ_ALL),
    "page view task": (lambda c, t: f"/tasks/{t}", viewers),
    "api audit events": (lambda c, t: f"/api/v1/instances/{c}/events", viewers),
    "api audit export": (lambda c, t: f"/api/v1/instances/{c}/export", viewers),
    "page audit history": (lambda c, t: f"/cases/{c}/history", viewers),
    "page migrate": (lambda c, t: "/modeller/six_steps/migrate", lambda u: {"analyst", "admin"}),
}


def _read(cases: Cases, web: dict[str, Page], username: str, path: str) -> int:
    if path.startswith("/api/"):
        return int(cases.api[username].get(path[len("/api/v1") :]).status_code)
    return int(web[username].get(path).status_code)


def test_reads_across_two_units(app: Flask) -> None:
    cases = Cases(app)
    web = {name: Page(app, name) for name in USERS}
    checked, wrong = 0, []
    for unit in ("land", "town"):
        for route, (path, allowed) in READS.items():
            where = path(cases.case[unit][0], cases.task[unit][0])
            for username in USERS:
                status = _read(cases, web, username, where)
                checked += 1
                if (status < 400) != (username in allowed(unit)):
                    wrong.append(f"{route} of the {unit} case as {username} → {status}")
    print(f"\nunit matrix reads: {len(READS)} routes × {len(USERS)} users × 2 units = {checked} checks")
    assert wrong == []


def _versions(app: Flask) -> int:
    with host_of(app).database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessVersion)) or 0)


def _claimed_by(cases: Cases, unit: str) -> str | None:
    return cases.state(unit)[1]  # type: ignore[no-any-return]


def _try_allowed(cases: Cases, web: dict[str, Page], unit: str, route: str, username: str) -> bool:
    """Do the write as a user who may, check that it happened, and undo it; False when it did not happen."""
    task, case = cases.task[unit][0], cases.case[unit][0]
    if route in ("api claim", "page claim", "page assign"):
        staff = sorted(UNIT[unit] - {HEAD[unit]})[0]
        if route == "api claim":
            done = cases.api[username].post(f"/tasks/{task}/claim").status_code == 200
        elif route == "page claim":
            web[username].post(f"/tasks/{task}/claim")
        else:
            web[username].post(f"/tasks/{task}/assign", {"assignee": staff})
        holder = staff if route == "page assign" else username
        done = _claimed_by(cases, unit) == holder
        assert cases.api[holder].post(f"/tasks/{task}/unclaim").status_code == 200
        return done
    if route == "api deploy":  # an empty upload passes the role check and is then refused as empty
        return int(cases.api[username].post("/processes/six_steps/versions").status_code) == 422
    if route == "api verify":
        return cases.api[username].post(f"/instances/{case}/verify").get_json().get("ok") is True
    if route == "page migrate":  # the migration page, posted with no case chosen, moves nothing
        return int(web[username].post("/modeller/six_steps/migrate").status_code) == 200
    return route in ("api complete", "page complete")  # done for real at the end (a completion moves the case on)


def _try_denied(cases: Cases, web: dict[str, Page], unit: str, route: str, username: str) -> bool:
    """Attempt the write as a user who may not; True when it was refused and nothing changed."""
    task, case = cases.task[unit][0], cases.case[unit][0]
    before, versions_before = cases.state(unit), _versions(cases.app)
    api, page = cases.api[username], web[username]
    staff = sorted(UNIT[unit] - {HEAD[unit]})[0]
    status = {
        "api claim": lambda: api.post(f"/tasks/{task}/claim").status_code,
        "page claim": lambda: page.post(f"/tasks/{task}/claim").status_code,
        "api complete": lambda: api.post(f"/tasks/{task}/complete", json={"data": {}}).status_code,
        "page complete": lambda: page.post(f"/tasks/{task}", {"action": "complete"}).status_code,
        "page assign": lambda: page.post(f"/tasks/{task}/assign", {"assignee": staff}).status_code,
        "api deploy": lambda: api.post("/processes/six_steps/versions").status_code,
        "page migrate": lambda: page.post("/modeller/six_steps/migrate", {"instance": str(case)}).status_code,
        "api verify": lambda: api.post(f"/instances/{case}/verify").status_code,
    }[route]()
    refused = status in (401, 403, 404) or (status in (302, 303) and route.startswith("page"))
    return refused and cases.state(unit) == before and _versions(cases.app) == versions_before


WRITES = {
    "api claim": lambda u: UNIT[u],
    "page claim": lambda u: UNIT[u],
    "api complete": lambda u: UNIT[u],
    "page complete": lambda u: UNIT[u],
    "page assign": lambda u: {HEAD[u]},
    "api deploy": lambda u: {"analyst", "admin"},
    "page migrate": lambda u: {"analyst", "admin"},
    "api verify": viewers,
}


def test_writes_across_two_units_refused_writes_change_nothing(app: Flask) -> None:
    cases = Cases(app)
    web = {name: Page(app, name) for name in USERS}
    checked, wrong = 0, []
    for unit in ("land", "town"):
        for route, allowed in WRITES.items():
            for username in USERS:
                try_it = _try_allowed if username in allowed(unit) else _try_denied
                checked += 1
                if not try_it(cases, web, unit, route, username):
                    wrong.append(f"{route} on the {unit} case as {username}")
    assert wrong == []
    for unit in ("land", "town"):  # and both of the unit's people complete: the head over the API, staff on the page
        head, staff = HEAD[unit], sorted(UNIT[unit] - {HEAD[unit]})[0]
        assert cases.api[head].post(f"/tasks/{cases.task[unit][0]}/complete", json={"data": {}}).status_code == 200
        web[staff].get(f"/tasks/{cases.task[unit][1]}")
        assert web[staff].post(f"/tasks/{cases.task[unit][1]}", {"action": "complete"}).status_code == 302
        assert cases.ready(cases.case[unit][0], "approve")
        assert cases.ready(cases.case[unit][1], "approve")
        checked += 2
    print(
        f"\nunit matrix writes: {len(WRITES)} routes × {len(USERS)} users × 2 units + 4 completions = {checked} checks"
    )


def test_a_unit_starts_cases_for_itself_only_and_every_unit_named_must_exist(measures: Host) -> None:
    """On the measures' appeal, which begins with the handling unit's step (a unit's officer may start it alone)."""
    app = create_app({"TESTING": True, "HOST": measures})
    with host_of(app).database.transaction() as session:
        load_directory(session, SECOND_UNIT)
    api = {name: Api(app.test_client(), name, PASSWORD[name]) for name in ("land_officer", "town_officer", "clerk")}

    def start(username: str, **data: Any) -> Any:
        return api[username].post("/instances", json={"process_id": "appeal", "data": {**APPEAL_CASE, **data}})

    def cases() -> int:
        with host_of(app).database.transaction() as session:
            return int(session.scalar(select(func.count()).select_from(Instance)) or 0)

    before = cases()
    # the land bureau's officer may not open a case in the township's name (its inbox, its head's reminders)
    refused = start("land_officer", handling_units=["wudangzhao"])
    assert refused.status_code == 403
    assert "wudangzhao" in refused.get_json()["message"]
    assert start("town_officer", defendant_unit="land_bureau").status_code == 403
    unknown = start("clerk", handling_units=["land_bureau", "no_such_bureau"])
    assert unknown.status_code == 422
    assert [e["path"] for e in unknown.get_json()["errors"]] == ["/handling_units"]
    assert cases() == before  # nothing of a refused start is kept
    assert start("land_officer", handling_units=["land_bureau"]).status_code == 201  # its own unit
    assert start("clerk", handling_units=["wudangzhao"]).status_code == 201  # a district role, for any unit
    assert cases() == before + 2
