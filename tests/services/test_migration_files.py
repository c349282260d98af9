"""Migration and the files a case's steps use beside their diagram, on the real measures: a case whose step it
waits at (or ran) has a changed form schema, or whose business rule task already ran a changed decision table,
stays on its version and says why (in Chinese on the page); forms and tables changed only ahead of it let it
move, and it goes on under the new version."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.processes.support import SignIn, at
from tests.processes.test_litigation_case import NOTICE, NOW, UNIT_HEAD_APPEARS, CaseDesk, defend, open_case
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import Instance, User
from workflow_host.services import decision_tables, deployment, versions
from workflow_host.services.catalog import catalog_of
from workflow_host.services.migration import MigrationCheck, check_migrations, migrate_cases

UNIT_CASE = {
    "defendant": "unit",
    "defendant_unit": "land_bureau",
    "notice_received_on": "2026-03-02",
    "complaint_served_on": "2026-03-02",
    "hearing_on": "2026-04-14T09:30:00+08:00",
}


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    fixed = FixedClock(at(NOW))
    with use_clock(fixed):
        yield fixed


@pytest.fixture
def desk(measures: Host, measures_api: SignIn, clock: FixedClock) -> CaseDesk:
    return CaseDesk(measures, measures_api, clock)


def form_of(host: Host, process_id: str, element_id: str) -> str:
    """The form schema file a user task of the newest version names."""
    with host.database.transaction() as session:
        task = catalog_of(versions.latest_version(session)).user_task(process_id, element_id)
        assert task is not None
        assert task.form_schema
        return task.form_schema


def change_form(host: Host, schema_file: str) -> int:
    """A new version whose form schema `schema_file` has a new optional field; its id."""
    name = schema_file.removesuffix(".schema.json")
    with host.database.transaction() as session:
        schema, _ui = versions.form_source(session, name)
        changed = json.loads(schema)
        changed["properties"]["migration_note"] = {"type": "string", "title": "备注（新增）"}
        uploads = {schema_file: json.dumps(changed, ensure_ascii=False).encode()}
        return deployment.deploy_forms(session, host.runtime, uploads, "analyst").version.id


def change_decision(host: Host, decision_id: str) -> int:
    """A new version whose decision table `decision_id` has a reworded description; its id."""
    with host.database.transaction() as session:
        _file, xml = decision_tables.decision_source(session, decision_id)
        changed = xml.replace(b"<description>", b"<description>(revised) ", 1)
        assert changed != xml
        return decision_tables.save_decision(session, host.runtime, decision_id, changed, "analyst", None).version.id


def check(host: Host, target: int) -> MigrationCheck:
    with host.database.transaction() as session:
        analyst = session.get(User, "analyst")
        assert analyst is not None
        [found] = check_migrations(session, host.runtime, analyst, "litigation_case", target)
        return found


def codes(found: MigrationCheck) -> list[tuple[str, dict[str, str]]]:
    return [(reason.code, reason.values) for reason in found.reasons]


def test_a_case_stays_when_the_form_of_the_step_it_waits_at_changed(desk: CaseDesk) -> None:
    open_case(desk, **UNIT_CASE)  # waits at the land bureau's prepare_defence
    schema = form_of(desk.host, "defence", "prepare_defence")
    found = check(desk.host, change_form(desk.host, schema))
    assert not found.can_move
    assert found.touched_changes == []  # the diagrams are the same: only the form file changed
    [(code, values)] = codes(found)
    assert (code, values["form"]) == ("form_changed", schema)
    assert "prepare_defence" in values["step"]


def test_a_case_stays_when_the_form_of_a_step_it_ran_changed(desk: CaseDesk) -> None:
    open_case(desk, **UNIT_CASE)
    schema = form_of(desk.host, "litigation_case", "intake")
    found = check(desk.host, change_form(desk.host, schema))
    assert not found.can_move
    assert codes(found)[0][0] == "form_changed"
    assert "intake" in codes(found)[0][1]["step"]


def test_a_case_stays_when_a_decision_it_already_ran_changed(desk: CaseDesk) -> None:
    open_case(desk, **UNIT_CASE)  # the handling unit was decided at intake (Art. 3)
    found = check(desk.host, change_decision(desk.host, "handling_unit"))
    assert not found.can_move
    assert codes(found) == [("decision_changed", {"decision": "handling_unit", "step": "decide_handling_units"})]


def test_a_case_moves_when_forms_and_decisions_changed_only_ahead_of_it(desk: CaseDesk) -> None:
    started = desk("clerk").post("/instances", json={"process_id": "litigation_case", "data": {}}).get_json()
    case_id = int(started["id"])  # waits at intake: the Art. 3 table and archiving are ahead of it
    change_decision(desk.host, "handling_unit")
    target = change_form(desk.host, form_of(desk.host, "archive", "file_case_records"))
    assert check(desk.host, target).can_move
    with desk.host.database.transaction() as session:
        analyst = session.get(User, "analyst")
        assert analyst is not None
        [moved] = migrate_cases(session, desk.host.runtime, analyst, [case_id], target)
        assert moved.can_move, moved.reasons
    with desk.host.database.transaction() as session:
        row = session.get(Instance, case_id)
        assert row is not None
        assert row.version_id == target
    desk.complete("clerk", "intake", {**NOTICE, **UNIT_CASE})  # decided by the new table
    assert desk.case(case_id)["data"]["handling_units"] == ["land_bureau"]
    defend(desk, "2026-03-10")
    desk.complete("land_officer", "arrange_appearance", UNIT_HEAD_APPEARS)
    assert desk("auditor").post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_the_migration_page_says_why_in_chinese(desk: CaseDesk) -> None:
    open_case(desk, **UNIT_CASE)
    target = change_decision(desk.host, "handling_unit")
    app: Flask = create_app({"TESTING": True, "HOST": desk.host})
    page: Any = Web(app, "analyst").get(f"/modeller/litigation_case/migrate?to={target}").get_data(as_text=True)
    assert 'class="stays"' in page
    assert "决策表 handling_unit" in page
    assert "decide_handling_units" in page
