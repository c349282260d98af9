"""Versions are immutable and keyed by content: redeploying is a no-op, running cases keep their version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services import deployment, instances, versions
from workflow_host.services.errors import Invalid

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _files() -> dict[str, bytes]:
    return deployment.read_directory(FIXTURES / "processes", FIXTURES / "forms")


def test_redeploying_the_same_files_is_a_no_op(deployed: Host) -> None:
    with deployed.database.transaction() as session:
        again = deployment.deploy(session, deployed.runtime, _files(), "test")
    assert again.created is False
    assert again.version.id == 1


def test_running_cases_keep_their_version_and_new_cases_take_the_newest(deployed: Host) -> None:
    with deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        old_case = instances.start_instance(session, deployed.runtime, clerk, "six_steps", {})
    files = _files()
    files["processes/six_steps.bpmn"] = files["processes/six_steps.bpmn"].replace(
        "主任审批".encode(), "主任审核".encode()
    )
    with deployed.database.transaction() as session:
        new_version = deployment.deploy(session, deployed.runtime, files, "test").version
        clerk = session.get(User, "clerk")
        assert clerk is not None
        new_case = instances.start_instance(session, deployed.runtime, clerk, "six_steps", {})
        assert instances.get_instance(session, clerk, old_case["id"])["version"]["id"] == 1
    assert new_case["version"]["id"] == new_version.id == 2


def test_a_missing_form_refuses_the_whole_deploy(deployed: Host) -> None:
    files = _files()
    del files["forms/intake.uischema.json"]
    files["processes/six_steps.bpmn"] += b"\n"
    with pytest.raises(Invalid) as refused, deployed.database.transaction() as session:
        deployment.deploy(session, deployed.runtime, files, "test")
    assert refused.value.details["errors"][0]["file"] == "intake.uischema.json"
    with deployed.database.transaction() as session:
        assert versions.latest_version(session).id == 1


def test_a_form_with_a_remote_reference_is_refused(deployed: Host) -> None:
    files = _files()
    files["forms/intake.schema.json"] = b'{"type": "object", "properties": {"a": {"$ref": "http://evil.example/x"}}}'
    with pytest.raises(Invalid) as refused, deployed.database.transaction() as session:
        deployment.deploy(session, deployed.runtime, files, "test")
    assert "only local references" in refused.value.details["errors"][0]["message"]


def test_a_field_shown_by_a_misspelt_answer_is_refused(deployed: Host) -> None:
    """ui:showWhen naming no field beside it would hide that field for good: the deploy says which."""
    files = _files()
    ui = json.loads(files["forms/intake.uischema.json"] or b"{}")
    ui["case_no"] = {**ui.get("case_no", {}), "ui:showWhen": {"defendent": ["unit"]}}
    files["forms/intake.uischema.json"] = json.dumps(ui).encode()
    with pytest.raises(Invalid) as refused, deployed.database.transaction() as session:
        deployment.deploy(session, deployed.runtime, files, "test")
    [error] = refused.value.details["errors"]
    assert (error["file"], error["message"]) == (
        "intake.uischema.json",
        "case_no: ui:showWhen names 'defendent', not a field beside it",
    )
    ui["case_no"] = {"ui:helpWhen": [{"when": {"defendant_unt": ["x"]}, "help": "…"}]}
    files["forms/intake.uischema.json"] = json.dumps(ui).encode()
    with pytest.raises(Invalid) as refused, deployed.database.transaction() as session:
        deployment.deploy(session, deployed.runtime, files, "test")
    [error] = refused.value.details["errors"]
    assert error["message"] == "case_no: ui:helpWhen names 'defendant_unt', not a field beside it"


def test_an_analyst_restores_earlier_content_as_a_new_newest_version(deployed: Host) -> None:
    """Saving a form back to what an older version held makes a new version (the newest), so new cases run on the
    restored form; deploying a directory whose content some version already holds stays a no-op, so that
    `deploy processes` at every start never undoes an analyst's later versions."""
    with deployed.database.transaction() as session:
        first = versions.latest_version(session)
        original, _ui = versions.form_source(session, "intake")
    changed = original.replace(b'"type"', b'"title": "changed", "type"', 1)
    with deployed.database.transaction() as session:
        second = deployment.deploy_forms(session, deployed.runtime, {"intake.schema.json": changed}, "analyst")
        assert second.created
        restored = deployment.deploy_forms(session, deployed.runtime, {"intake.schema.json": original}, "analyst")
        assert restored.created
        assert restored.version.id > second.version.id > first.id
        assert restored.version.content_hash == first.content_hash
        assert versions.latest_version(session).id == restored.version.id
        assert versions.form_source(session, "intake")[0] == original
        again = deployment.deploy_forms(session, deployed.runtime, {"intake.schema.json": original}, "analyst")
        assert (again.created, again.version.id) == (False, restored.version.id)
        files = deployment.read_directory(FIXTURES / "processes", FIXTURES / "forms")
        at_start = deployment.deploy(session, deployed.runtime, files, "cli")
        assert not at_start.created
        assert versions.latest_version(session).id == restored.version.id


def test_starting_and_reading_cases_never_reads_a_versions_specs_again(measures: Host, measures_api: Any) -> None:
    """The measures' specs and catalogue are hundreds of KB: each process parses them once (by content hash), and a
    case's start and read must not fetch them with the version's row."""
    clerk = measures_api("clerk")
    first = clerk.post("/instances", json={"process_id": "litigation_case", "data": {}})
    assert first.status_code == 201, first.get_json()
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(measures.database.engine, "before_cursor_execute", record)
    try:
        started = clerk.post("/instances", json={"process_id": "litigation_case", "data": {}})
        assert started.status_code == 201, started.get_json()
        read = clerk.get(f"/instances/{started.get_json()['id']}")
        assert read.status_code == 200, read.get_json()
        assert read.get_json()["version"] == started.get_json()["version"]
    finally:
        event.remove(measures.database.engine, "before_cursor_execute", record)
    assert any("process_version" in s for s in statements)  # the version was read, its row only
    assert not [s for s in statements if "spec_json" in s or "catalog_json" in s]
