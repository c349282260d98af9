"""Art. 11: a judicial or procuratorial suggestion is registered by the office, answered by the department it
designates, approved, and the reply sent; the suggestion is known by its own number throughout."""

from __future__ import annotations

import re

import pytest

from tests.processes.support import SignIn, complete_task, instance, refusal, tasks
from tests.processes.test_litigation_case import CaseDesk
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import FixedClock
from workflow_host.host import Host

NOW = "2026-12-11T09:00"
SUGGESTION = {
    "suggestion_kind": "judicial",
    "issuer": "包头市石拐区人民法院",
    "document_no": "(2026)蒙0205司建3号",
    "received_on": "2026-12-10",
    "summary": "建议规范行政处罚案件的送达程序。",
    "designated_unit": "land_bureau",
    "reply_due_on": "2027-01-09",
}


@pytest.fixture
def desk(measures: Host, measures_api: SignIn, clock: FixedClock) -> CaseDesk:
    """Every diagram and form of the measures deployed."""
    return CaseDesk(measures, measures_api, clock)


def test_the_suggestion_goes_from_the_office_to_the_department_and_back_under_its_number(desk: CaseDesk) -> None:
    clerk = desk("clerk")
    started = clerk.post("/instances", json={"process_id": "judicial_suggestion", "data": {}})
    assert started.status_code == 201, started.get_json()
    case_id = int(started.get_json()["id"])
    [register] = tasks(clerk, "register")
    complete_task(clerk, register, SUGGESTION)

    land = desk("land_officer")
    [draft] = tasks(land, "draft_reply")
    assert draft["case_no"] == "(2026)蒙0205司建3号"  # the inbox's 案号 column: the suggestion's own number
    inbox = Web(create_app({"TESTING": True, "HOST": desk.host}), "land_officer").get("/inbox").get_data(as_text=True)
    assert "(2026)蒙0205司建3号" in inbox
    complete_task(land, draft, {"reply_text": "已按建议逐案核查送达程序，并修订送达工作规程。"})
    [approve] = tasks(desk("li_vice"), "approve_reply")  # the vice head in charge of the land bureau
    complete_task(desk("li_vice"), approve, {"reply_approved": True})
    desk.at("2026-12-28T10:00")  # delivered today: a later day is refused
    clerk = desk("clerk")
    [send] = tasks(clerk, "send_reply")
    complete_task(clerk, send, {"reply_sent_on": "2026-12-28"})
    assert instance(clerk, case_id)["status"] == "completed"


def test_the_reply_is_written_in_text_areas_titled_as_the_reply_prints_them(desk: CaseDesk) -> None:
    """The reply's two sections run to paragraphs (each line one paragraph of the reply): the form asked them in
    one-line inputs titled otherwise (回复内容, 整改措施); now text areas titled as the reply's headings."""
    clerk = desk("clerk")
    clerk.post("/instances", json={"process_id": "judicial_suggestion", "data": {}})
    [register] = tasks(clerk, "register")
    complete_task(clerk, register, SUGGESTION)
    [draft] = tasks(desk("land_officer"), "draft_reply")
    page = Web(create_app({"TESTING": True, "HOST": desk.host}), "land_officer").get(f"/tasks/{draft['id']}")
    html = page.get_data(as_text=True)
    for name in ("reply_text", "rectification_measures"):
        assert re.search(rf'<textarea[^>]*name="f\.{name}"', html), name
        assert not re.search(rf'<input[^>]*name="f\.{name}"', html), name
    assert "办理情况" in html
    assert "整改落实措施" in html


def start(desk: CaseDesk) -> int:
    started = desk("clerk").post("/instances", json={"process_id": "judicial_suggestion", "data": {}})
    assert started.status_code == 201, started.get_json()
    return int(started.get_json()["id"])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"reply_due_on": "2026-12-09"}, "回复期限不能早于收到日期（2026-12-10）"),  # the draft was born overdue
        ({"received_on": "2026-12-12", "reply_due_on": "2027-01-09"}, "收到日期不能晚于今天"),
    ],
)
def test_a_registration_with_dates_out_of_order_is_refused_in_place(
    desk: CaseDesk, change: dict[str, str], reason: str
) -> None:
    case_id = start(desk)
    said = refusal(desk("clerk"), "register", {**SUGGESTION, **change})
    assert said.startswith(reason), said
    assert "received_on" not in instance(desk("clerk"), case_id)["data"]  # nothing kept
    assert tasks(desk("land_officer"), "draft_reply") == []  # no department was asked to draft


def test_a_reply_sent_before_it_was_received_approved_or_in_the_future_is_refused_in_place(desk: CaseDesk) -> None:
    case_id = start(desk)
    complete_task(desk("clerk"), tasks(desk("clerk"), "register")[0], SUGGESTION)
    desk.at("2026-12-20T10:00")
    draft = {"reply_text": "已按建议逐案核查送达程序，并修订送达工作规程。"}
    complete_task(desk("land_officer"), tasks(desk("land_officer"), "draft_reply")[0], draft)
    desk.at("2026-12-22T15:00")
    complete_task(desk("li_vice"), tasks(desk("li_vice"), "approve_reply")[0], {"reply_approved": True})

    desk.at("2026-12-28T10:00")
    clerk = desk("clerk")
    for sent, reason in (
        ("2026-12-09", "送达日期不能早于收到建议的日期（2026-12-10）"),
        ("2026-12-21", "送达日期不能早于回复审核同意的日期（2026-12-22）"),
        ("2026-12-29", "送达日期不能晚于今天"),
    ):
        said = refusal(clerk, "send_reply", {"reply_sent_on": sent})
        assert said.startswith(reason), (sent, said)
    assert instance(clerk, case_id)["status"] == "running"
    assert "reply_sent_on" not in instance(clerk, case_id)["data"]
    complete_task(clerk, tasks(clerk, "send_reply")[0], {"reply_sent_on": "2026-12-22"})  # the day it was approved
    assert instance(clerk, case_id)["status"] == "completed"


def test_the_case_page_and_the_task_sidebar_name_the_suggestion_by_its_number(desk: CaseDesk) -> None:
    """The case page was headed 案件 5 and the draft page's sidebar said 尚未登记 (it knew only a suit's fields)."""
    clerk = desk("clerk")
    started = clerk.post("/instances", json={"process_id": "judicial_suggestion", "data": {}})
    case_id = int(started.get_json()["id"])
    complete_task(clerk, tasks(clerk, "register")[0], SUGGESTION)
    [draft] = tasks(desk("land_officer"), "draft_reply")
    web = Web(create_app({"TESTING": True, "HOST": desk.host}), "land_officer")

    page = web.get(f"/cases/{case_id}").get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert heading is not None
    assert "(2026)蒙0205司建3号" in heading.group(1)
    sidebar = web.get(f"/tasks/{draft['id']}").get_data(as_text=True).split('class="case-summary', 1)[1]
    sidebar = sidebar.split("</aside>", 1)[0]
    assert "尚未登记" not in sidebar
    for shown in ("(2026)蒙0205司建3号", "包头市石拐区人民法院", "建议规范行政处罚案件的送达程序。", "2027-01-09"):
        assert shown in sidebar, shown
