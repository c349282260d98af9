"""Schemathesis against /api/v1/openapi.json: every operation of the JSON API gets generated requests, valid
and invalid, sent to the real app (the demo directory, the measures deployed, a case open) with a real bearer
token. No answer may be a 5xx, and every answer must match the document: a status it lists, the content type
it names, a body of its schema. The budget is fixed and the generation derandomized, so CI runs the same cases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from flask import Flask
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Api
from workflow_host import create_app
from workflow_host.config import Settings
from workflow_host.db import Database
from workflow_host.host import Host
from workflow_host.services import deployment, schema
from workflow_host.services.directory import load_directory

ROOT = Path(__file__).parent.parent.parent
EXAMPLES_PER_OPERATION = 40
# What the server answers is checked; the checks that judge whether the server accepts exactly the data the
# document allows (negative_data_rejection, positive_data_acceptance) are left out: a valid case id that is not
# the caller's is refused, by design.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# no notification is due in a fresh case; completing needs a form's worth of valid data (test_api_flow does it)
UNREACHED = {"POST /notifications/{notification_id}/read", "POST /tasks/{task_id}/complete"}
DEMO_PASSWORDS = {"clerk": "clerk-demo", "analyst": "analyst-demo"}
TERMINATE = "POST /instances/{instance_id}/terminate"  # the clerk registered the cases: may, until a step is done


@pytest.fixture
def demo_app(tmp_path: Path) -> Flask:
    """The app as `make run` serves it, on a fresh SQLite file."""
    database = Database(f"sqlite:///{tmp_path / 'fuzz.sqlite3'}")
    schema.init_db(database)
    host = Host.on(Settings(database_url=database.url, secret_key="f" * 32), database)
    with database.transaction() as session:
        load_directory(session, (ROOT / "demo" / "directory.yaml").read_text(encoding="utf-8"))
        deployment.deploy(session, host.runtime, deployment.read_directory(ROOT / "processes", ROOT / "forms"), "fuzz")
    return create_app({"TESTING": True, "HOST": host})


class Callers:
    """Bearer tokens: the clerk for the case work, the analyst for deploying, a fresh one for each revocation."""

    def __init__(self, app: Flask) -> None:
        self.client = app.test_client()
        self.clerk = self.sign_in("clerk")
        self.analyst = self.sign_in("analyst")

    def sign_in(self, username: str) -> dict[str, str]:
        return Api(self.client, username, DEMO_PASSWORDS[username]).headers

    def for_operation(self, label: str) -> Callable[[], dict[str, str]]:
        if label == "POST /auth/revoke":
            return lambda: self.sign_in("clerk")
        return (lambda: self.analyst) if label.startswith("POST /processes/") else (lambda: self.clerk)


def _strategies(operation: Any, real: dict[str, Any]) -> Any:
    """Generated cases, half of them aimed at the real case, task and process (else nearly all would be 404)."""
    names = {p.name for p in operation.path_parameters}
    pinned = {k: v for k, v in real.items() if k in names}
    if operation.label == TERMINATE:  # a case of its own: the others go on with theirs
        pinned["instance_id"] = real["spare_instance_id"]
    found = [operation.as_strategy(mode) for mode in schemathesis.GenerationMode]
    if pinned:
        found += [operation.as_strategy(mode, path_parameters=pinned) for mode in schemathesis.GenerationMode]
    if operation.label == "POST /instances":
        found.append(operation.as_strategy().map(lambda case: _start_real_process(case, real["process_id"])))
    return st.one_of(found)


def _start_real_process(case: Any, process_id: str) -> Any:
    case.body = {**case.body, "process_id": process_id}
    return case


def _explicit(operation: Any, real: dict[str, Any]) -> list[Any]:
    """A request known to succeed, for the operations random data almost never gets through."""
    if operation.label == "POST /auth/token":
        return [operation.Case(body={"username": "clerk", "password": DEMO_PASSWORDS["clerk"]})]
    if operation.label == "POST /processes/{process_id}/versions":
        xml = (ROOT / "processes" / "archive.bpmn").read_text(encoding="utf-8")
        return [operation.Case(path_parameters={"process_id": "archive"}, body=xml, media_type="application/xml")]
    if operation.label == TERMINATE:
        return [operation.Case(path_parameters={"instance_id": real["spare_instance_id"]}, body={"reason": "重复登记"})]
    return []


def _fuzz(strategy: Any, examples: list[Any], headers: Callable[[], dict[str, str]], statuses: Counter[int]) -> None:
    @hypothesis.settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.given(case=strategy)
    def run(case: Any) -> None:
        statuses[case.call_and_validate(headers=headers(), checks=CHECKS).status_code] += 1

    for example in examples:
        run = hypothesis.example(case=example)(run)
    run()


def test_every_api_operation_answers_as_documented(demo_app: Flask) -> None:
    callers = Callers(demo_app)
    case, spare = (
        demo_app.test_client()
        .post("/api/v1/instances", json={"process_id": "litigation_case"}, headers=callers.clerk)
        .get_json()
        for _ in range(2)
    )
    real = {"instance_id": case["id"], "task_id": case["tasks"][0]["id"], "process_id": "litigation_case"}
    real["spare_instance_id"] = spare["id"]
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)
    ran: dict[str, Counter[int]] = {}
    for result in loaded.get_all_operations():
        operation = result.ok()
        ran[operation.label] = Counter()
        headers = callers.for_operation(operation.label)
        _fuzz(_strategies(operation, real), _explicit(operation, real), headers, ran[operation.label])
    for label, statuses in ran.items():
        print(f"  {label}: {dict(sorted(statuses.items()))}")
    cases = sum(sum(s.values()) for s in ran.values())
    print(f"schemathesis: {len(ran)} operations, {cases} cases run, no 5xx, every answer as documented")
    assert len(ran) == sum(len(methods) for methods in loaded.raw_schema["paths"].values())
    never = {label for label, statuses in ran.items() if not statuses[200] + statuses[201]}
    assert never == UNREACHED
    assert demo_app.test_client().get("/api/v1/processes", headers=callers.clerk).status_code == 200
