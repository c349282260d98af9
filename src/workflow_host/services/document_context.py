"""What each document template is filled with, from a case's data (data-dictionary names, the forms' fields and
the records the diagrams keep: `defence_materials`, `unit_arrangements`, `loss_report` …). Every value is a
ready string; a value the case does not hold yet is `BLANK`, a line to fill in by hand, never "None"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..engine import LOCAL_TZ
from .case_wording import case_title, entrusted_matters

__all__ = [
    "BLANK",
    "CELL_BLANK",
    "CONTEXTS",
    "GOVERNMENT",
    "Names",
    "cell",
    "chinese_date",
    "chinese_datetime",
    "formalities",
    "ruling_text",
]

BLANK = "＿＿＿＿＿＿"  # full-width: a line may break inside it, as between Chinese characters
# in a table cell the cell is the space to write in: a blank that fits the narrowest column left blank (页数,
# 14 mm of 五号 text) keeps the row one line high, where six characters wrapped onto three lines
CELL_BLANK = "＿＿"
GOVERNMENT = "包头市石拐区人民政府"
GOVERNMENT_HEAD = "区长"  # the legal representative of a people's government is its head
AGENT_KINDS = {"staff": "本机关工作人员", "public_lawyer": "公职律师", "legal_adviser": "法律顾问"}
POWERS = {
    "admit_claims": "代为承认诉讼请求",
    "settle_or_mediate": "代为进行和解、参加调解",
    "appeal": "代为提起上诉",
    "withdraw_appeal": "代为撤回上诉",
    "receive_documents": "代为签收法律文书",
    "apply_enforcement": "代为申请执行",
}
EVIDENCE_KINDS = {
    "documentary": "书证",
    "physical": "物证",
    "audiovisual": "视听资料",
    "electronic": "电子数据",
    "witness_testimony": "证人证言",
    "party_statement": "当事人的陈述",
    "expert_opinion": "鉴定意见",
    "inspection_record": "勘验笔录、现场笔录",
}
DECISION_KINDS = {"judgment": "判决", "ruling": "裁定", "mediation_statement": "调解书"}
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
NUMERALS = "一二三四五六七八九十"


@dataclass
class Names:
    """What the directory knows: unit names, the names of unit heads and of the district head (区长), and the posts
    (职务) of those heads the directory gives one (`posts`: by unit)."""

    units: dict[str, str] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)
    district_head: str | None = None
    posts: dict[str, str] = field(default_factory=dict)
    district_head_post: str | None = None


def cell(value: Any) -> Any:
    """A value as a table cell prints it (the templates' `cell` filter): a blank line is a short one."""
    return CELL_BLANK if value == BLANK else value


def text(value: Any) -> str:
    """A value as it is printed: the text, or a blank line to fill in."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return BLANK
    return str(value).strip()


def paragraphs(value: Any) -> list[str]:
    """Long text as paragraphs (one per non-empty line); a blank line when there is none."""
    lines = [line.strip() for line in str(value or "").splitlines() if line.strip()]
    return lines or [BLANK]


def chinese_date(value: Any) -> str:
    """`2026-11-28` → `2026年11月28日`; anything that is not a date → a blank line."""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return BLANK
    if not isinstance(value, date):
        return BLANK
    return f"{value.year}年{value.month}月{value.day}日"


def chinese_datetime(value: Any) -> str:
    """`2026-11-03T09:30:00+08:00` → `2026年11月3日9时30分` (Beijing time); a date alone → the date."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return chinese_date(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TZ)
    return f"{chinese_date(moment.date())}{moment.hour}时{moment.minute:02d}分"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _filled(value: Any) -> dict[str, Any]:
    """The entries of an object someone typed, without those left empty."""
    return {k: v for k, v in _dict(value).items() if v not in (None, "", [], {})}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _unit_name(names: Names, unit: Any) -> str:
    return text(names.units.get(unit, unit) if isinstance(unit, str) else None)


def defendant_name(data: dict[str, Any], names: Names) -> str:
    if data.get("defendant") == "district_government":
        return GOVERNMENT
    return _unit_name(names, data.get("defendant_unit"))


def defendants(data: dict[str, Any], names: Names) -> list[str]:
    """Who the suit is against: the district government beside the original organ when its reconsideration upheld
    the act (ALL Art. 26 ¶2: the unit that continues the power, or the entrusting unit, or the acting units)."""
    if data.get("defendant") != "district_government":
        return [defendant_name(data, names)]
    if data.get("reconsideration") != "upheld":
        return [GOVERNMENT]
    original = data.get("successor_unit") or data.get("entrusting_unit")
    units = (
        [original] if isinstance(original, str) else [u for u in _list(data.get("acting_units")) if isinstance(u, str)]
    )
    return [_unit_name(names, u) for u in units] + [GOVERNMENT]


def _sides(data: dict[str, Any], names: Names) -> tuple[list[str], list[str]] | None:
    """Who moved the case's later instance and who answers it: the organ that appealed (Art. 8) or applied for the
    retrial (Art. 10) against the plaintiff; the plaintiff or a third party (whose name the case data lacks: a line
    to fill in) that appealed (Art. 9) against the organ; None at first instance or when nobody recorded who."""
    level, organs, plaintiff = data.get("instance_level"), defendants(data, names), text(data.get("plaintiff"))
    if level == "retrial" or (level == "second" and data.get("appeal_filed") is True):
        return organs, [plaintiff]
    if level != "second" or data.get("plaintiff_appealed") is not True:
        return None
    return {
        "third_party": ([BLANK], [plaintiff, *organs]),
        "plaintiff_and_third_party": ([plaintiff, BLANK], organs),
    }.get(str(data.get("appellant")), ([plaintiff], organs))


def title_of(data: dict[str, Any], names: Names, level: Any = None, with_role: bool = True) -> str:
    """The case as the documents name it, at `level` (by default the case's instance, with who appealed)."""
    current = data.get("instance_level")
    level = level or current
    sides = _sides(data, names) if level == current else None
    plaintiff, cause = text(data.get("plaintiff")), str(data.get("cause") or "")
    return case_title(plaintiff, defendants(data, names), cause, level, with_role, sides)


def _part(data: dict[str, Any], unit: str | None) -> dict[str, Any]:
    """A unit's defence materials: being entered on its task, else as submitted (the reconsideration part for
    the justice bureau when it prepares one)."""
    if "statement_of_defence" in data or "power_of_attorney" in data:
        return data
    submitted = _dict(data.get("defence_materials")).get(unit or "")
    if isinstance(submitted, dict):
        return submitted
    reconsideration = _dict(data.get("reconsideration_materials"))
    return reconsideration if reconsideration.get("unit") == unit else {}


def _respondent(data: dict[str, Any], part: dict[str, Any], unit: str | None, names: Names) -> str:
    organ = _dict(part.get("legal_representative_certificate")).get("organ")
    if organ:
        return text(organ)
    reconsideration_part = unit == "justice_bureau" and data.get("reconsideration") == "upheld"
    if data.get("defendant") == "district_government" or reconsideration_part:
        return GOVERNMENT
    return _unit_name(names, data.get("defendant_unit") or unit)


def formalities(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, dict[str, str]]:
    """What a unit's certificate and power of attorney say before anyone types them: the organ that answers (the
    district government in a suit against it), its legal representative as the directory knows them (the district
    head, by default 区长; a unit's head) with their post, and the matter entrusted at the case's instance."""
    organ = _respondent(data, {}, unit, names)
    government = organ == GOVERNMENT
    head = names.district_head if government else names.heads.get(unit or "")
    post = (names.district_head_post or GOVERNMENT_HEAD) if government else names.posts.get(unit or "")
    certificate = {"organ": organ} | ({"name": head} if head else {}) | ({"position": post} if post else {})
    matters = entrusted_matters(data.get("case_no"), data.get("instance_level"))
    return {
        "legal_representative_certificate": certificate,
        "power_of_attorney": {"principal": organ, "entrusted_matters": matters},
    }


def _agent(agent: Any, names: Names, principal: str) -> dict[str, str]:
    """An agent as the documents list them. A staff member is 本机关工作人员 of the organ that entrusts them, but
    the staff of a department (the handling unit) acting for the district government are that department's
    (ALL Art. 31: 当事人的工作人员), and say so."""
    agent = _dict(agent)
    work_unit = agent.get("work_unit") or names.units.get(str(agent.get("unit")), agent.get("unit"))
    kind = AGENT_KINDS.get(str(agent.get("agent_type")))
    if agent.get("agent_type") == "staff" and work_unit and principal == GOVERNMENT and work_unit != GOVERNMENT:
        kind = f"{work_unit}工作人员"
    return {
        "name": text(agent.get("name")),
        "kind": text(kind),
        "work_unit": text(work_unit),
        "position": text(agent.get("position")),
        "id_number": text(agent.get("id_number")),
        "phone": text(agent.get("phone")),
    }


def _agents(value: Any, names: Names, principal: str) -> list[dict[str, str]]:
    return [_agent(a, names, principal) for a in _list(value)] or [_agent({}, names, principal)]


def common(data: dict[str, Any], names: Names, today: date) -> dict[str, Any]:
    """What every document names: the case, the court, the parties, today's date."""
    return {
        "case_no": text(data.get("case_no")),
        "court": text(data.get("court")),
        "plaintiff": text(data.get("plaintiff")),
        "cause": text(data.get("cause")),
        "defendant": defendant_name(data, names),
        "case_title": title_of(data, names),
        "today": chinese_date(today),
        "blank": BLANK,
    }


def _parties(data: dict[str, Any], names: Names) -> dict[str, str]:
    """How a statement of defence names the parties: at first instance the defendant answers the plaintiff about
    the suit; at second instance, when the other side appealed, the appellee answers the appellant about the
    first-instance decision (a third party's name is not in the case data: a line to fill in); when only the organ
    appealed, it is the appellant and the plaintiff the appellee."""
    plaintiff = text(data.get("plaintiff"))
    level = data.get("instance_level")
    if level != "second" or data.get("plaintiff_appealed") is not True:
        opening = f"答辩人因被答辩人{title_of(data, names, with_role=False)}"
        roles = ("（上诉人、原审被告）", "（被上诉人、原审原告）") if level == "second" else ("", "（原告）")
        if level == "retrial":
            roles = ("", "（原审原告）")
        return {"respondent_role": roles[0], "opponent": plaintiff, "opponent_role": roles[1], "opening": opening}
    opponent, role = {
        "third_party": (BLANK, "（上诉人、原审第三人）"),
        "plaintiff_and_third_party": (f"{plaintiff}、{BLANK}", "（上诉人）"),
    }.get(str(data.get("appellant")), (plaintiff, "（上诉人、原审原告）"))
    first = _first_decision(data)
    kind = DECISION_KINDS.get(str(first.get("decision_form")), "判决")
    decision = f"{text(first.get('court'))}{text(first.get('case_no'))}行政{kind}"
    return {
        "respondent_role": "（被上诉人、原审被告）",
        "opponent": opponent,
        "opponent_role": role,
        "opening": f"答辩人因上诉人{opponent}不服{decision}一案",
    }


def _defence_set(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, Any]:
    part = _part(data, unit)
    start = formalities(data, unit, names)
    certificate = start["legal_representative_certificate"] | _filled(part.get("legal_representative_certificate"))
    attorney = start["power_of_attorney"] | _filled(part.get("power_of_attorney"))
    respondent = _respondent(data, part, unit, names)
    powers = [p for p in _list(attorney.get("special_powers")) if isinstance(p, str)]
    scope = attorney.get("authority_scope")
    return {
        **_parties(data, names),
        "respondent": respondent,
        "respondent_address": BLANK,
        "organ": text(certificate.get("organ") or respondent),
        "representative": text(certificate.get("name")),
        "representative_position": text(certificate.get("position")),
        "principal": text(attorney.get("principal") or respondent),
        "agents": _agents(attorney.get("agents"), names, text(attorney.get("principal") or respondent)),
        "matters": text(attorney.get("entrusted_matters")),
        "scope": {"general": "一般代理。", "special": "特别授权，具体如下："}.get(str(scope), BLANK),
        "powers": [f"（{NUMERALS[i]}）{POWERS.get(p, p)}；" for i, p in enumerate(powers)] * (scope == "special"),
        "statement": paragraphs(part.get("statement_of_defence")),
        "legal_basis": [
            {"number": str(i), "name": text(_dict(b).get("name")), "provisions": text(_dict(b).get("provisions"))}
            for i, b in enumerate(_list(part.get("legal_basis")), start=1)
        ]
        or [{"number": "1", "name": BLANK, "provisions": ""}],
        "evidence": _evidence(part.get("evidence")),
        "other_materials": "、".join(text(_dict(m).get("name")) for m in _list(part.get("other_materials"))) or "无",
    }


def _evidence(value: Any) -> list[dict[str, str]]:
    rows = []
    for number, item in enumerate(_list(value) or [{}], start=1):
        item = _dict(item)
        rows.append(
            {
                "number": str(number),
                "name": text(item.get("name")),
                "kind": text(EVIDENCE_KINDS.get(str(item.get("kind")))),
                "source": text(item.get("source")),
                "purpose": text(item.get("purpose")),
                "pages": text(item.get("pages")),
            }
        )
    return rows


def _arrangement(data: dict[str, Any], unit: str | None) -> dict[str, Any]:
    """A unit's appearance arrangement: being entered on its task, as it gave it while the others still arrange,
    else as this instance's appearance plan keeps it (the arrangements themselves are gone once it is made)."""
    if "head_absence_statement" in data:
        return data
    arranged = _dict(data.get("unit_arrangements")).get(unit or "")
    if isinstance(arranged, dict):
        return arranged
    plan = _dict(data.get("appearance_plan"))
    if plan.get("instance_level") != data.get("instance_level"):
        return {}  # an earlier instance's plan: this instance's arrangement is not made yet
    return next((_dict(a) for a in _list(plan.get("units")) if _dict(a).get("unit") == unit), {})


def _head_absence(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, Any]:
    arrangement = _arrangement(data, unit)
    return {
        "unit_name": _unit_name(names, unit),
        "head": text(names.heads.get(unit or "")),
        "hearing": chinese_datetime(data.get("hearing_on")) if data.get("hearing_on") else BLANK,
        "reasons": paragraphs(arrangement.get("head_absence_statement")),
        "agents": _agents(arrangement.get("agents"), names, _unit_name(names, unit)),
    }


def _units(data: dict[str, Any], names: Names) -> str:
    units = [u for u in _list(data.get("handling_units")) if isinstance(u, str)]
    return "、".join(_unit_name(names, u) for u in units) or BLANK


def ruling_text(data: dict[str, Any]) -> str:
    """The court's ruling as the last recorded decision (the one that took effect) says it: its operative part
    (裁判主文) as typed at record_judgment, else its outcome in words; "" when no decision is recorded."""
    history = [_dict(entry) for entry in _list(data.get("instance_history"))]
    decided = history[-1] if history else data
    summary = str(decided.get("decision_summary") or "").strip()
    outcome = OUTCOMES.get(str(decided.get("outcome")))
    return summary or (f"{outcome}。" if outcome else "")


def _loss_report(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, Any]:
    report = data if "basic_facts" in data else _dict(data.get("loss_report"))
    measures = [
        {
            "number": str(i),
            "measure": text(_dict(m).get("measure")),
            "responsible": text(_dict(m).get("responsible")),
            "due_on": chinese_date(_dict(m).get("due_on")),
        }
        for i, m in enumerate(_list(report.get("rectification_measures")) or [{}], start=1)
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


def _first_decision(data: dict[str, Any]) -> dict[str, Any]:
    """The decision an appeal is about: the first instance's. Once a later instance began, the case's number,
    court and decision are that instance's, and the first's are as instance_history kept them."""
    if data.get("instance_level") in (None, "first"):
        return data
    for entry in _list(data.get("instance_history")):
        if _dict(entry).get("instance_level") == "first":
            return _dict(entry)
    return data


def _appeal_opinion(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, Any]:
    decided = _first_decision(data)
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
        "unit_name": _unit_name(names, data.get("designated_unit")),
        "reply": paragraphs(data.get("reply_text")),
        "measures": paragraphs(data.get("rectification_measures")),
    }


Context = Callable[[dict[str, Any], str | None, Names], dict[str, Any]]
CONTEXTS: dict[str, Context] = {
    "statement_of_defence": _defence_set,
    "legal_representative_certificate": _defence_set,
    "power_of_attorney": _defence_set,
    "head_absence_statement": _head_absence,
    "loss_analysis_report": _loss_report,
    "appeal_opinion": _appeal_opinion,
    "suggestion_reply": _suggestion_reply,
}
