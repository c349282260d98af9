"""What a form after the court's decision starts with that the case already says under another name: the decision's
number is its instance's case number (a court numbers its judgment, ruling or mediation statement by the case:
（2026）蒙0205行初31号行政判决书), and the obligations to perform are what the decision that stands ordered (its
operative part, 裁判主文, as recorded at record_judgment). Both stay editable: the page fills them, the user sends."""

from __future__ import annotations

from typing import Any

__all__ = ["decided_start"]

UPHELD = ("维持原判", "维持原裁定", "维持原裁判")  # an appeal dismissed: what stands is the earlier decision's order


def _summary(entry: Any) -> str:
    return str(entry.get("decision_summary") or "").strip() if isinstance(entry, dict) else ""


def standing_order(data: dict[str, Any]) -> str:
    """The operative part of the decision that stands: the last recorded, or before it the one it upheld; "" when
    none was typed (the outcome alone, 判决撤销, says no obligation)."""
    history = data.get("instance_history")
    typed = [_summary(entry) for entry in history if _summary(entry)] if isinstance(history, list) else []
    for summary in reversed(typed):
        if not any(word in summary for word in UPHELD):
            return summary
    return ""


def decided_start(data: dict[str, Any], fields: Any) -> dict[str, Any]:
    """`decision_no` from the instance's `case_no`, `obligations` from the standing decision, for the fields asked."""
    start: dict[str, Any] = {}
    case_no = str(data.get("case_no") or "").strip()
    if "decision_no" in fields and case_no:
        start["decision_no"] = case_no
    order = standing_order(data) if "obligations" in fields else ""
    if order:
        start["obligations"] = order
    return start
