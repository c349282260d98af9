"""What a person is told when a task form refuses what they entered, over the JSON API and the task page: every
message names the field by its label, says what is wrong in plain words, lists the options of a choice and, for a
rule that applies only under a condition (the forms' if/then/else), names that condition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import Web, field_errors, start_case
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.services import deployment

FORMS = Path(__file__).resolve().parents[2] / "forms"

PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="probe_defs" targetNamespace="http://shiguai.example/test">
  <bpmn:process id="probe" name="表单试填" isExecutable="true">
    <bpmn:laneSet id="probe_lanes">
      <bpmn:lane id="gov_office" name="区政府办公室">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>fill</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:userTask id="fill" name="填写表单">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="{form}.schema.json" />
          {ui}
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""
UI_PROPERTY = '<spiffworkflow:property name="formUiSchemaFilename" value="{form}.uischema.json" />'


def deploy_probe(host: Host, form: str, schema: dict[str, Any] | None = None, ui: dict[str, Any] | None = None) -> None:
    """A one-task process whose task shows `form`: a form of forms/, or the schema (and UI schema) given."""
    files = {
        f"forms/{form}.schema.json": json.dumps(schema).encode()
        if schema
        else (FORMS / f"{form}.schema.json").read_bytes()
    }
    ui_file = FORMS / f"{form}.uischema.json"
    if ui is not None:
        files[f"forms/{form}.uischema.json"] = json.dumps(ui).encode()
    elif schema is None and ui_file.exists():
        files[f"forms/{form}.uischema.json"] = ui_file.read_bytes()
    has_ui = f"forms/{form}.uischema.json" in files
    diagram = PROBE.replace("{ui}", UI_PROPERTY if has_ui else "").replace("{form}", form)
    with host.database.transaction() as session:
        deployment.deploy(session, host.runtime, {"processes/probe.bpmn": diagram.encode(), **files}, "test")


@pytest.fixture
def probe_app(host: Host) -> Any:
    """Deploy a form as the one task of a process; the app serving it."""

    def make(form: str, schema: dict[str, Any] | None = None, ui: dict[str, Any] | None = None) -> Flask:
        deploy_probe(host, form, schema, ui)
        return create_app({"TESTING": True, "HOST": host})

    return make


def refusal(app: Flask, data: dict[str, Any], language: str | None = None) -> list[dict[str, Any]]:
    """Start a case, complete its task with `data` over the API (in `language`, else as sent with no
    preference); the form errors of the 422."""
    clerk = Api(app.test_client(), "clerk", PASSWORDS["clerk"])
    case = clerk.post("/instances", json={"process_id": "probe"}).get_json()
    [task] = case["tasks"]
    headers = {**clerk.headers, **({"Accept-Language": language} if language else {})}
    response = clerk.client.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": data}, headers=headers)
    assert response.status_code == 422, response.get_json()
    return list(response.get_json()["errors"])


def messages(errors: list[dict[str, Any]], field: str) -> list[str]:
    return [e["message"] for e in errors if e["field"] == field]


# (form, data, field, what the person is told): every if/then/else of forms/, each with the condition it names
CONDITIONS = [
    (
        "appeal_decide",
        {"government_decides_appeal": False},
        "/government_appeal_opinion",
        "“审议决定”为“不上诉”时，请填写“审议意见”。",
    ),
    (
        "appeal_opinion",
        {"unit_appeal_opinion": True, "appeal_grounds": "不服", "appeal_claims": "撤销原判"},
        "/appeal_grounds",
        "“是否要求上诉”为“不服，要求上诉”时，“上诉理由”至少填写 10 个字。",
    ),
    (
        "appeal_record",
        {"plaintiff_appealed": False, "appellant": "plaintiff", "effective_on": "2026-03-02"},
        "/appellant",
        "“原告或者相关当事人是否上诉”为“未上诉，裁判已生效”时，“上诉人”不应填写。",
    ),
    (
        "appeal_record",
        {"plaintiff_appealed": True},
        "/appellant",
        "“原告或者相关当事人是否上诉”为“已上诉”时，请选择“上诉人”。",
    ),
    (
        "appearance_arrange",
        {"unit_head_appears": True},
        "/unit_head",
        "“承办单位负责人出庭应诉”为“负责人出庭”时，请填写“出庭的承办单位负责人”。",
    ),
    (
        "appearance_arrange",
        {"unit_head_appears": False, "agents": [], "head_absence_statement": "因公出差，不能出庭应诉。"},
        "/agents",
        "“承办单位负责人出庭应诉”为“负责人不出庭，委托诉讼代理人”时，“诉讼代理人”中须至少有一项的“代理人身份”为“本单位工作人员”。",
    ),
    (
        "appearance_arrange",
        {
            "unit_head_appears": True,
            "unit_head": {"name": "张某某", "position": "局长"},
            "agents": [
                {
                    "name": "律师甲",
                    "agent_type": "public_lawyer",
                    "position": "公职律师",
                    "id_number": "11010519491231002X",
                }
            ],
        },
        "/agents/0/work_unit",
        "“代理人身份”为“公职律师”时，请填写“工作单位”。",
    ),
    (
        "appearance_assess",
        {
            "head_wants_to_appear": False,
            "court_requested_head": True,
            "major_public_interest": False,
            "procuratorate_public_interest_suit": False,
            "large_compensation": False,
            "major_social_impact": False,
            "head_helps_resolve": False,
        },
        "/court_suggestion",
        "“（三）人民法院书面建议区人民政府负责人或分管负责人出庭”为“是”时，请填写“人民法院书面建议”。",
    ),
    (
        "appearance_legal_head_confirm",
        {
            "legal_affairs_head": {"name": "赵某某", "position": "局长"},
            "legal_head_appearance_confirmed": True,
            "accompanying_agents": [
                {"name": "王某", "agent_type": "staff", "position": "科员", "id_number": "11010519491231002X"}
            ],
        },
        "/accompanying_agents/0/unit",
        "“代理人身份”为“工作人员”时，请选择“所在单位”。",
    ),
    (
        "case_intake",
        {"defendant": "unit"},
        "/defendant_unit",
        "“被告”为“本区行政机关（苏木、镇政府、街道办、区政府工作部门、直属事业单位等）”时，请选择“被告单位”。",
    ),
    (
        "case_intake",
        {"defendant": "district_government", "defendant_unit": "land_bureau"},
        "/defendant_unit",
        "“被告”为“区人民政府”时，“被告单位”不应填写。",
    ),
    (
        "compliance_record",
        {"performance_status": "in_progress"},
        "/next_report_on",
        "“履行状态”为“正在履行”时，请填写“下次报告履行进展日期”。",
    ),
    (
        "defence_review",
        {"materials_complete": False, "missing_items": []},
        "/missing_items",
        "“材料及手续齐备”为“不齐备，退回补正”时，请选择“缺少或需补正的项目”。",
    ),
    (
        "hearing_postponement_answer",
        {"court_decision": "granted"},
        "/new_hearing_on",
        "“人民法院答复”为“准许延期开庭”时，请填写“新的开庭时间”。",
    ),
    (
        "hearing_prepare",
        {"attendance": "postpone", "postponement_reasons": "出差"},
        "/postponement_reasons",
        "“出庭安排”为“确因特殊情况不能按时出庭，申请延期开庭”时，“不能按时出庭的特殊情况及理由”至少填写 10 个字。",
    ),
    (
        "defence_materials",
        {"power_of_attorney": {"authority_scope": "general", "special_powers": ["appeal"]}},
        "/power_of_attorney/special_powers",
        "“代理权限”为“一般代理”时，“特别授权事项”不应填写。",
    ),
    (
        "hearing_record",
        {"mediation_attempted": True, "has_major_issues": False},
        "/mediation_result",
        "“人民法院组织调解（第十四条）”为“是”时，请选择“调解结果”。",
    ),
    (
        "hearing_record",
        {"mediation_attempted": False, "has_major_issues": True, "major_issues": []},
        "/major_issues",
        "“诉讼过程中有需要书面报告区人民政府的重大问题（第十七条）”为“是”时，请填写“重大问题及书面报告”。",
    ),
    (
        "retrial_report",
        {"retrial_requested": False, "retrial_grounds": ["new_evidence"]},
        "/retrial_grounds",
        "“是否认为生效裁判有错误并报请申请再审”为“不申请再审”时，“再审事由（行政诉讼法第九十一条）”不应填写。",
    ),
    (
        "judgment_record",
        {"outcome": "withdrawn", "decision_form": "judgment"},
        "/decision_form",
        "“裁判结果”为“裁定准许撤诉”时，“裁判文书种类”须为“裁定书”。",
    ),
    (
        "judgment_record",
        {"outcome": "revoked", "decision_form": "mediation_statement"},
        "/decision_form",
        "“裁判结果”为“判决撤销（含部分撤销）”时，“裁判文书种类”不能为“调解书”。",
    ),
    (
        "judgment_record",
        {"outcome": "mediated", "decision_form": "judgment"},
        "/decision_form",
        "“裁判结果”为“调解结案”时，“裁判文书种类”须为“调解书”。",
    ),
    (
        "retrial_decide",
        {"retrial_approved": False, "government_retrial_opinion": "  "},
        "/government_retrial_opinion",
        "“是否同意申请再审”为“不同意”时，“审查意见”不能只填空格。",
    ),
    (
        "signoff_sign",
        {"signoff_decision": "return"},
        "/signoff_opinion",
        "“审签结果”为“退回”时，请填写“审签意见”。",
    ),
    (
        "suggestion_approve_reply",
        {"reply_approved": False},
        "/review_opinion",
        "“同意回复”为“否”时，请填写“审核意见”。",
    ),
]


@pytest.mark.parametrize(("form", "data", "field", "told"), CONDITIONS, ids=[f"{c[0]}{c[2]}" for c in CONDITIONS])
def test_a_rule_that_applies_under_a_condition_names_the_field_and_the_condition(
    probe_app: Any, form: str, data: dict[str, Any], field: str, told: str
) -> None:
    errors = refusal(probe_app(form), data)
    assert told in messages(errors, field), errors


# (form, data, field, what the person is told): the choices of forms/ (oneOf of const + title), lists that must
# hold an option, fields that exclude each other, and the plain rules, each naming its field
RULES = [
    (
        "appeal_file",
        {"appeal_filed_through": "by_post"},
        "/appeal_filed_through",
        "“递交途径”须为以下之一：“通过原审人民法院提出”、“直接向上一级人民法院提出”。",
    ),
    (
        "archive_file",
        {"retention_period": "forever"},
        "/retention_period",
        "“保管期限”须为以下之一：“永久”、“定期30年”、“定期10年”。",
    ),
    ("archive_file", {"documents": ["complaint", "other"]}, "/documents", "“归档材料”须包括“应诉通知书”。"),
    ("archive_file", {"documents": ["complaint", "other"]}, "/documents", "“归档材料”须包括“判决书、裁定书、调解书”。"),
    (
        "defence_review",
        {"materials_complete": False, "missing_items": ["statement", "evidence"]},
        "/missing_items/0",
        "“缺少或需补正的项目第 1 项”须为以下之一：“答辩状（代拟稿）”、“作出行政行为的法律依据”、“作出行政行为的证据”、"
        "“其他需要提交的材料”、“法定代表人身份证明书”、“授权委托书”。",
    ),
    ("archive_file", {"pages": 0}, "/pages", "“页数”不得小于 1。"),
    ("archive_file", {"pages": "十"}, "/pages", "“页数”须为整数。"),
    (
        "archive_file",
        {"archived_on": "2026-02-30"},
        "/archived_on",
        "“归档日期”须为有效日期，按“年-月-日”填写，如 2026-03-02。",
    ),
    (
        "case_intake",
        {"significance": "urgent"},
        "/significance",
        "“事项重要程度”须为以下之一：“一般事项”、“较大事项”、“重大事项”。",
    ),
    (
        "case_intake",
        {"entrusting_unit": "land_bureau", "successor_unit": "wudangzhao"},
        "/successor_unit",
        "“委托单位”和“继续行使职权的单位”只能填写其中一项。",
    ),
    ("case_intake", {}, "/case_no", "请填写“案号”。"),
    ("case_intake", {}, "/defendant", "请选择“被告”。"),  # a choice is chosen, not filled in
    ("defence_seal", {"sealed_documents": ["power_of_attorney"]}, "/sealed_documents", "“用印文书”至少选择 3 项。"),
    ("case_intake", {"case_no": "3"}, "/case_no", "“案号”至少填写 2 个字。"),
    ("case_intake", {"case_no": "号" * 129}, "/case_no", "“案号”最多填写 128 个字（现为 129 个）。"),
    # a unit is picked from the directory, though the schema knows it only as text
    ("case_intake", {"acting_units": []}, "/acting_units", "请选择“行政行为主管（作出）单位”。"),
    (
        "case_intake",
        {"acting_units": ["land_bureau"] * 2},
        "/acting_units",
        "“行政行为主管（作出）单位”中各项不得重复。",
    ),
    (
        "case_intake",
        {"hearing_on": "2026-11-03 09:30"},
        "/hearing_on",
        "“开庭时间”须为有效的日期和时间，如 2026-11-03 09:30（北京时间）。",
    ),
    (
        "appearance_arrange",
        {
            "unit_head_appears": True,
            "unit_head": {"name": "张某某", "position": "局长"},
            "agents": [
                {
                    "name": "王某",
                    "agent_type": "staff",
                    "unit": "land_bureau",
                    "position": "科员",
                    "id_number": "11010519491231002X",
                    "phone": "电话",
                }
            ],
        },
        "/agents/0/phone",
        "“联系电话”只能填写数字、“+”、“-”和空格，共 7 至 20 个字符。",
    ),
]


@pytest.mark.parametrize(("form", "data", "field", "told"), RULES, ids=[f"{r[0]}{r[2]}" for r in RULES])
def test_each_rule_names_the_field_by_its_label_and_says_what_it_allows(
    probe_app: Any, form: str, data: dict[str, Any], field: str, told: str
) -> None:
    errors = refusal(probe_app(form), data)
    assert told in messages(errors, field), errors
    assert all(e["message"] and "schema" not in e["message"] for e in errors)


def test_the_api_keeps_its_error_shape_and_adds_the_label_and_kind(probe_app: Any) -> None:
    errors = refusal(probe_app("case_intake"), {"defendant": "unit", "case_no": "3"})
    missing = next(e for e in errors if e["field"] == "/defendant_unit")
    assert missing["path"] == "/"  # where the schema failed: the object that lacks it
    assert missing["kind"] == "required"
    assert missing["label"] == "被告单位"
    short = next(e for e in errors if e["field"] == "/case_no")
    assert (short["path"], short["kind"], short["value"]) == ("/case_no", "minLength", 2)


def test_an_english_speaker_reads_the_same_in_english(probe_app: Any) -> None:
    app = probe_app("appeal_decide")
    errors = refusal(app, {"government_decides_appeal": False, "government_appeal_opinion": "好"}, "en")
    assert messages(errors, "/government_appeal_opinion") == [
        "Enter at least 2 characters in “审议意见” when “审议决定” is “不上诉”."
    ]
    errors = refusal(app, {"government_decides_appeal": "no"}, "en")
    assert messages(errors, "/government_decides_appeal") == ["Choose “同意上诉” or “不上诉” for “审议决定”."]


def test_a_yes_no_field_is_told_by_the_answers_its_form_offers(probe_app: Any) -> None:
    """A yes/no field whose form words its answers (ui:enumNames) is told in those words, as the page shows them
    beside the field; one without them says 是/否."""
    errors = refusal(probe_app("appeal_decide"), {"government_decides_appeal": "no"})
    assert messages(errors, "/government_decides_appeal") == ["“审议决定”请选择“同意上诉”或“不上诉”。"]
    plain = {"type": "object", "properties": {"agreed": {"type": "boolean", "title": "同意"}}}
    errors = refusal(probe_app("plain_yes_no", plain), {"agreed": "no"})
    assert messages(errors, "/agreed") == ["“同意”请选择“是”或“否”。"]


ALTERNATIVES = {
    "type": "object",
    "properties": {
        "deadline": {
            "title": "履行期限",
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "integer", "minimum": 1},
                {"const": "none", "title": "未确定期限"},
            ],
        },
        "contact": {
            "title": "联系方式",
            "oneOf": [
                {"type": "string", "pattern": "^[0-9]{11}$"},
                {"type": "string", "pattern": "^[0-9+\\- ]{7,20}$", "maxLength": 9},
            ],
        },
    },
}


def test_a_field_that_may_take_several_forms_says_what_each_allows(probe_app: Any) -> None:
    errors = refusal(probe_app("alternatives", ALTERNATIVES), {"deadline": "下个月", "contact": "8888"})
    assert messages(errors, "/deadline") == [
        "“履行期限”须为以下任一种：日期（年-月-日）；整数，不小于 1；“未确定期限”。"
    ]
    assert messages(errors, "/contact") == [
        "“联系方式”须为以下任一种：只含数字，共 11 个字符；最多 9 个字，只含数字、“+”、“-”和空格，7 至 20 个字符。"
    ]


def test_the_task_page_shows_each_message_beside_its_field_and_a_wrong_option_beside_its_list(probe_app: Any) -> None:
    web = Web(probe_app("archive_file"), "clerk")
    _case, task_id = start_case(web, "probe")
    posted = {"action": "complete", "f.documents": ["complaint", "made_up"], "f.pages": "0", "f.volume_no": "卷1"}
    response = web.post(f"/tasks/{task_id}", posted)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    shown = field_errors(html, "documents")
    assert "“归档材料”须包括“应诉通知书”。" in shown
    assert any(m.startswith("“归档材料第 2 项”须为以下之一：“应诉通知书”、") for m in shown), shown
    assert field_errors(html, "pages") == ["“页数”不得小于 1。"]
    assert field_errors(html, "archivist") == ["请填写“立卷人”。"]


def test_the_task_page_names_the_condition_beside_the_field(probe_app: Any) -> None:
    web = Web(probe_app("judgment_record"), "clerk")
    _case, task_id = start_case(web, "probe")
    posted = {"action": "complete", "f.outcome": "withdrawn", "f.decision_form": "judgment"}
    html = web.post(f"/tasks/{task_id}", posted).get_data(as_text=True)
    assert field_errors(html, "decision_form") == ["“裁判结果”为“裁定准许撤诉”时，“裁判文书种类”须为“裁定书”。"]


# The forms that ask for a citizen identity number, with where the number of the first agent goes.
ID_FORMS = {
    "appearance_arrange": (
        {"unit_head_appears": True, "unit_head": {"name": "张某某", "position": "局长"}},
        "agents",
        {"agent_type": "staff", "unit": "land_bureau"},
    ),
    "appearance_legal_head_confirm": (
        {"legal_affairs_head": {"name": "赵某某", "position": "局长"}, "legal_head_appearance_confirmed": True},
        "accompanying_agents",
        {"agent_type": "staff", "unit": "justice_bureau"},
    ),
    "defence_materials": ({}, "power_of_attorney/agents", {"agent_type": "staff", "work_unit": "石拐区自然资源局"}),
}
ID_PROBLEMS = [  # (typed, why it cannot be right, what the person is told)
    ("11010519491231002", "length", "“居民身份证号码”应为 18 位，现为 17 位。"),
    ("11010519491231002x", "characters", "“居民身份证号码”只能由数字组成，最后一位可以是大写字母 X。"),
    ("110105 19491231002X", "characters", "“居民身份证号码”只能由数字组成，最后一位可以是大写字母 X。"),
    ("110105194902300021", "birth_date", "“居民身份证号码”第 7 至 14 位的出生日期不存在。"),
    ("11010519491231012X", "check_digit", "“居民身份证号码”校验码不符：最后一位与前 17 位对不上，请逐位核对号码。"),
]


def with_agent(form: str, number: str) -> tuple[dict[str, Any], str]:
    """The form's data with one agent whose identity number is `number`; the pointer of that number."""
    data, where, kind = ID_FORMS[form]
    agent = {"name": "王某某", "position": "法制股股长", **kind, "id_number": number}
    if "/" in where:
        outer, inner = where.split("/")
        return {**data, outer: {inner: [agent]}}, f"/{where}/0/id_number"
    return {**data, where: [agent]}, f"/{where}/0/id_number"


@pytest.mark.parametrize("form", sorted(ID_FORMS))
@pytest.mark.parametrize(("typed", "reason", "told"), ID_PROBLEMS, ids=[p[0] for p in ID_PROBLEMS])
def test_an_identity_number_that_cannot_be_right_is_told_what_is_wrong(
    probe_app: Any, form: str, typed: str, reason: str, told: str
) -> None:
    data, field = with_agent(form, typed)
    errors = refusal(probe_app(form), data)
    assert messages(errors, field) == [told]
    [error] = [e for e in errors if e["field"] == field]
    assert (error["kind"], error["value"], error["detail"]["reason"]) == ("format", "id-number", reason)


def test_an_identity_number_whose_check_digit_holds_is_accepted(probe_app: Any) -> None:
    data, _field = with_agent("appearance_arrange", "11010519491231002X")
    errors = refusal(probe_app("appearance_arrange"), {**data, "unit_head": {"name": "张", "position": "局长"}})
    assert [e["field"] for e in errors] == ["/unit_head/name"]  # the number is accepted, only the name is short


def test_a_file_that_is_not_one_of_the_case_names_its_field(probe_app: Any) -> None:
    evidence = {"type": "string", "format": "attachment", "title": "证据文件"}
    schema = {
        "type": "object",
        "properties": {
            "notice_scan": {"type": "string", "format": "attachment", "title": "应诉通知书扫描件"},
            "evidence": {
                "type": "array",
                "title": "证据",
                "items": {"type": "object", "properties": {"file": evidence}},
            },
        },
    }
    errors = refusal(probe_app("files", schema), {"notice_scan": "0" * 64, "evidence": [{"file": "1" * 64}]})
    assert messages(errors, "/notice_scan") == ["请重新上传“应诉通知书扫描件”的文件（须为本案已上传的文件）。"]
    assert messages(errors, "/evidence/0/file") == ["请重新上传“证据文件”的文件（须为本案已上传的文件）。"]


def test_a_field_another_one_needs_names_that_one(probe_app: Any) -> None:
    schema = {
        "type": "object",
        "properties": {
            "entrusting_unit": {"type": "string", "title": "委托单位"},
            "entrustment_no": {"title": "委托书编号"},
        },
        "dependentRequired": {"entrusting_unit": ["entrustment_no"]},
    }
    errors = refusal(probe_app("dependent", schema), {"entrusting_unit": "land_bureau"})
    assert messages(errors, "/entrustment_no") == ["已填写“委托单位”时，请填写“委托书编号”。"]


def test_a_condition_quotes_at_most_the_start_of_a_long_answer(probe_app: Any) -> None:
    errors = refusal(probe_app("judgment_record"), {"outcome": "驳回" * 2000, "decision_form": "mediation_statement"})
    [told] = messages(errors, "/decision_form")
    assert told.startswith("“裁判结果”为“" + "驳回" * 10 + "…”时，“裁判文书种类”不能为“调解书”。"), told
