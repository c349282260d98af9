"""What the documents say in words: the unit's choice (appeal or not), the suggestion cited once, who is entrusted."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.services.test_documents import FULL, NAMES, opened, texts
from workflow_host.services.document_render import render


def opinion(data: dict[str, Any]) -> str:
    return "\n".join(texts(opened(render("appeal_opinion", data, "land_bureau", NAMES, date(2026, 11, 23)))))


def test_a_unit_that_accepts_the_judgment_reports_that_it_does_not_appeal() -> None:
    accepted = {**FULL, "unit_appeal_opinion": False, "appeal_claims": "", "appeal_grounds": ""}
    accepted["opinion_note"] = "判决认定的程序瑕疵属实，本单位服判，将重新依法处理。"
    text = opinion(accepted)
    assert "本单位经研究，服从该判决，不提起上诉。" in text
    assert "判决认定的程序瑕疵属实，本单位服判，将重新依法处理。" in text
    # it neither asks to appeal nor leaves claims and grounds to fill in, nor asks the government to decide
    assert "要求上诉" not in text
    assert "上诉请求" not in text
    assert "上诉的事实和理由" not in text
    assert "请区人民政府审议决定" not in text
    assert "石拐区自然资源局（盖章）" in text


def test_a_unit_that_appeals_reports_its_claims_and_grounds() -> None:
    text = opinion({**FULL, "unit_appeal_opinion": True})
    assert "本单位对该判决不服，要求上诉。" in text
    assert "请求撤销一审判决，驳回原告诉讼请求。" in text
    assert "一审判决认定送达程序违法，与事实不符。" in text
    assert "以上意见妥否，请区人民政府审议决定。" in text
    assert "服从该判决" not in text


def test_the_suggestion_reply_cites_the_suggestion_by_its_number_once_bracketed() -> None:
    lines = texts(opened(render("suggestion_reply", FULL, "land_bureau", NAMES, date(2026, 12, 28))))
    assert any(line.startswith("贵院（2026）蒙0205司建1号司法建议书已于2026年12月10日收悉。") for line in lines)
    assert not [line for line in lines if "（（" in line]


def test_the_head_absence_statement_does_not_call_a_legal_adviser_a_civil_servant() -> None:
    """The statement listed a law firm's legal adviser under 下列具体行使行政职权的工作人员 (a walk found it)."""
    lines = texts(opened(render("head_absence_statement", FULL, "land_bureau", NAMES, date(2026, 10, 13))))
    [entrusting] = [line for line in lines if "本机关委托" in line]
    assert entrusting.endswith("本机关委托下列人员出庭应诉：")


def test_the_reply_title_breaks_between_words_not_before_its_last_character() -> None:
    """关于（2026）蒙0205司建1号司法建议的回复 is a little longer than a 2号 line: it wrapped with 复 alone on the
    second line; the title now breaks after the suggestion's number, its second line 司法建议的回复."""
    doc = opened(render("suggestion_reply", FULL, "land_bureau", NAMES, date(2026, 12, 28)))
    assert doc.paragraphs[0].text.split("\n") == ["关于（2026）蒙0205司建1号", "司法建议的回复"]
