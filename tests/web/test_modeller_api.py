"""The modeller's server side: the newest diagram and what it may refer to, validate without storing, save as
a new version only for analysts, errors located by element."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from flask import Flask

from tests.web.test_pages import Web
from workflow_host.host import Host
from workflow_host.models import Instance, ProcessVersion
from workflow_host.web.formview import MAX_BLANK_ROWS

FIXTURE_FORMS = Path(__file__).resolve().parents[1] / "fixtures" / "forms"


def versions_stored(app: Flask) -> int:
    host: Host = app.extensions["workflow_host"]
    with host.database.transaction() as session:
        return session.query(ProcessVersion).count()


def post_xml(web: Web, path: str, xml: bytes) -> Any:
    return web.client.post(path, data=xml, content_type="application/xml", headers={"X-CSRF-Token": web.token})


def test_an_analyst_saves_a_changed_diagram_as_a_new_version(app: Flask) -> None:
    analyst = Web(app, "analyst")
    source = analyst.get("/modeller/six_steps/source.bpmn")
    assert source.headers["Content-Type"].startswith("application/xml")
    catalog = analyst.get("/modeller/six_steps/catalog").get_json()
    assert "intake.schema.json" in catalog["forms"]
    assert "six_steps" in catalog["processes"]
    assert "handling_unit" in catalog["roles"]
    changed = source.data.replace("司法局审查".encode(), "司法局合法性审查".encode())
    before = versions_stored(app)
    assert post_xml(analyst, "/modeller/six_steps/validate", changed).get_json() == {"ok": True}
    assert versions_stored(app) == before  # validating stores nothing
    saved = post_xml(analyst, "/modeller/six_steps/save", changed)
    assert saved.status_code == 201
    assert saved.get_json()["version"]["id"] > 0
    assert versions_stored(app) == before + 1
    assert "司法局合法性审查".encode() in analyst.get("/modeller/six_steps/source.bpmn").data


def test_a_diagram_with_an_unsafe_script_is_refused_with_its_element(app: Flask) -> None:
    analyst = Web(app, "analyst")
    source = analyst.get("/modeller/six_steps/source.bpmn").data
    hostile = source.replace(b"step_count = 2", b"import os\nstep_count = 2")
    before = versions_stored(app)
    refused = post_xml(analyst, "/modeller/six_steps/save", hostile)
    assert refused.status_code == 422
    errors = refused.get_json()["errors"]
    assert [e["element_id"] for e in errors] == ["decide_units"]
    assert versions_stored(app) == before


def test_only_analysts_save_and_every_post_needs_the_session_token(app: Flask) -> None:
    clerk = Web(app, "clerk")
    source = clerk.get("/modeller/six_steps/source.bpmn").data
    assert post_xml(clerk, "/modeller/six_steps/save", source).status_code == 403
    analyst = Web(app, "analyst")
    forged = analyst.client.post(
        "/modeller/six_steps/save", data=source, content_type="application/xml", headers={"X-CSRF-Token": "forged"}
    )
    assert forged.status_code == 400


def test_versions_are_listed_and_a_diff_names_the_changed_elements(app: Flask) -> None:
    analyst = Web(app, "analyst")
    source = analyst.get("/modeller/six_steps/source.bpmn").data
    changed = source.replace("司法局审查".encode(), "司法局合法性审查".encode())
    new_id = post_xml(analyst, "/modeller/six_steps/save", changed).get_json()["version"]["id"]
    listing = analyst.get("/modeller/six_steps/versions").get_data(as_text=True)
    assert f'data-version="{new_id}"' in listing
    assert "<strong>已修改</strong>" in listing
    page = analyst.get(f"/modeller/six_steps/diff?from={new_id - 1}&to={new_id}").get_data(as_text=True)
    lists = page.split('id="diff-lists"')[1]
    assert '<ul class="diff-changed"><li data-element="review">' in lists
    assert "diff-added" not in lists
    assert "diff-removed" not in lists
    assert analyst.get(f"/modeller/six_steps/versions/{new_id}.bpmn").data == changed
    assert analyst.get("/modeller/six_steps/diff?from=999&to=1").status_code == 404


def test_the_migration_page_previews_and_moves_the_cases_that_can_move(app: Flask) -> None:
    clerk = Web(app, "clerk")
    clerk.get("/cases/new")
    started = clerk.post("/cases/new", {"process_id": "six_steps"})
    assert started.status_code == 302
    analyst = Web(app, "analyst")
    source = analyst.get("/modeller/six_steps/source.bpmn").data
    changed = source.replace("提交法院".encode(), "向法院提交答辩状".encode())
    target = post_xml(analyst, "/modeller/six_steps/save", changed).get_json()["version"]["id"]
    assert "迁移" in analyst.get("/modeller/six_steps/versions").get_data(as_text=True)
    preview = analyst.get(f"/modeller/six_steps/migrate?to={target}").get_data(as_text=True)
    assert 'class="movable"' in preview
    moved = analyst.post(f"/modeller/six_steps/migrate?to={target}", {"instance": "1"})
    assert "1 个案件已迁移到版本" in moved.get_data(as_text=True)
    with app.extensions["workflow_host"].database.transaction() as session:
        row = session.get(Instance, 1)
        assert row is not None
        assert row.version_id == target
    assert clerk.get("/modeller/six_steps/migrate").status_code == 403


def test_analysts_find_the_modeller_from_the_navigation(app: Flask) -> None:
    analyst = Web(app, "analyst")
    assert 'href="/modeller"' in analyst.get("/inbox").get_data(as_text=True)
    listing = analyst.get("/modeller").get_data(as_text=True)
    assert 'data-process="six_steps"' in listing
    assert 'href="/modeller/six_steps/versions"' in listing
    assert 'href="/modeller"' not in Web(app, "clerk").get("/inbox").get_data(as_text=True)


def test_a_save_on_top_of_a_colleagues_newer_version_is_refused(app: Flask) -> None:
    analyst = Web(app, "analyst")
    source = analyst.get("/modeller/six_steps/source.bpmn").data
    opened_on = 1
    first = source.replace("司法局审查".encode(), "司法局合法性审查".encode())
    saved = analyst.client.post(
        "/modeller/six_steps/save",
        data=first,
        content_type="application/xml",
        headers={"X-CSRF-Token": analyst.token, "X-Base-Version": str(opened_on)},
    )
    assert saved.status_code == 201
    stale = analyst.client.post(
        "/modeller/six_steps/save",
        data=source.replace("核对材料".encode(), "核对全部材料".encode()),
        content_type="application/xml",
        headers={"X-CSRF-Token": analyst.token, "X-Base-Version": str(opened_on)},
    )
    assert stale.status_code == 409
    assert stale.get_json()["latest"] == saved.get_json()["version"]["id"]
    assert "司法局合法性审查".encode() in analyst.get("/modeller/six_steps/source.bpmn").data


def test_the_form_editor_previews_and_saves_a_form_as_a_new_version(app: Flask) -> None:
    analyst = Web(app, "analyst")
    page = analyst.get("/modeller/forms/intake").get_data(as_text=True)
    assert "案号" in page  # the preview, rendered as a task page renders the form
    assert 'href="/modeller/forms/intake"' in analyst.get("/modeller").get_data(as_text=True)
    schema = json.loads((FIXTURE_FORMS / "intake.schema.json").read_text(encoding="utf-8"))
    assert '"case_no"' in html.unescape(page)  # the editor holds the deployed file
    schema["properties"]["court"] = {"type": "string", "title": "受理法院"}
    preview = analyst.post(
        "/modeller/forms/intake/preview", {"schema": json.dumps(schema), "ui_schema": "{}"}
    ).get_json()
    assert preview["problems"] == []
    assert "受理法院" in preview["html"]
    huge = {"type": "object", "properties": {"rows": {"type": "array", "minItems": 10**9, "items": {"type": "string"}}}}
    shown = analyst.post("/modeller/forms/intake/preview", {"schema": json.dumps(huge), "ui_schema": "{}"}).get_json()
    # not a billion fields (the server ran out of memory building them): at most MAX_BLANK_ROWS blank rows
    assert f'name="n.rows" value="{MAX_BLANK_ROWS}"' in shown["html"]
    broken = analyst.post("/modeller/forms/intake/preview", {"schema": "{", "ui_schema": "{}"}).get_json()
    assert broken["html"] == ""
    assert broken["problems"][0].startswith("JSON 格式不正确")
    before = versions_stored(app)
    saved = analyst.post(
        "/modeller/forms/intake/save", {"schema": json.dumps(schema, ensure_ascii=False), "ui_schema": "{}"}
    )
    assert saved.status_code == 201
    assert versions_stored(app) == before + 1
    assert "受理法院" in analyst.get("/modeller/forms/intake").get_data(as_text=True)
    remote = {**schema, "properties": {"x": {"$ref": "https://evil.example/s.json"}}}
    refused = analyst.post("/modeller/forms/intake/save", {"schema": json.dumps(remote), "ui_schema": "{}"})
    assert refused.status_code == 422
    assert versions_stored(app) == before + 1
    clerk = Web(app, "clerk")
    assert (
        clerk.post("/modeller/forms/intake/save", {"schema": json.dumps(schema), "ui_schema": "{}"}).status_code == 403
    )


def test_a_lane_that_is_no_role_is_refused_at_the_tasks_in_it(app: Flask) -> None:
    analyst = Web(app, "analyst")
    source = analyst.get("/modeller/six_steps/source.bpmn").data
    renamed = source.replace(b'<bpmn:lane id="justice_bureau"', b'<bpmn:lane id="jb_team"')
    assert renamed != source
    refused = post_xml(analyst, "/modeller/six_steps/validate", renamed)
    assert refused.status_code == 422
    [error] = refused.get_json()["errors"]
    assert error["element_id"] == "review"
    assert "jb_team" in error["message"]
