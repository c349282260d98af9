"""What a unit's defence set is filled with (statement of defence, legal representative's certificate, power of
attorney): the parties and their roles at the case's instance, the organ that answers and its representative,
the agents, the legal basis and the evidence, as being entered or as submitted (`defence_materials`)."""

from __future__ import annotations

from typing import Any

from .case_wording import entrusted_matters
from .document_names import DECISION_KINDS, GOVERNMENT, Names, first_decision, title_of, unit_name
from .document_text import BLANK, as_dict, as_list, paragraphs, text

__all__ = ["agents", "defence_set", "formalities"]

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
NUMERALS = "一二三四五六七八九十"


def _filled(value: Any) -> dict[str, Any]:
    """The entries of an object someone typed, without those left empty."""
    return {k: v for k, v in as_dict(value).items() if v not in (None, "", [], {})}


def _part(data: dict[str, Any], unit: str | None) -> dict[str, Any]:
    """A unit's defence materials: being entered on its task, else as submitted (the reconsideration part for
    the justice bureau when it prepares one)."""
    if "statement_of_defence" in data or "power_of_attorney" in data:
        return data
    submitted = as_dict(data.get("defence_materials")).get(unit or "")
    if isinstance(submitted, dict):
        return submitted
    reconsideration = as_dict(data.get("reconsideration_materials"))
    return reconsideration if reconsideration.get("unit") == unit else {}


def _respondent(data: dict[str, Any], part: dict[str, Any], unit: str | None, names: Names) -> str:
    organ = as_dict(part.get("legal_representative_certificate")).get("organ")
    if organ:
        return text(organ)
    reconsideration_part = unit == "justice_bureau" and data.get("reconsideration") == "upheld"
    if data.get("defendant") == "district_government" or reconsideration_part:
        return GOVERNMENT
    return unit_name(names, data.get("defendant_unit") or unit)


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
    agent = as_dict(agent)
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


def agents(value: Any, names: Names, principal: str) -> list[dict[str, str]]:
    """The agents as the documents list them; one blank agent when none is given."""
    return [_agent(a, names, principal) for a in as_list(value)] or [_agent({}, names, principal)]


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
    first = first_decision(data)
    kind = DECISION_KINDS.get(str(first.get("decision_form")), "判决")
    decision = f"{text(first.get('court'))}{text(first.get('case_no'))}行政{kind}"
    return {
        "respondent_role": "（被上诉人、原审被告）",
        "opponent": opponent,
        "opponent_role": role,
        "opening": f"答辩人因上诉人{opponent}不服{decision}一案",
    }


def defence_set(data: dict[str, Any], unit: str | None, names: Names) -> dict[str, Any]:
    """What a unit's statement of defence, certificate and power of attorney are filled with."""
    part = _part(data, unit)
    start = formalities(data, unit, names)
    certificate = start["legal_representative_certificate"] | _filled(part.get("legal_representative_certificate"))
    attorney = start["power_of_attorney"] | _filled(part.get("power_of_attorney"))
    respondent = _respondent(data, part, unit, names)
    powers = [p for p in as_list(attorney.get("special_powers")) if isinstance(p, str)]
    scope = attorney.get("authority_scope")
    return {
        **_parties(data, names),
        "respondent": respondent,
        "respondent_address": BLANK,
        "organ": text(certificate.get("organ") or respondent),
        "representative": text(certificate.get("name")),
        "representative_position": text(certificate.get("position")),
        "principal": text(attorney.get("principal") or respondent),
        "agents": agents(attorney.get("agents"), names, text(attorney.get("principal") or respondent)),
        "matters": text(attorney.get("entrusted_matters")),
        "scope": {"general": "一般代理。", "special": "特别授权，具体如下："}.get(str(scope), BLANK),
        "powers": [f"（{NUMERALS[i]}）{POWERS.get(p, p)}；" for i, p in enumerate(powers)] * (scope == "special"),
        "statement": paragraphs(part.get("statement_of_defence")),
        "legal_basis": [
            {"number": str(i), "name": text(as_dict(b).get("name")), "provisions": text(as_dict(b).get("provisions"))}
            for i, b in enumerate(as_list(part.get("legal_basis")), start=1)
        ]
        or [{"number": "1", "name": BLANK, "provisions": ""}],
        "evidence": _evidence(part.get("evidence")),
        "other_materials": "、".join(text(as_dict(m).get("name")) for m in as_list(part.get("other_materials")))
        or "无",
    }


def _evidence(value: Any) -> list[dict[str, str]]:
    rows = []
    for number, item in enumerate(as_list(value) or [{}], start=1):
        item = as_dict(item)
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
