"""Suits against the district government (区人民政府 the defendant) that end without a judgment: one settled by a
mediation statement (调解结案), one withdrawn by the plaintiff (裁定准许撤诉); both archived (立卷归档) and closed.

Walked in the browser, as the people each step names: the intake, the Art. 4 sign-off chain (by significance: a
larger matter up to the executive vice head, a major one up to the principal head), the forwarding, the Art. 13
assessment and the heads' confirmations, the hearing, the decision, the performance of the mediation statement
(Art. 15), the archive, the case page and the Art. 19 report. Driven through the API, since the other walks take
those pages and nothing in them differs here: the Art. 6 defence (prepared, reviewed, sealed, filed). The timer
worker fires the hearing's timer as it would."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORDS, Api
from tests.processes.support import ART13_FLAGS, at
from tests.processes.test_litigation_case import SEALED, materials
from tests.web.test_yes_no import rows
from workflow_host import create_app
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import Instance
from workflow_host.services.timers import fire_due_timers

ART13_ITEMS = ART13_FLAGS[1:]  # item 2 is asked at a second instance only


class Walk:
    """The directory's people, each in a browser of their own (or over the API), at the test's clock."""

    def __init__(self, new_page: Callable[[], Any], host: Host, clock: FixedClock) -> None:
        self.new_page = new_page
        self.host = host
        self.clock = clock
        self.client = create_app({"TESTING": True, "HOST": host}).test_client()

    def at(self, text: str) -> None:
        """Move the clock to a local time."""
        self.clock.set(at(text))

    def browser(self, username: str) -> Any:
        """A fresh browser signed in as `username`."""
        page = self.new_page()
        sign_in(page, username, PASSWORDS[username])
        return page

    def task(self, username: str, case_no: str, title: str) -> Any:
        """`username` signs in and opens, from the inbox, the case's one task with this title."""
        page = self.browser(username)
        row = page.locator("tr", has_text=case_no).filter(has_text=title)
        assert row.count() == 1, page.locator("main").inner_text()
        row.locator("a").first.click()
        page.wait_for_selector("form.task-form")
        return page

    def inbox(self, username: str) -> list[str]:
        """The titles of the user's tasks, over the API."""
        return [t["title"] for t in self.api(username).get("/tasks").get_json()["tasks"]]

    def api(self, username: str) -> Api:
        return Api(self.client, username, PASSWORDS[username])

    def complete(self, username: str, name: str, data: dict[str, Any]) -> None:
        """Complete the user's one task named `name` over the API."""
        api = self.api(username)
        [task] = [t for t in api.get("/tasks").get_json()["tasks"] if t["name"] == name]
        response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == 200, response.get_json()

    def case(self, case_id: int) -> dict[str, Any]:
        return dict(self.api("clerk").get(f"/instances/{case_id}").get_json())


@pytest.fixture
def walk(new_page: Callable[[], Any], measures: Host, clock: FixedClock) -> Iterator[Walk]:
    with use_clock(clock):
        yield Walk(new_page, measures, clock)


def done(page: Any) -> None:
    """办结, accepted."""
    with page.expect_navigation():
        page.click("button[value='complete']")
    assert page.locator(".flash-error").count() == 0, page.locator(".flash-error").first.inner_text()


def register(walk: Walk, case_no: str, significance: str) -> int:
    """The office registers a suit against the district government over the land bureau's act (21 September)."""
    clerk = walk.browser("clerk")
    clerk.goto("/cases/new")
    clerk.check("input[name='process_id'][value='litigation_case']")
    clerk.click("button:has-text('登记')")
    clerk.wait_for_url("**/tasks/*")
    clerk.fill("#field-notice_received_on", "2026-09-21")
    clerk.fill("#field-complaint_served_on", "2026-09-21")
    clerk.fill("#field-case_no", case_no)
    clerk.fill("#field-court", "包头市石拐区人民法院")
    clerk.fill("#field-plaintiff", "李某")
    clerk.fill("#field-cause", "不服区人民政府作出的房屋征收补偿决定")
    clerk.check("input[name='f.defendant'][value='district_government']")
    clerk.select_option("#field-acting_units-0", "land_bureau")
    clerk.check("input[name='f.reconsideration'][value='none']")
    clerk.check(f"input[name='f.significance'][value='{significance}']")
    done(clerk)
    with walk.host.database.transaction() as session:
        return int(session.scalars(select(Instance.id).where(Instance.case_no == case_no)).one())


def sign_off(walk: Walk, case_no: str, signers: tuple[str, ...]) -> None:
    """Art. 4: the office submits, each signer in turn agrees, the office forwards the next day."""
    clerk = walk.task("clerk", case_no, "呈送审签")
    clerk.fill("#field-submission_note", "拟请区自然资源局会同区司法局办理应诉事宜。")
    done(clerk)
    waiting = ("office_deputy", "director_wang", "li_vice", "exec_vice", "district_head")
    for signer in signers:
        # the chain goes one signer at a time, in Art. 4's order, and reaches nobody it does not name
        assert [u for u in waiting if "审签" in walk.inbox(u)] == [signer]
        page = walk.task(signer, case_no, "审签")
        page.check("input[name='f.signoff_decision'][value='agree']")
        page.fill("#field-signoff_opinion", "同意")
        done(page)
    assert [u for u in waiting if walk.inbox(u)] == []
    walk.at("2026-09-22T09:00")
    clerk = walk.task("clerk", case_no, "转涉诉行为主管单位和区司法局办理")
    assert clerk.input_value("#field-forwarded_on") == "2026-09-22"  # forwarded now, at this step
    done(clerk)


def defend(walk: Walk) -> None:
    """Art. 6 over the API: the land bureau prepares, the justice bureau reviews, the office seals, it is filed."""
    walk.complete("land_officer", "prepare_defence", materials("石拐区人民政府"))
    walk.complete("jb_staff", "formal_review", {"materials_complete": True, "review_opinion": "材料及手续齐备"})
    walk.at("2026-09-29T09:00")
    seal = {"seal_affixed": True, "sealed_on": "2026-09-29", "sealed_documents": SEALED, "seal_register_no": "用印-1"}
    walk.complete("clerk", "affix_seal", seal)
    filing = {"filed_on": "2026-09-29", "filed_by": "司法局干部", "filing_method": "in_person"}
    walk.complete("jb_staff", "file_defence", filing)


def assess_and_confirm(walk: Walk, case_no: str, item: str, head: str) -> None:
    """The hearing notice; Art. 13: the justice bureau finds `item` applies; `head` and the legal head confirm."""
    land = walk.task("land_officer", case_no, "登记开庭通知")
    land.fill("#field-hearing_on", "2026-10-27T09:30")
    done(land)
    jb = walk.task("jb_staff", case_no, "研判第十三条出庭情形")
    assert jb.locator("input[name='f.head_wants_to_appear']").count() == 0  # item 2: second instance only
    for name in ART13_ITEMS:
        jb.check(f"input[name='f.{name}'][value='{'true' if name == item else 'false'}']")
    if item == "court_requested_head":
        jb.fill("#field-court_suggestion", "人民法院2026年10月12日书面建议区人民政府主要负责人出庭应诉。")
    done(jb)
    page = walk.task(head, case_no, "区人民政府负责人确认出庭")
    page.check("input[name='f.head_appearance_confirmed'][value='true']")
    done(page)
    zhao = walk.task("zhao", case_no, "法制机构负责人确认出庭")
    assert zhao.input_value("#field-legal_affairs_head-name") == "赵局长"  # the signed-in head, from the directory
    zhao.check("input[name='f.legal_head_appearance_confirmed'][value='true']")
    done(zhao)


def hold_hearing(walk: Walk, case_id: int, case_no: str, mediation: bool) -> Any:
    """Art. 17: the unit prepares; the hearing on 27 October; the unit records who appeared (the heads) and spoke."""
    land = walk.task("land_officer", case_no, "庭前准备并确认出庭")
    land.check("input[name='f.attendance'][value='attend']")
    land.fill("#field-preparation_note", "负责人出庭，已备好答辩提纲、证据目录及质证意见。")
    done(land)
    walk.at("2026-10-27T09:31")
    assert fire_due_timers(walk.host.database, walk.host.runtime, walk.clock.now()) == [case_id]
    walk.at("2026-10-27T16:00")
    land = walk.task("land_officer", case_no, "记录庭审情况")
    roles = [land.input_value(f"#field-attendees-{row}-role") for row in range(2)]
    assert roles[1] == "justice_bureau_head"  # the heads Art. 13 sends come first, as the plan names them
    land.check("input[name='f.attended_on_time'][value='true']")
    for row in range(land.locator("[id^='field-attendees-'][id$='-role']").count()):
        land.check(f"input[name='f.attendees.{row}.spoke'][value='true']")
    land.fill("#field-attendees-0-speech_summary", "说明被诉行为的事实和依据，表示愿意依法化解争议。")
    land.fill("#field-hearing_summary", "法庭调查、举证质证后，合议庭征询双方意见。")
    land.check(f"input[name='f.mediation_attempted'][value='{'true' if mediation else 'false'}']")
    if mediation:
        land.check("input[name='f.mediation_result'][value='agreement_reached']")
        land.fill("#field-mediation_note", "负责人当庭说明补偿政策，协助法院促成双方就补偿数额达成调解协议。")
    land.check("input[name='f.has_major_issues'][value='false']")
    return land


def record_decision(walk: Walk, case_no: str, decision: tuple[str, str, str], served_on: str, shot: str) -> None:
    """登记裁判结果: `decision` is (decision_form, outcome, decision_summary), served on `served_on`."""
    form, outcome, summary = decision
    land = walk.task("land_officer", case_no, "登记裁判结果")
    land.check(f"input[name='f.decision_form'][value='{form}']")
    land.select_option("#field-outcome", outcome)
    land.fill("#field-decision_summary", summary)
    land.fill("#field-decision_served_on", served_on)
    screenshot(land, shot)
    done(land)


def archive(walk: Walk, case_no: str, archived_on: str, documents: tuple[str, ...]) -> tuple[Any, list[str]]:
    """Art. 12: the land bureau files the case; the checklist offers what this case had."""
    land = walk.task("land_officer", case_no, "立卷归档")
    offered = land.eval_on_selector_all("input[name='f.documents']", "els => els.map(e => e.value)")
    land.fill("#field-volume_no", "自然资源-2027-诉-01")
    land.fill("#field-archived_on", archived_on)
    for document in documents:
        land.check(f"input[name='f.documents'][value='{document}']")
    land.fill("#field-pages", "86")
    land.check("input[name='f.retention_period'][value='30_years']")
    return land, offered


def case_page(walk: Walk, case_id: int, name: str) -> tuple[Any, dict[str, str]]:
    clerk = walk.browser("clerk")
    clerk.goto(f"/cases/{case_id}")
    screenshot(clerk, name)
    return clerk, rows(clerk.content())


def district_figures(walk: Walk, name: str) -> dict[str, str]:
    """The district's row of the 2026 Art. 19 report, as the justice bureau reads it."""
    jb = walk.browser("jb_staff")
    jb.goto("/reports?year=2026")
    screenshot(jb, name)
    heads = jb.eval_on_selector_all("table thead th", "els => els.map(e => e.innerText.trim())")
    cells = jb.locator("tr", has_text="全区合计").first.locator("th, td").all_inner_texts()
    return dict(zip(heads, cells, strict=True))


BASIC_DOCUMENTS = (
    "response_notice",
    "complaint",
    "signoff_opinions",
    "defence_materials",
    "authority_documents",
    "appearance_records",
    "hearing_records",
    "court_decisions",
)


def test_a_suit_against_the_government_settled_by_mediation_is_performed_then_archived(walk: Walk) -> None:
    case_no = "(2026)蒙0205行初31号"
    case_id = register(walk, case_no, "larger")
    sign_off(walk, case_no, ("office_deputy", "director_wang", "li_vice", "exec_vice"))  # 较大事项: 常务副区长 too
    defend(walk)
    assess_and_confirm(walk, case_no, "major_social_impact", "li_vice")
    land = hold_hearing(walk, case_id, case_no, mediation=True)
    screenshot(land, "government-mediated-hearing")
    done(land)

    walk.at("2026-11-03T10:00")
    mediation = ("mediation_statement", "mediated", "被告于2026年12月31日前分两期向原告支付房屋征收补偿款三十二万元。")
    record_decision(walk, case_no, mediation, "2026-11-03", "government-mediated-decision")
    # a mediation statement cannot be appealed (Art. 8 has nothing to act on) and is no loss (Art. 7): no appeal
    # opinion, no loss report; the organ performs it (Art. 15)
    assert walk.inbox("land_officer") == ["登记履行生效裁判情况"]
    assert [u for u in ("li_vice", "district_head", "clerk", "jb_staff") if walk.inbox(u)] == []
    case = walk.case(case_id)
    assert (case["data"]["lost"], case["data"]["effective_on"]) == (False, "2026-11-03")
    assert {d["variable"] for d in case["deadlines"]} == {"signoff_deadline", "defence_deadline"}

    land = walk.task("land_officer", case_no, "登记履行生效裁判情况")
    assert land.input_value("#field-obligations").startswith("被告于2026年12月31日前")  # the statement's terms
    land.fill("#field-performance_due_on", "2026-12-31")
    land.fill("#field-actions-0-action", "拨付第一期补偿款十六万元")
    land.fill("#field-actions-0-done_on", "2026-11-03")
    land.fill("#field-actions-0-evidence", "付款凭证")
    land.fill("#field-head_urging-head_name", "张某某")
    land.fill("#field-head_urging-position", "局长")
    land.fill("#field-head_urging-urged_on", "2026-11-03")
    land.check("input[name='f.performance_status'][value='in_progress']")
    land.fill("#field-remaining", "第二期补偿款十六万元")
    land.fill("#field-next_report_on", "2026-12-31")
    done(land)
    walk.at("2026-12-28T10:00")
    land = walk.task("land_officer", case_no, "登记履行生效裁判情况")  # again, until performed
    land.click("button[value='add:actions']")
    land.wait_for_selector("#field-actions-1-action")
    land.fill("#field-actions-1-action", "拨付第二期补偿款十六万元")
    land.fill("#field-actions-1-done_on", "2026-12-28")
    land.fill("#field-actions-1-evidence", "付款凭证及原告签收的收据")
    land.check("input[name='f.performance_status'][value='performed']")
    done(land)

    walk.at("2027-01-08T10:00")
    land, offered = archive(walk, case_no, "2027-01-08", (*BASIC_DOCUMENTS, "compliance_record"))
    assert {"signoff_opinions", "compliance_record"} <= set(offered)  # signed off, performed
    assert not {"appeal_materials", "retrial_materials", "loss_report"} & set(offered)  # none of these happened
    screenshot(land, "government-mediated-archive")
    done(land)

    clerk, shown = case_page(walk, case_id, "government-mediated-case")
    assert clerk.locator(".status").inner_text() == "已办结"
    assert (shown["裁判文书种类"], shown["裁判结果"], shown["败诉"]) == ("调解书", "调解结案", "否")
    assert shown["审签顺序"] == "政府办副主任、政府办主任、分管副区长、常务副区长"
    assert "上诉决定人" not in shown  # a mediation statement cannot be appealed: nobody decides on an appeal
    # the steps done, in the order they were done: the performance recorded twice, the archive last
    history = clerk.locator("ol.history li").all_inner_texts()
    times = [item.rsplit("·", 1)[1].strip() for item in history]
    assert times == sorted(times), history
    assert [item.split(" — ")[0] for item in history[-3:]] == ["登记履行生效裁判情况"] * 2 + ["立卷归档"]
    figures = district_figures(walk, "government-mediated-report")
    # Art. 7 lists judgments against the organ; a mediation is none of them: decided, effective, not lost
    assert (figures["已裁判"], figures["裁判未生效"], figures["未败诉"], figures["败诉"]) == ("1", "0", "1", "0")
    assert (figures["负责人出庭 / 开庭"], figures["第十三条情形负责人出庭"]) == ("1 / 1", "1 / 1")


def test_a_suit_against_the_government_the_plaintiff_withdrew_goes_straight_to_the_archive(walk: Walk) -> None:
    case_no = "(2026)蒙0205行初32号"
    case_id = register(walk, case_no, "major")
    # 重大事项: up to 区长, through 常务副区长 (signoff_chain.dmn reads Art. 4's grades as one ascending scale)
    sign_off(walk, case_no, ("office_deputy", "director_wang", "li_vice", "exec_vice", "district_head"))
    defend(walk)
    assess_and_confirm(walk, case_no, "court_requested_head", "district_head")
    land = hold_hearing(walk, case_id, case_no, mediation=False)
    assert land.input_value("#field-attendees-0-role") == "district_head"
    done(land)

    walk.at("2026-11-10T10:00")  # the land bureau redid its decision; the plaintiff withdrew (ALL Art. 62)
    withdrawal = ("ruling", "withdrawn", "准许原告李某撤回起诉。")
    record_decision(walk, case_no, withdrawal, "2026-11-10", "government-withdrawn-decision")
    # nothing to appeal, to report as a loss or to perform: the case goes to the archive at once
    assert walk.inbox("land_officer") == ["立卷归档"]
    assert [u for u in ("li_vice", "district_head", "clerk", "jb_staff") if walk.inbox(u)] == []

    walk.at("2026-11-20T10:00")
    land, offered = archive(walk, case_no, "2026-11-20", BASIC_DOCUMENTS)
    assert "signoff_opinions" in offered
    # nothing was performed (Art. 15 applies to a decision against the organ or a mediation statement)
    assert not {"appeal_materials", "retrial_materials", "loss_report", "compliance_record"} & set(offered)
    screenshot(land, "government-withdrawn-archive")
    done(land)

    clerk, shown = case_page(walk, case_id, "government-withdrawn-case")
    assert clerk.locator(".status").inner_text() == "已办结"
    assert (shown["裁判文书种类"], shown["裁判结果"], shown["败诉"]) == ("裁定书", "裁定准许撤诉", "否")
    assert shown["审签顺序"] == "政府办副主任、政府办主任、分管副区长、常务副区长、区长"
    figures = district_figures(walk, "government-withdrawn-report")
    assert (figures["已裁判"], figures["裁判未生效"], figures["未败诉"], figures["败诉"]) == ("1", "0", "1", "0")
    # the district head and the legal head appeared at the hearing before the plaintiff withdrew (Art. 13, Art. 19)
    assert (figures["负责人出庭 / 开庭"], figures["第十三条情形负责人出庭"]) == ("1 / 1", "1 / 1")
