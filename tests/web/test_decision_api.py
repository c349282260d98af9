"""The decision editor's server side on the real tables: the newest DMN file of a decision, validate without
storing, save as a new version only for analysts, a stale base version refused, broken tables refused with
their problems."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.processes.support import complete, instance, start_case
from tests.processes.test_litigation_case import NOTICE
from tests.services.test_migration_files import UNIT_CASE
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.models import ProcessVersion

SOURCE = "/modeller/decisions/signoff_chain/source.dmn"
SAVE = "/modeller/decisions/signoff_chain/save"
MAJOR_CHAIN = b'"executive_vice_head", "district_head"]'


@pytest.fixture
def app(measures: Host) -> Flask:
    return create_app({"TESTING": True, "HOST": measures})


def stored(app: Flask) -> int:
    host: Host = app.extensions["workflow_host"]
    with host.database.transaction() as session:
        return session.query(ProcessVersion).count()


def post_xml(web: Web, path: str, xml: bytes, base: int | None = None) -> Any:
    headers = {"X-CSRF-Token": web.token}
    if base is not None:
        headers["X-Base-Version"] = str(base)
    return web.client.post(path, data=xml, content_type="application/xml", headers=headers)


def test_the_index_lists_the_decisions_and_each_opens_on_its_file(app: Flask) -> None:
    clerk = Web(app, "clerk")
    index = clerk.get("/modeller").get_data(as_text=True)
    for decision in ("court_appearance", "handling_unit", "signoff_chain"):
        assert f'href="/modeller/decisions/{decision}"' in index
        assert clerk.get(f"/modeller/decisions/{decision}").status_code == 200
    source = clerk.get(SOURCE)
    assert source.headers["Content-Type"].startswith("application/xml")
    assert b'<decision id="signoff_chain"' in source.data
    assert clerk.get("/modeller/decisions/nothing_like_it").status_code == 404
    assert clerk.get("/modeller/decisions/nothing_like_it/source.dmn").status_code == 404


def test_an_analyst_saves_a_changed_table_once_and_a_stale_save_is_refused(app: Flask) -> None:
    analyst = Web(app, "analyst")
    page = analyst.get("/modeller/decisions/signoff_chain").get_data(as_text=True)
    base = int(page.split('data-version-id="', 1)[1].split('"', 1)[0])
    changed = analyst.get(SOURCE).data.replace(MAJOR_CHAIN, b'"district_head"]')
    before = stored(app)
    assert post_xml(analyst, "/modeller/decisions/signoff_chain/validate", changed).get_json() == {"ok": True}
    assert stored(app) == before
    saved = post_xml(analyst, SAVE, changed, base)
    assert saved.status_code == 201
    assert stored(app) == before + 1
    assert analyst.get(SOURCE).data == changed
    again = post_xml(analyst, SAVE, changed, saved.get_json()["version"]["id"])
    assert again.status_code == 200
    assert again.get_json()["created"] is False
    stale = post_xml(analyst, SAVE, changed.replace(b'"district_head"]', b'"district_head" ]'), base)
    assert stale.status_code == 409
    assert stale.get_json()["latest"] == saved.get_json()["version"]["id"]
    assert stored(app) == before + 1


def test_a_save_on_an_older_version_is_taken_when_this_table_did_not_change_since(app: Flask) -> None:
    analyst = Web(app, "analyst")
    other = analyst.get("/modeller/decisions/handling_unit/source.dmn").data
    first = stored(app)
    assert post_xml(analyst, "/modeller/decisions/handling_unit/save", other + b"\n", first).status_code == 201
    changed = analyst.get(SOURCE).data.replace(MAJOR_CHAIN, b'"district_head"]')
    assert post_xml(analyst, SAVE, changed, first).status_code == 201  # a colleague changed another table


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(MAJOR_CHAIN, b'"district_head"].__class__', "第 1 行：不允许使用“__class__”", id="sandbox"),
        pytest.param(b"</definitions>", b"", "XML 格式不正确", id="not-xml"),
        pytest.param(b'<decision id="signoff_chain"', b'<decision id="renamed"', "文件中已没有决策", id="renamed"),
        pytest.param(b'hitPolicy="UNIQUE"', b'hitPolicy="PRIORITY"', "不支持命中策略 PRIORITY", id="priority"),
        pytest.param(b'<text>"larger"</text>', b'<text>"larger","major"</text>', "请写 ? in [", id="feel-list"),
        pytest.param(b'<text>"larger"</text>', b'<text>not("larger")</text>', "请写 ? not in [", id="feel-not"),
        pytest.param(
            b'<text>["office_deputy_director", "office_director", "vice_head_in_charge"]</text>',
            b"<text>null</text>",
            "请写 None，不要写 null",
            id="feel-null",
        ),
        pytest.param(b'hitPolicy="UNIQUE"', b'hitPolicy="COLLECT" aggregation="COUNT"', "带聚合 COUNT", id="count"),
    ],
)
def test_a_broken_table_is_refused_with_its_problem_and_nothing_is_stored(
    app: Flask, old: bytes, new: bytes, expected: str
) -> None:
    analyst = Web(app, "analyst")
    broken = analyst.get(SOURCE).data.replace(old, new)
    before = stored(app)
    for path in (SAVE, "/modeller/decisions/signoff_chain/validate"):
        refused = post_xml(analyst, path, broken)
        assert refused.status_code == 422
        assert any(expected in e["message"] for e in refused.get_json()["errors"]), refused.get_json()
    assert stored(app) == before


def test_only_analysts_save_tables(app: Flask) -> None:
    clerk = Web(app, "clerk")
    page = clerk.get("/modeller/decisions/signoff_chain").get_data(as_text=True)
    assert 'id="save"' not in page
    changed = clerk.get(SOURCE).data.replace(MAJOR_CHAIN, b'"district_head"]')
    before = stored(app)
    assert post_xml(clerk, SAVE, changed).status_code == 403
    assert stored(app) == before


def test_a_case_started_after_the_save_is_decided_by_the_saved_table(app: Flask, measures_api: Any) -> None:
    analyst = Web(app, "analyst")
    source = analyst.get("/modeller/decisions/handling_unit/source.dmn").data
    rule = b'<outputEntry id="hu_none_unit_units"><text>[defendant_unit]</text></outputEntry>'
    assert rule in source
    also_jb = rule.replace(b"[defendant_unit]", b'[defendant_unit, "justice_bureau"]')
    saved = post_xml(analyst, "/modeller/decisions/handling_unit/save", source.replace(rule, also_jb))
    assert saved.status_code == 201
    clerk = measures_api("clerk")
    case_id = start_case(clerk, "litigation_case", {})
    complete(clerk, "intake", {**NOTICE, **UNIT_CASE})
    case = instance(clerk, case_id)
    assert case["version"]["id"] == saved.get_json()["version"]["id"]
    assert case["data"]["handling_units"] == ["land_bureau", "justice_bureau"]
