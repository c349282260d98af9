"""The analyst's pages as an analyst reads them: processes, forms and decisions by their names, versions by who
deployed them and by their place in the item's own history, changes by the element's kind and name."""

from __future__ import annotations

import html
import json
import re

from flask import Flask

from tests.conftest import FIXTURES
from tests.web.test_pages import Web
from workflow_host.host import Host
from workflow_host.services import deployment, versions


def save_as(app: Flask, actor: str, old: bytes, new: bytes) -> int:
    """A new version of six_steps with `old` replaced by `new` in its diagram, deployed by `actor`."""
    host: Host = app.extensions["workflow_host"]
    with host.database.transaction() as session:
        name, xml = versions.version_source(session, versions.latest_version(session, "six_steps"), "six_steps")
        assert old in xml
        deployed = deployment.deploy_upload(session, host.runtime, "six_steps", {name: xml.replace(old, new)}, actor)
        return deployed.version.id


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_versions_page_names_the_process_and_a_deploy_from_the_command_line(app: Flask) -> None:
    save_as(app, "cli", "司法局审查".encode(), "司法局合法性审查".encode())
    page = text_of(Web(app, "analyst").get("/modeller/six_steps/versions").get_data(as_text=True))
    assert "六步测试流程的版本" in page
    assert "six_steps 的版本" not in page
    assert "命令行部署" in page
    assert " cli " not in page


def test_the_diff_names_a_changed_element_by_its_kind_and_name(app: Flask) -> None:
    old = save_as(app, "analyst", "司法局审查".encode(), "司法局合法性审查".encode())
    new = save_as(app, "analyst", "司法局合法性审查".encode(), "司法局审查".encode())
    page = Web(app, "analyst").get(f"/modeller/six_steps/diff?from={old}&to={new}").get_data(as_text=True)
    changed = text_of(page.split('class="diff-changed"')[1].split("</ul>")[0])
    assert "用户任务「司法局审查」 (review)" in changed
    assert "userTask" not in changed
    assert "六步测试流程" in text_of(page.split("</h1>")[0])


def test_forms_are_listed_by_their_title_and_the_steps_that_show_them(app: Flask) -> None:
    analyst = Web(app, "analyst")
    listing = analyst.get("/modeller").get_data(as_text=True)
    row = text_of(listing.split('data-form="intake"')[1].split("</tr>")[0])
    assert "登记应诉通知书" in row
    assert "六步测试流程 · 登记应诉通知书" in row
    page = analyst.get("/modeller/forms/intake").get_data(as_text=True)
    editor = text_of(page.split('class="form-editor"')[1].split("</header>")[0])
    assert "表单「登记应诉通知书」" in editor
    assert "六步测试流程 · 登记应诉通知书" in editor


def test_a_diagram_is_numbered_by_its_own_revisions_beside_the_system_version(app: Flask) -> None:
    analyst = Web(app, "analyst")
    intake = analyst.get("/modeller/forms/intake").get_data(as_text=True)
    assert 'id="version-revision">1<' in intake
    schema = html.unescape(intake.split('name="schema"')[1].split(">", 1)[1].split("</textarea>")[0])
    form = analyst.post("/modeller/forms/intake/save", {"schema": schema.replace("登记应诉通知书", "登记通知书")})
    assert form.get_json()["message"] == "已保存：第 2 版（系统版本 2）。"
    changed = save_as(app, "analyst", "司法局审查".encode(), "司法局合法性审查".encode())
    page = analyst.get("/modeller/six_steps").get_data(as_text=True)
    assert "本流程图版次" in page
    assert 'id="version-revision">2<' in page
    assert f'data-version-id="{changed}"' in page
    listing = analyst.get("/modeller/six_steps/versions").get_data(as_text=True)
    row = text_of(listing.split(f'data-version="{changed}"')[1].split("</tr>")[0])
    assert changed == 3
    assert row.startswith("> 2 3 ")  # the diagram's second revision, in the third version of everything


def test_a_form_refused_at_save_is_told_in_the_pages_language(app: Flask) -> None:
    analyst = Web(app, "analyst")
    analyst.get("/modeller/forms/intake")
    remote = {"type": "object", "properties": {"x": {"$ref": "https://evil.example/s.json"}}}
    refused = analyst.post("/modeller/forms/intake/save", {"schema": json.dumps(remote), "ui_schema": "{}"})
    assert refused.status_code == 422
    assert refused.get_json()["message"] == "表单有错误。"
    [error] = refused.get_json()["errors"]
    assert (
        error["message"]
        == "intake.schema.json：只能引用本表单内的定义（'#/...'），不能引用 'https://evil.example/s.json'"
    )
    wrong = {"type": "object", "properties": {"x": {"type": "text"}}}
    preview = analyst.post("/modeller/forms/intake/preview", {"schema": json.dumps(wrong), "ui_schema": "{}"})
    assert preview.get_json()["problems"] == ["form.schema.json：不是有效的 JSON Schema：'text' 不是此处允许的值"]


def test_a_report_year_out_of_range_is_said_not_silently_replaced(app: Flask) -> None:
    analyst = Web(app, "analyst")
    page = text_of(analyst.get("/reports?year=1999").get_data(as_text=True))
    assert "没有 1999 年的报告：统计报告只涵盖 2000 年至" in page
    assert "现显示 2000 年" in page
    assert 'id="year-out-of-range"' not in analyst.get("/reports?year=2001").get_data(as_text=True)


def test_a_form_field_shown_by_no_field_is_refused_at_save_in_the_pages_language(app: Flask) -> None:
    """A misspelt ui:showWhen would hide its field on every task page for good."""
    analyst = Web(app, "analyst")
    analyst.get("/modeller/forms/intake")
    schema = (FIXTURES / "forms" / "intake.schema.json").read_text(encoding="utf-8")  # as deployed
    ui = {"case_no": {"ui:showWhen": {"defendent": ["unit"]}}}
    refused = analyst.post("/modeller/forms/intake/save", {"schema": schema, "ui_schema": json.dumps(ui)})
    assert refused.status_code == 422, refused.get_data(as_text=True)[:300]
    [error] = refused.get_json()["errors"]
    assert error["message"] == "case_no：ui:showWhen 中的“defendent”不是同一层级的字段（其控制的内容将永远不会显示）"
