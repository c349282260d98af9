"""The auditor's history in the words of the case page: each change by the field's title, codes the diagrams store
(roles, instances, deadlines) in words, and the working values the diagrams keep apart from what a form names."""

from __future__ import annotations

import re

from flask import Flask

from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import Web
from tests.web.test_yes_no import appeal_waiting_for_the_decision
from workflow_host import create_app
from workflow_host.host import Host


def history(measures: Host) -> tuple[Flask, int, str]:
    """An appeal at the vice head's decision (tests/web/test_yes_no.py) and its history page as the clerk sees it."""
    app = create_app({"TESTING": True, "HOST": measures})
    case_id, _task = appeal_waiting_for_the_decision(app)
    return app, case_id, Web(app, "clerk").get(f"/cases/{case_id}/history").get_data(as_text=True)


def change(html: str, name: str) -> tuple[str, str]:
    """(the title, the words) the timeline shows for the data name `name` where it first appears."""
    found = re.search(rf'<li class="change-\w+"><strong title="{name}">(.*?)</strong>(.*?)</li>', html, re.S)
    assert found, name
    return found.group(1).strip(), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(2))).strip()


def visible(html: str) -> str:
    """The page's text as read: tags, attributes and the diagram's script dropped."""
    return re.sub(r"<[^>]+>", " ", html.split('<script id="diagram-states"')[0])


def test_changes_show_field_titles_and_codes_in_words(measures: Host) -> None:
    _app, _case_id, html = history(measures)
    assert change(html, "instance_level") == ("审级", "一审")
    assert change(html, "appeal_decider_role") == ("上诉决定人", "分管副区长")
    deadline = ("上诉意见报送期限（第八条）", "2026-09-28（5 日，自 2026-09-21 起算）")
    assert change(html, "appeal_opinion_deadline") == deadline
    assert change(html, "handling_units") == ("承办单位", "石拐区自然资源局")
    shown = visible(html)
    for code in ("instance_level", "vice_head_in_charge", "statutory_deadline", '"due_at"', "first"):
        assert code not in shown, code


def test_changes_show_the_english_words_in_english(measures: Host) -> None:
    app, case_id, _html = history(measures)
    clerk = Web(app, "clerk")
    clerk.get("/lang/en")
    html = clerk.get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert change(html, "instance_level") == ("Instance", "First instance")
    assert change(html, "appeal_decider_role") == ("Decides on the appeal", "Vice district head in charge")
    assert change(html, "appeal_opinion_deadline")[1] == "2026-09-28 (5 日 from 2026-09-21)"


def test_each_event_is_one_summary_line_and_working_values_are_tucked_away(measures: Host) -> None:
    app, case_id, html = history(measures)
    timeline = dict(re.findall(r'<tr id="event-(\d+)"(.*?)</tr>', html, re.S))
    created = timeline["1"]  # the case started with the judgment's data: many changes, closed to one line
    assert re.search(r'<details class="event-changes">\s*<summary>改动 \d+ 项：', created)
    assert "案号" in created.split("<summary>")[1].split("</summary>")[0]
    working = created.split('<details class="working">')[1]
    assert "<summary>办理过程数据（" in working
    assert 'title="appeal_period_days"' in working
    moment = Web(app, "clerk").get(f"/cases/{case_id}/history?at=1").get_data(as_text=True)
    opened = moment.split('id="event-1"')[1].split("</tr>")[0]
    assert '<details class="event-changes" open>' in opened  # the moment looked at shows what it changed
    data = moment.split('id="moment-data"')[1].split("</details>")[0]
    named, tucked = data.split('<details class="working">')
    assert '<dt title="case_no">案号</dt>' in named
    assert 'title="appeal_period_days"' not in named
    assert 'title="appeal_period_days"' in tucked


def test_a_claim_and_its_giving_back_name_the_step_by_its_title(measures: Host) -> None:
    """They read 认领任务 prepare_hearing and 退回任务 prepare_hearing: an id, and 退回 (sending back) for a claim
    given up."""
    app = create_app({"TESTING": True, "HOST": measures})
    case_id, task_id = appeal_waiting_for_the_decision(app)
    vice = Api(app.test_client(), "li_vice", PASSWORDS["li_vice"])
    title = vice.get(f"/tasks/{task_id}").get_json()["title"]
    assert vice.post(f"/tasks/{task_id}/claim").status_code == 200
    assert vice.post(f"/tasks/{task_id}/unclaim").status_code == 200
    html = Web(app, "clerk").get(f"/cases/{case_id}/history").get_data(as_text=True)
    text = re.sub(r"\s+", " ", visible(html))
    assert f"认领任务 {title}" in text
    assert f"放弃认领 {title}" in text
    assert "decide_appeal" not in text
