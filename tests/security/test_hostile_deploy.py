"""The hostile corpus (hostile_corpus.py) through the real deploy paths: the API (POST /processes/{id}/versions,
diagrams as the body, forms as multipart files) and the analyst's pages (the modeller's save, the form editor's
save). Every attack is refused with an error that names what was wrong; no version is stored for an upload
refused at deploy, no case for a script stopped at start; the server goes on serving."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import PASSWORDS, Api
from tests.security.hostile_corpus import ATTACKS, Attack
from tests.web.test_pages import Web, host_of
from workflow_host.models import Instance, ProcessVersion


def _count(app: Flask, model: Any) -> int:
    with host_of(app).database.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


class Analyst:
    """The analyst over the API and on the pages, and a clerk to start cases."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.api = Api(app.test_client(), "analyst", PASSWORDS["analyst"])
        self.web = Web(app, "analyst")
        self.web.get("/lang/en")  # the corpus names each refusal in English words; the pages are Chinese first
        self.web.get("/modeller/six_steps")
        self.clerk = Api(app.test_client(), "clerk", PASSWORDS["clerk"])

    def upload(self, path: str, attack: Attack) -> Any:
        if path == "api" and attack.name.endswith(".json"):  # a form replaces the intake form of six_steps
            # encoded in memory: the test client would spool a large upload to a file it never closes
            boundary, body = encode_multipart({"files": FileStorage(io.BytesIO(attack.content), "intake.schema.json")})
            kind = f"multipart/form-data; boundary={boundary}"
            return self.api.post("/processes/six_steps/versions", data=body, content_type=kind)
        if path == "api":
            return self.api.post("/processes/six_steps/versions", data=attack.content, content_type="application/xml")
        if attack.name.endswith(".json"):
            text = attack.content.decode("utf-8")
            return self.web.post("/modeller/forms/intake/save", {"schema": text, "ui_schema": ""})
        headers = {"X-CSRF-Token": self.web.token}
        return self.web.client.post("/modeller/six_steps/save", data=attack.content, headers=headers)


def _message(response: Any) -> str:
    body = response.get_json() or {}
    return " ".join([body.get("message", ""), *(e.get("message", "") for e in body.get("errors", []))])


def _refused(analyst: Analyst, path: str, attack: Attack) -> str | None:
    """None when the attack was refused as the corpus says, with nothing stored; else what went wrong."""
    app = analyst.app
    versions, cases = _count(app, ProcessVersion), _count(app, Instance)
    answer = analyst.upload(path, attack)
    if attack.refused_at == "start":
        if answer.status_code not in (200, 201):
            return f"deploy {answer.status_code}: {_message(answer)[:200]}"
        answer = analyst.clerk.post("/instances", json={"process_id": "six_steps"})
        versions += 1
    if answer.status_code != 422 or attack.reason not in _message(answer):
        return f"{attack.refused_at} {answer.status_code}: {_message(answer)[:200]}"
    if "Traceback" in answer.get_data(as_text=True) or "root:" in answer.get_data(as_text=True):
        return "the answer leaks a stack trace or a file"
    if (_count(app, ProcessVersion), _count(app, Instance)) != (versions, cases):
        return "something was stored"
    serving = analyst.clerk.get("/processes").status_code, analyst.web.get("/inbox").status_code
    return None if serving == (200, 200) else f"not serving afterwards: {serving}"


@pytest.mark.parametrize("path", ["api", "pages"])
def test_every_attack_of_the_corpus_is_refused_and_nothing_is_stored(app: Flask, path: str) -> None:
    analyst = Analyst(app)
    tried = [a for a in ATTACKS if path == "api" or not a.name.endswith(".dmn")]  # the modeller saves BPMN
    wrong = {attack.name: problem for attack in tried if (problem := _refused(analyst, path, attack))}
    print(f"\nhostile corpus over the {path}: {len(tried) - len(wrong)} of {len(tried)} attacks refused")
    assert wrong == {}


def test_data_nested_past_any_form_is_refused_not_a_500(app: Flask) -> None:
    clerk = Api(app.test_client(), "clerk", PASSWORDS["clerk"])
    started = clerk.post("/instances", json={"process_id": "six_steps"}).get_json()
    task = started["tasks"][0]["id"]
    for depth in (65, 5000, 100000):  # past the limit; past the JSON decoder's recursion; far past it
        body = b'{"data": {"a": ' + b"[" * depth + b"]" * depth + b"}}"
        for where in ("/instances", f"/tasks/{task}/complete"):
            answer = clerk.post(where, data=body, content_type="application/json")
            assert answer.status_code == 422, (where, depth, answer.status_code)
            assert "nested more than 64 levels" in answer.get_json()["message"]
    web = Web(app, "clerk")
    web.get(f"/tasks/{task}")
    assert web.post(f"/tasks/{task}", {"action": "add:" + "a." * 3000 + "b"}).status_code == 200  # the form again
    assert clerk.get(f"/instances/{started['id']}").get_json()["tasks"][0]["id"] == task  # still waiting


def test_nan_infinity_and_lone_surrogates_are_refused_not_stored_nor_a_500(app: Flask) -> None:
    # Python's JSON decoder takes all three; no strict client can read NaN back, and a lone surrogate is no text
    clerk = Api(app.test_client(), "clerk", PASSWORDS["clerk"])
    cases = _count(app, Instance)
    for value, said in [(b"NaN", "NaN"), (b"1e999", "Infinity"), (b'"\\ud800"', "surrogate")]:
        body = b'{"process_id": "six_steps", "data": {"a": [' + value + b"]}}"
        answer = clerk.post("/instances", data=body, content_type="application/json")
        assert answer.status_code == 422, (value, answer.status_code)
        assert said in answer.get_json()["message"]
    signing_in = b'{"username": "\\udfff", "password": "x"}'
    answer = app.test_client().post("/api/v1/auth/token", data=signing_in, content_type="application/json")
    assert answer.status_code == 422
    assert _count(app, Instance) == cases
