"""Deploying diagrams over the API: real diagrams go in as versions, hostile ones are refused and leave nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="six_steps" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:scriptTask id="work"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="six_steps" name="&xxe;" isExecutable="true"><bpmn:startEvent id="s" /></bpmn:process>
</bpmn:definitions>"""
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + ']>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&lol9;</bpmn:definitions>'
)


def _versions(api: Any) -> set[int]:
    return {p["version"]["id"] for p in api.get("/processes").get_json()["processes"]}


def test_an_analyst_deploys_the_measures_diagram_with_its_forms(login: Any) -> None:
    analyst = login("analyst")
    bpmn = ROOT / "processes/judicial_suggestion.bpmn"
    files = [(io.BytesIO(p.read_bytes()), p.name) for p in [bpmn, *(ROOT / "forms").glob("suggestion_*.json")]]
    response = analyst.post("/processes/judicial_suggestion/versions", data={"files": files})
    assert response.status_code == 201, response.get_json()
    listed = {p["process_id"]: p for p in analyst.get("/processes").get_json()["processes"]}
    assert listed["judicial_suggestion"]["version"]["id"] == response.get_json()["id"]
    assert "six_steps" in listed  # the rest of the previous version is carried over


def test_only_analysts_deploy(login: Any) -> None:
    response = login("clerk").post("/processes/six_steps/versions", data=b"<x/>", content_type="application/xml")
    assert response.status_code == 403


def test_xxe_and_billion_laughs_are_refused_and_nothing_is_stored(login: Any) -> None:
    analyst = login("analyst")
    before = _versions(analyst)
    for hostile in (XXE, LAUGHS):
        response = analyst.post("/processes/six_steps/versions", data=hostile.encode(), content_type="application/xml")
        assert response.status_code == 422
        messages = " ".join(e["message"] for e in response.get_json()["errors"])
        assert "not allowed" in messages
        assert "root:" not in response.get_data(as_text=True)
    assert _versions(analyst) == before
    assert login("clerk").post("/instances", json={"process_id": "six_steps"}).status_code == 201


def test_a_sandbox_escape_in_a_script_is_refused_with_element_and_line(login: Any) -> None:
    analyst = login("analyst")
    script = "x = 1\ny = ().__class__.__base__.__subclasses__()"
    body = SCRIPT_BPMN.format(script=script).encode()
    response = analyst.post("/processes/six_steps/versions", data=body, content_type="application/xml")
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["element_id"] == "work"
    assert error["line"] == 2
    assert "__subclasses__" in error["message"] or "__class__" in error["message"]


def test_an_endless_script_is_stopped_and_the_case_is_not_created(login: Any) -> None:
    analyst, clerk = login("analyst"), login("clerk")
    body = SCRIPT_BPMN.format(script="n = 0\nwhile True:\n    n += 1").encode()
    assert analyst.post("/processes/six_steps/versions", data=body, content_type="application/xml").status_code == 201
    response = clerk.post("/instances", json={"process_id": "six_steps"})
    assert response.status_code == 422
    assert "script stopped" in response.get_json()["message"]
    assert response.get_json()["element_id"] == "work"
    assert clerk.get("/instances/1").status_code == 404
    assert clerk.get("/tasks").status_code == 200


def test_bad_requests_get_json_errors_not_500(login: Any, client: Any) -> None:
    clerk = login("clerk")
    assert client.get("/api/v1/tasks").status_code == 401
    assert client.get("/api/v1/tasks", headers={"Authorization": "Bearer nope"}).status_code == 401
    bad_json = clerk.client.post(
        "/api/v1/instances", data=b"{not json", headers=clerk.headers, content_type="application/json"
    )
    assert bad_json.status_code == 400
    assert bad_json.get_json()["error"] == "bad_request"
    assert clerk.post("/instances", json={"process_id": "no_such_process"}).status_code == 404
    assert clerk.post("/instances", json={"process_id": "six_steps", "data": [1, 2]}).status_code == 422
    assert clerk.get("/instances/999").status_code == 404
    assert clerk.get("/nowhere").get_json()["error"] == "not_found"
