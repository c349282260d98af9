"""Yes/no answers read as 是 / 否 (Yes / No), or as the form's own words for its two answers (`ui:enumNames`:
"同意上诉" / "不上诉"), wherever a page shows case data: the task form, the earlier steps beside it, the case page,
and the history's list of what each event changed; never the stored true/false."""

from __future__ import annotations

import re

from flask import Flask

from tests.conftest import PASSWORDS, Api
from tests.processes.test_appeal import CASE
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.host import Host

APPEAL = {
    **CASE,  # a first-instance judgment lost, now at the appeal (tests/processes/test_appeal.py)
    # a structure holding a yes/no, as a hearing's list of attendees does
    "attendees": [{"name": "王某", "spoke": True}, {"name": "李某", "spoke": False}],
}
OPINION = {
    "unit_appeal_opinion": True,
    "appeal_grounds": "一审判决认定原告已取得土地使用权证据不足，适用法律错误。",
    "appeal_claims": "撤销一审判决，驳回原告诉讼请求。",
}


def appeal_waiting_for_the_decision(app: Flask) -> tuple[int, str]:
    """An appeal whose unit asked to appeal (a yes), now at the vice head's decision; (case, decision task)."""
    client = app.test_client()
    clerk = Api(client, "clerk", PASSWORDS["clerk"])
    case_id = int(clerk.post("/instances", json={"process_id": "appeal", "data": APPEAL}).get_json()["id"])
    land = Api(client, "land_officer", PASSWORDS["land_officer"])
    [opinion] = land.get("/tasks").get_json()["tasks"]
    assert land.post(f"/tasks/{opinion['id']}/complete", json={"data": OPINION}).status_code == 200
    [decide] = Api(client, "li_vice", PASSWORDS["li_vice"]).get("/tasks").get_json()["tasks"]
    return case_id, decide["id"]


def rows(html: str) -> dict[str, str]:
    """The <dt>title</dt><dd>text</dd> pairs of a page, tags of the text dropped."""
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.S)
    return {dt.strip(): re.sub(r"<[^>]+>", "", dd).strip() for dt, dd in pairs}


def changes(html: str, name: str) -> list[str]:
    """What the history's timeline shows for the data name `name`, event by event."""
    return [
        re.sub(r"<[^>]+>", "", item).strip()
        for item in re.findall(rf'<li class="change-\w+"><strong title="{name}">.*?</strong>(.*?)</li>', html, re.S)
    ]


def test_the_task_form_and_the_earlier_steps_say_the_forms_own_words(measures: Host) -> None:
    app = create_app({"TESTING": True, "HOST": measures})
    _case_id, task_id = appeal_waiting_for_the_decision(app)
    page = Web(app, "li_vice").get(f"/tasks/{task_id}").get_data(as_text=True)
    decision = page.split('id="field-government_decides_appeal"')[1].split("</fieldset>")[0]
    answers = re.findall(r'value="(true|false)"[^>]*>\s*(\S+)</label>', decision)
    assert answers == [("true", "同意上诉"), ("false", "不上诉")]  # appeal_decide.uischema.json's ui:enumNames
    assert "checked" not in decision  # the diagram starts the answer undecided: the vice head must choose
    earlier = page.split('class="card earlier-steps"')[1].split("</section>")[0]
    assert rows(earlier)["是否要求上诉"] == "不服，要求上诉"
    english = Web(app, "li_vice")
    english.get("/lang/en")
    page = english.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert rows(page.split('class="card earlier-steps"')[1].split("</section>")[0])["是否要求上诉"] == "不服，要求上诉"


def test_the_case_page_says_yes_and_no_inside_structures_too(measures: Host) -> None:
    app = create_app({"TESTING": True, "HOST": measures})
    case_id, _task_id = appeal_waiting_for_the_decision(app)
    shown = rows(Web(app, "clerk").get(f"/cases/{case_id}").get_data(as_text=True))
    assert shown["是否要求上诉"] == "不服，要求上诉"
    # nobody has decided yet, and nobody said whether the other side appealed: no answer is shown for them
    assert shown["审议决定"] == "—"
    assert shown["原告或者相关当事人是否上诉"] == "—"
    assert shown["败诉"] == "是"  # a data-dictionary name no form titles, by its title
    # a structure reads as its form words it: entries numbered, each field by its title (hearing_record's attendees)
    entries = [line.strip() for line in shown["出庭人员"].splitlines()]
    spoke = "参与庭审发言（第十四条）"
    assert entries == ["1.", "姓名：王某", f"{spoke}：是", "2.", "姓名：李某", f"{spoke}：否"]
    assert not re.search(r"\b(true|false)\b", "".join(shown.values()))


def test_the_history_says_yes_and_no_for_what_changed(measures: Host) -> None:
    app = create_app({"TESTING": True, "HOST": measures})
    case_id, _task_id = appeal_waiting_for_the_decision(app)
    page = Web(app, "auditor").get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert changes(page, "lost") == ["是"]
    # the diagram starts the answer undecided; the unit says yes, in the form's words
    assert changes(page, "unit_appeal_opinion") == ["—", "— → 不服，要求上诉"]
    assert changes(page, "outcome") == ["判决撤销（含部分撤销）"]  # a choice by its label, as the case page words it
    [attendees] = changes(page, "attendees")
    # a structure in words: each field by its form's title, its yes/no as the form words it
    assert "（姓名：王某，参与庭审发言（第十四条）：是）" in attendees
    timeline = page.split('class="timeline"')[1].split("</table>")[0]
    shown = re.sub(r'title="[^"]*"', "", timeline)  # the stored values stay in the tooltips, for the record
    assert not re.search(r"\b(true|false)\b", re.sub(r"<[^>]+>", "", shown))
    assert 'title="true"' in timeline


def test_no_decision_of_the_appeal_or_the_retrial_opens_already_answered(measures: Host) -> None:
    """The appeal and retrial diagrams start their answers undecided (None); when they started them at "no" (the
    outputs when nobody appeals), the form opened with 否 chosen and let a unit or a vice head decide by not
    looking."""
    app = create_app({"TESTING": True, "HOST": measures})
    client = app.test_client()
    clerk = Api(client, "clerk", PASSWORDS["clerk"])
    clerk.post("/instances", json={"process_id": "appeal", "data": APPEAL})
    [opinion] = Api(client, "land_officer", PASSWORDS["land_officer"]).get("/tasks").get_json()["tasks"]
    page = Web(app, "land_officer").get(f"/tasks/{opinion['id']}").get_data(as_text=True)
    choice = page.split('id="field-unit_appeal_opinion"')[1].split("</fieldset>")[0]
    assert re.findall(r'value="(true|false)"', choice) == ["true", "false"]
    assert "checked" not in choice
    task = Api(client, "land_officer", PASSWORDS["land_officer"]).get(f"/tasks/{opinion['id']}").get_json()
    assert task["data"]["unit_appeal_opinion"] is None  # for an API client's form too
