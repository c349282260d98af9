"""What each document template is filled with, from a case's data (data-dictionary names, the forms' fields and
the records the diagrams keep: `defence_materials`, `unit_arrangements`, `loss_report` …): `CONTEXTS` by template,
beside what every document names (`document_names.common`). Every value is a ready string (`document_text`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .document_defence import agents, defence_set
from .document_names import DECISION_KINDS, Names, first_decision, title_of, unit_name
from .document_text import BLANK, as_dict, as_list, chinese_date, chinese_datetime, paragraphs, text

__all__ = ["CONTEXTS", "ruling_text"]

OUTCOMES = {
    "dismissed_claim": "判决驳回原告诉讼请求",
    "dismissed_suit": "裁定驳回起诉",
    "revoked": "判决撤销被诉行政行为",
    "ordered_to_act_again": "判决撤销被诉行政行为并责令重新作出行政行为",
    "illegal": "判决确认被诉行政行为违法",
    "invalid": "判决确认被诉行政行为无效",
    "modified": "判决变更被诉行政行为",
    "ordered_to_perform": "判决责令履行法定职责",
    "ordered_to_pay": "判决履行给付义务",
    "compensation": "判决承担行政赔偿责任",
    "withdrawn": "准予撤诉",
    "mediated": "调解结案",
}
SUGGESTION_KINDS = {"judicial": "司法建议", "procuratorial": "检察建议"}


def _arrangement(data: dict[str, Any], unit: str | None) -> dict[str, Any]:
    """A unit's appearance arrangement: being entered on its task, as it gave it while the others still arrange,
    else as this instance's appearance plan keeps it (the arrangements themselves are gone once it is made)."""
    if "head_absence_statement" in data:
        return data
    arranged = as_dict(data.get("unit_arrangements")).get(unit or "")
    if isinstance(arranged, dict):
        return arranged
    plan = as_dict(data.get("appearance_plan"))
    if plan.get("instance_level") != data.get("instance_level"):
        return {}  # an earlier instance's plan: this instance's arrangement is not made yet
    return next((as_dict(a) for a in as_list(plan.get("units")) if as_dict(a).get("unit") == unit), {})


def _head_absence(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, Any]:
    arrangement = _arrangement(data, unit)
    return {
        "unit_name": unit_name(names, unit),
        "head": text(names.heads.get(unit or "")),
        "hearing": chinese_datetime(data.get("hearing_on")) if data.get("hearing_on") else BLANK,
        "reasons": paragraphs(arrangement.get("head_absence_statement")),
        "agents": agents(arrangement.get("agents"), names, unit_name(names, unit)),
    }


def _units(data: dict[str, Any], names: Names) -> str:
    units = [u for u in as_list(data.get("handling_units")) if isinstance(u, str)]
    return "、".join(unit_name(names, u) for u in units) or BLANK


def ruling_text(data: dict[str, Any]) -> str:
    """The court's ruling as the last recorded decision (the one that took effect) says it: its operative part
    (裁判主文) as typed at record_judgment, else its outcome in words; "" when no decision is recorded."""
    history = [as_dict(entry) for entry in as_list(data.get("instance_history"))]
    decided = history[-1] if history else data
    summary = str(decided.get("decision_summary") or "").strip()
    outcome = OUTCOMES.get(str(decided.get("outcome")))
    return summary or (f"{outcome}。" if outcome else "")


def _loss_report(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, Any]:
    report = data if "basic_facts" in data else as_dict(data.get("loss_report"))
    measures = [
        {
            "number": str(i),
            "measure": text(as_dict(m).get("measure")),
            "responsible": text(as_dict(m).get("responsible")),
            "due_on": chinese_date(as_dict(m).get("due_on")),
        }
        for i, m in enumerate(as_list(report.get("rectification_measures")) or [{}], start=1)
    ]
    return {
        "decision_kind": text(DECISION_KINDS.get(str(data.get("decision_form")))),
        "effective_on": chinese_date(data.get("effective_on")),
        "facts": paragraphs(report.get("basic_facts")),
        "ruling": paragraphs(report.get("court_ruling") or ruling_text(data)),
        "causes": paragraphs(report.get("loss_causes")),
        "suggestions": paragraphs(report.get("suggestions")),
        "measures": measures,
        "other": paragraphs(report.get("other_matters")),
        "units": _units(data, names),
    }


def _appeal_opinion(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, Any]:
    decided = first_decision(data)
    return {
        "case_title": title_of(data, names, "first"),
        "case_no": text(decided.get("case_no")),
        "court": text(decided.get("court")),
        "decision_kind": text(DECISION_KINDS.get(str(decided.get("decision_form")))),
        "outcome": text(OUTCOMES.get(str(decided.get("outcome")))),
        "served_on": chinese_date(decided.get("decision_served_on")),
        "claims": paragraphs(data.get("appeal_claims")),
        "grounds": paragraphs(data.get("appeal_grounds")),
        "notes": paragraphs(data.get("opinion_note")),
        "accepts": data.get("unit_appeal_opinion") is False,
        "units": _units(data, names),
    }


def _suggestion_reply(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, Any]:
    return {
        "kind": text(SUGGESTION_KINDS.get(str(data.get("suggestion_kind")))),
        "issuer": text(data.get("issuer")),
        "document_no": text(data.get("document_no")),
        "received_on": chinese_date(data.get("received_on")),
        "unit_name": unit_name(names, data.get("designated_unit")),
        "reply": paragraphs(data.get("reply_text")),
        "measures": paragraphs(data.get("rectification_measures")),
    }


Context = Callable[[dict[str, Any], str | None, Names], dict[str, Any]]
CONTEXTS: dict[str, Context] = {
    "statement_of_defence": defence_set,
    "legal_representative_certificate": defence_set,
    "power_of_attorney": defence_set,
    "head_absence_statement": _head_absence,
    "loss_analysis_report": _loss_report,
    "appeal_opinion": _appeal_opinion,
    "suggestion_reply": _suggestion_reply,
}
