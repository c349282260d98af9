"""A case that goes to second instance, as a clerk walks it in the browser (processes/litigation_case.bpmn with its
call activities, every diagram and form deployed): what the pages show and what the forms start with once the
first instance's values are no longer the ones that belong."""

from __future__ import annotations

import html as html_lib
import io
import re

from docx import Document
from flask import Flask

from tests.processes.test_litigation_case import (  # noqa: F401  (NOW and desk are the fixtures' module values)
    NOW,
    SEALED,
    SECOND,
    CaseDesk,
    appealed,
    defend,
    desk,
    heard_twice,
    materials,
    open_case,
    second_hearing_arranged,
)
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import LOCAL_TZ
from workflow_host.services.case_view import case_numbers


def pages(desk: CaseDesk) -> Flask:  # noqa: F811
    return create_app({"TESTING": True, "HOST": desk.host})


def field_value(page: str, name: str) -> str:
    """What the form's text or date input `f.<name>` starts with."""
    found = re.search(rf'<input type="[a-z-]+" id="[^"]*" name="f\.{name}" value="([^"]*)"', page)
    assert found, name
    return html_lib.unescape(found.group(1))


def task_page(app: Flask, username: str, task: dict[str, str]) -> str:
    return html_lib.unescape(Web(app, username).get(f"/tasks/{task['id']}").get_data(as_text=True))


def test_the_second_instance_is_registered_on_a_blank_form_not_under_the_first_instance_number(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = appealed(desk)
    register = desk.task("land_officer", "register_instance")
    page = task_page(pages(desk), "land_officer", register)
    # the first instance's number, court and day of service are not the second instance's
    assert [field_value(page, f) for f in ("case_no", "court", "complaint_served_on")] == ["", "", ""]
    assert "(2026)蒙0205行初12号" in page  # the case is still shown under its number while it waits
    form = desk("land_officer").get(f"/tasks/{register['id']}").get_json()["form"]
    assert form["start_blank"] == ["case_no", "court", "complaint_served_on"]  # for an API client's form too
    desk.at("2026-05-20T10:00")
    desk.complete("land_officer", "register_instance", SECOND)
    assert desk.case(case_id)["data"]["case_no"] == SECOND["case_no"]


def checked(page: str, name: str) -> list[str]:
    """The values of the form's checkboxes or radio buttons `f.<name>` that start ticked."""
    return re.findall(rf'<input type="(?:checkbox|radio)"[^>]* name="f\.{name}" value="([^"]*)"[^>]* checked', page)


def second_instance_registered(desk: CaseDesk) -> int:  # noqa: F811
    """The case appealed and its second instance registered on 20 May: the land bureau's defence is next."""
    case_id = appealed(desk)
    desk.at("2026-05-20T10:00")
    desk.complete("land_officer", "register_instance", SECOND)
    return case_id


def second_defence_reviewed(desk: CaseDesk) -> int:  # noqa: F811
    """The case appealed, the second instance registered, its defence prepared and reviewed: waiting for the seal."""
    case_id = second_instance_registered(desk)
    assert desk.case(case_id)["data"]["seal_register_no"] == "用印2026-03-12"  # the first instance's seal
    desk.complete("land_officer", "prepare_defence", materials("石拐区自然资源局"))
    desk.complete("jb_staff", "formal_review", {"materials_complete": True, "review_opinion": "材料及手续齐备"})
    return case_id


def seal_second_defence(desk: CaseDesk) -> None:  # noqa: F811
    """The second instance's defence sealed on 28 May, with no registration number."""
    desk.at("2026-05-28T09:00")
    desk.complete("clerk", "affix_seal", {"seal_affixed": True, "sealed_on": "2026-05-28", "sealed_documents": SEALED})


def test_the_second_instance_seal_is_registered_afresh_not_with_the_first_seal_s_number_and_date(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = second_defence_reviewed(desk)

    # Art. 6: the second instance's defence is sealed anew (the diagram seals once per defence, after the review,
    # and never sends a seal back), so nothing of the first seal belongs in its form
    seal = desk.task("clerk", "affix_seal")
    page = task_page(pages(desk), "clerk", seal)
    # the seal's day starts as today's (the step is the seal, editable), never as the first seal's
    today = desk.clock.now().astimezone(LOCAL_TZ).date().isoformat()
    assert [field_value(page, f) for f in ("sealed_on", "seal_register_no")] == [today, ""]
    assert desk.case(case_id)["data"]["sealed_on"] != today  # the case still holds the first seal's day
    assert checked(page, "seal_affixed") == checked(page, "sealed_documents") == []
    seal_second_defence(desk)
    # no number given for this seal: the case does not pass the first seal's number off as this one's
    data = desk.case(case_id)["data"]
    assert (data["sealed_on"], data.get("seal_register_no") or "") == ("2026-05-28", "")


def test_the_second_instance_defence_is_filed_on_a_form_without_the_first_filing_s_particulars(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = second_defence_reviewed(desk)
    seal_second_defence(desk)
    filing = desk.task("jb_staff", "file_defence")
    page = task_page(pages(desk), "jb_staff", filing)
    # the first filing's day, filer and receipt are not the second's; the court is the one now hearing the case
    assert [field_value(page, f) for f in ("filed_on", "filed_by", "court_receipt_no")] == ["", "", ""]
    assert checked(page, "filing_method") == []
    assert field_value(page, "court") == SECOND["court"]
    desk.complete(
        "jb_staff", "file_defence", {"filed_on": "2026-05-28", "filed_by": "司法局干部", "filing_method": "mail"}
    )
    data = desk.case(case_id)["data"]
    assert (data["filed_on"], data.get("court_receipt_no") or "") == ("2026-05-28", "")


def selected(page: str, name: str) -> list[str]:
    """The option of the form's select `f.<name>` that starts chosen, if any."""
    found = re.search(rf'<select[^>]* name="f\.{name}"[^>]*>(.*?)</select>', page, re.S)
    assert found, name
    return re.findall(r'<option value="([^"]*)" selected', found.group(1))


def test_the_second_instance_decision_is_recorded_on_a_form_without_the_first_decision(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = heard_twice(desk)
    record = desk.task("land_officer", "record_judgment")
    page = task_page(pages(desk), "land_officer", record)
    # the first instance's judgment (revoked, served on 28 April) is not the second instance's decision
    assert field_value(page, "decision_served_on") == ""
    assert checked(page, "decision_form") == []  # radio buttons
    assert selected(page, "outcome") == []  # a list to choose from
    desk.at("2026-06-30T10:00")
    upheld = {"decision_form": "judgment", "outcome": "revoked", "decision_served_on": "2026-06-30"}
    desk.complete("land_officer", "record_judgment", upheld)
    assert desk.case(case_id)["data"]["instance_history"][-1]["case_no"] == SECOND["case_no"]


def header(page: str) -> str:
    """The case page's heading as text."""
    found = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert found
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def listed(web: Web, query: str = "") -> list[str]:
    """The case list's rows as text: the case's numbers (its link; the procedure's name is beside it)."""
    page = html_lib.unescape(web.get("/cases" + (f"?q={query}" if query else "")).get_data(as_text=True))
    links = re.findall(r"<tr>\s*<td><a [^>]*>(.*?)</a>", page, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", link).split()) for link in links]


def test_the_case_is_shown_under_both_its_numbers_once_the_second_instance_is_registered(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = appealed(desk)
    web = Web(pages(desk), "clerk")
    before = html_lib.unescape(web.get(f"/cases/{case_id}").get_data(as_text=True))
    assert header(before) == "(2026)蒙0205行初12号"  # one instance registered: its number alone
    desk.at("2026-05-20T10:00")
    desk.complete("land_officer", "register_instance", SECOND)

    web = Web(pages(desk), "clerk")  # signed in again: the clock moved on
    page = html_lib.unescape(web.get(f"/cases/{case_id}").get_data(as_text=True))
    assert header(page) == "一审案号 (2026)蒙0205行初12号 二审案号 (2026)蒙02行终45号"
    assert listed(web) == ["一审案号 (2026)蒙0205行初12号 二审案号 (2026)蒙02行终45号"]
    # either number finds the case
    assert listed(web, "行初12") == listed(web, "行终45") == listed(web)
    assert listed(web, "行初13") == []
    # the second instance's steps are listed under its own number
    assert desk.task("land_officer", "prepare_defence")["case_no"] == SECOND["case_no"]


def test_a_retrial_is_numbered_after_both_earlier_instances_and_a_number_not_yet_registered_is_not_counted() -> None:
    history = [
        {"instance_level": "first", "case_no": "(2026)蒙0205行初12号"},
        {"instance_level": "second", "case_no": "(2026)蒙02行终45号"},
    ]
    waiting = {"instance_level": "retrial", "case_no": "(2026)蒙02行终45号", "instance_history": history}
    assert [level for level, _ in case_numbers(waiting)] == ["first", "second"]
    registered = {**waiting, "case_no": "(2026)内行再3号"}
    assert case_numbers(registered) == [
        ("first", "(2026)蒙0205行初12号"),
        ("second", "(2026)蒙02行终45号"),
        ("retrial", "(2026)内行再3号"),
    ]
    assert case_numbers({"case_no": "(2026)蒙0205行初12号"}) == []  # no instances: the number alone, as before


def document_text(web: Web, path: str) -> str:
    """The paragraphs of a generated DOCX, one a line."""
    response = web.client.get(path)
    assert response.status_code == 200, path
    return "\n".join(p.text for p in Document(io.BytesIO(response.get_data())).paragraphs)


def test_the_appeal_opinion_downloaded_in_second_instance_still_names_the_first_instance_judgment(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = second_instance_registered(desk)
    web = Web(pages(desk), "land_officer")
    # Art. 8: the opinion is about the first-instance judgment, heard by the district court under its number
    opinion = document_text(web, f"/cases/{case_id}/documents/appeal_opinion")
    assert "关于(2026)蒙0205行初12号\n行政案件的上诉意见" in opinion  # the title breaks after the number
    assert "包头市石拐区人民法院作出判决（判决撤销被诉行政行为），本单位于2026年4月28日收到" in opinion
    assert SECOND["case_no"] not in opinion
    # while the second instance's defence is written for the court now hearing it, under its number
    defence = document_text(web, f"/cases/{case_id}/documents/statement_of_defence?unit=land_bureau")
    assert SECOND["case_no"] in defence
    assert SECOND["court"] in defence


def test_the_second_instance_hearing_is_prepared_without_the_first_hearing_s_attendance_chosen(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = second_hearing_arranged(desk)
    assert desk.case(case_id)["data"]["hearing_preparation"]["hearing_on"].startswith("2026-04-14")  # the first's
    prepare = desk.task("land_officer", "prepare_hearing")
    page = task_page(pages(desk), "land_officer", prepare)
    # Art. 17: whether the agents attend this hearing on time or apply for postponement is decided for this hearing
    assert checked(page, "attendance") == []


def summary(page: str) -> list[tuple[str, str]]:
    """The task page's case summary: (title, text) rows."""
    found = re.search(r'<aside class="case-summary card">(.*?)</aside>', page, re.S)
    assert found
    return [(t.strip(), d.strip()) for t, d in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", found.group(1), re.S)]


def test_a_second_instance_step_summarises_the_case_under_both_numbers_and_the_first_judgment_as_the_first_s(
    desk: CaseDesk,  # noqa: F811
) -> None:
    second_instance_registered(desk)
    rows = dict(summary(task_page(pages(desk), "land_officer", desk.task("land_officer", "prepare_defence"))))
    assert (rows["一审案号"], rows["二审案号"]) == ("(2026)蒙0205行初12号", SECOND["case_no"])
    assert "案号" not in rows
    # the only decision so far is the first instance's: it is not shown as this instance's
    assert rows["一审裁判结果"] == "判决撤销（含部分撤销）"
    assert "裁判结果" not in rows


def textarea(page: str, name: str) -> str:
    """What the form's textarea `f.<name>` starts with."""
    found = re.search(rf'<textarea[^>]* name="f\.{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, name
    return html_lib.unescape(found.group(1))


def test_a_suit_against_the_government_starts_its_certificate_and_power_of_attorney_from_the_directory(
    desk: CaseDesk,  # noqa: F811
) -> None:
    government = {"notice_received_on": "2026-03-02", "complaint_served_on": "2026-03-02"}
    open_case(desk, defendant="district_government", **government)
    desk.complete("clerk", "submit_for_signoff", {"submission_note": "拟请区自然资源局会同区司法局办理。"})
    for signer in ("office_deputy", "director_wang", "li_vice"):
        desk.complete(signer, "sign", {"signoff_decision": "agree", "signoff_opinion": "同意"})
    desk.at("2026-03-03T09:00")
    desk.complete("clerk", "forward_notice", {"forwarded_on": "2026-03-03"})
    page = task_page(pages(desk), "land_officer", desk.task("land_officer", "prepare_defence"))
    # Art. 6: the organ that answers is the district government; its legal representative is the district head
    certificate = [field_value(page, f"legal_representative_certificate.{f}") for f in ("organ", "name", "position")]
    assert certificate == ["包头市石拐区人民政府", "区长", "区长"]  # the directory's district head is named 区长
    assert field_value(page, "power_of_attorney.principal") == "包头市石拐区人民政府"
    matters = "代理本机关参加(2026)蒙0205行初12号行政诉讼案件第一审诉讼"
    assert textarea(page, "power_of_attorney.entrusted_matters") == matters
    assert textarea(page, "statement_of_defence") == ""
    assert "第一审诉讼" not in page.replace(matters, "")  # no first-instance example beside a field


def test_the_second_instance_defence_starts_from_the_unit_s_first_instance_certificate_and_power_of_attorney(
    desk: CaseDesk,  # noqa: F811
) -> None:
    second_instance_registered(desk)
    page = task_page(pages(desk), "land_officer", desk.task("land_officer", "prepare_defence"))
    given = materials("石拐区自然资源局")  # what the land bureau gave at first instance
    certificate = [field_value(page, f"legal_representative_certificate.{f}") for f in ("organ", "name", "position")]
    assert certificate == ["石拐区自然资源局", "张某某", "局长"]
    agent = given["power_of_attorney"]["agents"][0]
    assert [field_value(page, f"power_of_attorney.agents.0.{f}") for f in ("name", "position", "id_number")] == [
        agent["name"],
        agent["position"],
        agent["id_number"],
    ]
    assert checked(page, "power_of_attorney.authority_scope") == ["general"]
    # the matter is this instance's, and the defence itself is written anew against the appeal
    matters = textarea(page, "power_of_attorney.entrusted_matters")
    assert matters == f"代理本机关参加{SECOND['case_no']}行政诉讼案件第二审诉讼"
    assert textarea(page, "statement_of_defence") == ""
    # the act under appeal is the same: the legal basis and the evidence it was made on start as given at first
    # instance (the form started them blank)
    basis, evidence = given["legal_basis"][0], given["evidence"][0]
    assert [field_value(page, f"legal_basis.0.{f}") for f in ("name", "provisions")] == list(basis.values())
    assert (field_value(page, "evidence.0.name"), textarea(page, "evidence.0.purpose")) == (
        evidence["name"],
        evidence["purpose"],
    )


def test_the_second_instance_s_court_is_offered_from_the_appeal_but_not_filled_in(
    desk: CaseDesk,  # noqa: F811
) -> None:
    appealed(desk)  # the appeal was filed with 包头市中级人民法院
    page = task_page(pages(desk), "land_officer", desk.task("land_officer", "register_instance"))
    assert field_value(page, "court") == ""  # still typed or chosen by the clerk (startBlank)
    offered = re.search(r'<input [^>]*name="f\.court"[^>]*list="([^"]+)"', page)
    assert offered, "the court field offers no suggestions"
    assert re.search(rf'<datalist id="{offered.group(1)}"><option value="包头市中级人民法院">', page)
    assert "本案此前登记（如适用，可在该栏中选用）：包头市中级人民法院" in page


def test_the_second_instance_hearing_notice_starts_without_the_first_hearing_s_place_and_summons(
    desk: CaseDesk,  # noqa: F811
) -> None:
    first = {"hearing_place": "石拐区人民法院第一法庭", "summons_received_on": "2026-03-12"}
    case_id = appealed(desk, hearing_notice=first)
    desk.at("2026-05-20T10:00")
    desk.complete("land_officer", "register_instance", {k: v for k, v in SECOND.items() if k != "hearing_on"})
    defend(desk, "2026-05-28")
    notice = desk.task("land_officer", "record_hearing_notice")
    page = task_page(pages(desk), "land_officer", notice)
    # the second instance is heard by 包头市中级人民法院: the first hearing's room and summons are not its own
    assert [field_value(page, f) for f in ("hearing_place", "summons_received_on")] == ["", ""]
    desk.complete("land_officer", "record_hearing_notice", {"hearing_on": "2026-06-16T09:30:00+08:00"})
    data = desk.case(case_id)["data"]
    assert "石拐区人民法院第一法庭" not in (data.get("hearing_place"), data.get("summons_received_on"))


def test_the_loss_report_after_the_government_s_appeal_names_the_appellant_and_states_the_recorded_ruling(
    desk: CaseDesk,  # noqa: F811
) -> None:
    case_id = heard_twice(desk)
    desk.at("2026-06-30T10:00")
    summary = "驳回上诉，维持原判。\n二审案件受理费50元，由上诉人负担。"
    upheld = {
        "decision_form": "judgment",
        "outcome": "revoked",
        "decision_served_on": "2026-06-30",
        "decision_summary": summary,
    }
    desk.complete("land_officer", "record_judgment", upheld)
    app = pages(desk)
    # Art. 7 (二): the report's ruling starts as the decision recorded it, for the unit to complete
    page = task_page(app, "land_officer", desk.task("land_officer", "write_loss_report"))
    assert textarea(page, "court_ruling") == summary
    report = document_text(Web(app, "land_officer"), f"/cases/{case_id}/documents/loss_analysis_report")
    # the government appealed: it is the appellant, as the court names the case (it read 张某诉…上诉一案)
    assert "上诉人包头市石拐区人民政府与被上诉人" in report
    assert "上诉一案" not in report
    assert summary in report


def test_the_hearing_preparation_shows_who_the_appearance_plan_sends(desk: CaseDesk) -> None:  # noqa: F811
    second_hearing_arranged(desk)
    page = task_page(pages(desk), "land_officer", desk.task("land_officer", "prepare_hearing"))
    # Art. 13: the vice head in charge and the justice bureau's head appear; the clerk confirms knowing who goes
    rows = dict(summary(page))
    assert rows["出庭人员"] == "李某某（副区长）、赵某某（区司法局局长）"
