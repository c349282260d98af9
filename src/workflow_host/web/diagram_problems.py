"""A diagram's problems in the page's language, by what the check found (the `code` and `params` a problem carries)
rather than by reading its English: a lane that is no role, a flow whose end is missing, a call that cannot be made,
a script or expression the sandbox refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_babel import get_locale

from .i18n import LANES, _

__all__ = ["diagram_problem"]


def _what(kind: str) -> str:
    """Which script or expression of an element was refused."""
    return {
        "script": _("the script"),
        "prescript": _("the script run before the task (pre-script)"),
        "postscript": _("the script run after the task (post-script)"),
        "condition": _("the condition"),
        "cardinality": _("the number of loop instances (cardinality)"),
        "flow condition": _("the condition of the sequence flow"),
        "event expression": _("the event's expression (timer or condition)"),
    }.get(kind, kind)


def _roles(roles: Any) -> str:
    """Each role by its id, which the lane must carry, and its name: gov_office（区政府办公室）."""
    chinese = str(get_locale() or "zh").startswith("zh")
    named = []
    for role in roles if isinstance(roles, list) else []:
        name = LANES.get(role)
        named.append(str(role) if name is None else f"{role}（{name}）" if chinese else f"{role} ({name})")
    return ("、" if chinese else ", ").join(named)


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value or "")


def _known(reason: str, word: Callable[[str], str]) -> str | None:
    """SpiffWorkflow's own words as problem_text words them, None where it does not know them."""
    worded = word(reason)
    return worded if worded != reason else None


RULE_ENTRY = re.compile(r"decision rule (?P<n>\d+) \((?P<rule>[^)]+)\) (?P<side>input|output)")
INPUT_COLUMN = re.compile(r"decision input (?P<column>.+)")


def _entry(what: str, reason: str) -> str:
    """A refused cell of a decision table by its rule (number and id) and side, or a refused input column."""
    rule, column = RULE_ENTRY.fullmatch(what), INPUT_COLUMN.fullmatch(what)
    if rule and rule["side"] == "input":
        return _("rule %(n)s (%(rule)s), its input entry is refused: %(reason)s", **rule.groupdict(), reason=reason)
    if rule:
        return _("rule %(n)s (%(rule)s), its output entry is refused: %(reason)s", **rule.groupdict(), reason=reason)
    if column:
        return _("the input column “%(column)s” is refused: %(reason)s", column=column["column"], reason=reason)
    return _("%(what)s was refused: %(reason)s", what=what, reason=reason)


def _refused(params: dict[str, Any], reason: Callable[[str], str]) -> str:
    return _(
        "%(what)s was refused: %(reason)s",
        what=_what(str(params.get("what", ""))),
        reason=reason(str(params.get("reason", ""))),
    )


WORDED: dict[str, Callable[[dict[str, Any], Callable[[str], str]], str]] = {
    "lane_not_role": lambda p, _r: _(
        "the lane “%(lane)s” is not a role; name the lane by the role that does its tasks: %(roles)s",
        lane=p.get("lane", ""),
        roles=_roles(p.get("roles")),
    ),
    "flow_end_missing": lambda p, _r: (
        _("the sequence flow starts at “%(ref)s”, which is not an element of this process", ref=p.get("ref", ""))
        if p.get("end") == "source"
        else _("the sequence flow leads to “%(ref)s”, which is not an element of this process", ref=p.get("ref", ""))
    ),
    "call_not_deployed": lambda p, _r: _(
        "the call activity calls the process “%(process)s”, which is not deployed", process=p.get("process", "")
    ),
    "calls_itself": lambda p, _r: _(
        "the process “%(process)s” calls itself (%(path)s); such a call never ends",
        process=p.get("process", ""),
        path=p.get("path", ""),
    ),
    "unreadable": lambda p, _r: _("the file could not be read: %(reason)s", reason=p.get("reason", "")),
    "expression_refused": _refused,
    "file_too_large": lambda p, _r: _("the file is larger than %(limit)s MiB", limit=p.get("limit", "")),
    "doctype_refused": lambda _p, _r: _("document type declarations and entities are not allowed"),
    "xml_malformed": lambda p, _r: _("not well-formed XML: %(reason)s", reason=p.get("reason", "")),
    "scripts_too_long": lambda p, _r: _(
        "the scripts and expressions add up to more than %(limit)s characters", limit=_count(p.get("limit"))
    ),
    "bpmn_invalid": lambda p, r: (
        _known(str(p.get("reason", "")), r)
        or _("the diagram is not valid BPMN: %(reason)s", reason=p.get("reason", ""))
    ),
    "decision_unreadable": lambda p, r: _(
        "the decision could not be read: %(reason)s", reason=r(str(p.get("reason", "")))
    ),
    "decision_missing": lambda p, _r: _("the file no longer defines the decision '%(id)s'", id=p.get("id", "")),
    "hit_policy_refused": lambda p, _r: (
        _(
            "COLLECT with aggregation %(aggregation)s is not supported; collect the outputs as a list",
            aggregation=p.get("aggregation"),
        )
        if p.get("aggregation")
        else _(
            "the hit policy %(policy)s is not supported; use %(allowed)s",
            policy=p.get("policy", ""),
            allowed=p.get("allowed", ""),
        )
    ),
    "decision_entry_refused": lambda p, r: _entry(str(p.get("what", "")), r(str(p.get("reason", "")))),
    "form_missing": lambda _p, _r: _("the form file a user task names is missing"),
    "form_too_large": lambda _p, _r: _("the form file is too large"),
    "form_too_deep": lambda _p, _r: _("the form file is nested too deeply"),
    "form_not_json": lambda p, _r: _("Not valid JSON: %(reason)s", reason=p.get("reason", "")),
    "form_not_object": lambda _p, _r: _("a form's schema must be a JSON object"),
    "form_ref_not_local": lambda p, _r: _(
        "only references within the form ('#/...') are allowed, not '%(ref)s'", ref=p.get("ref", "")
    ),
    "form_schema_invalid": lambda p, r: _("not a valid JSON Schema: %(reason)s", reason=r(str(p.get("reason", "")))),
    "form_ref_endless": lambda p, _r: _(
        "the reference '%(ref)s' leads back to itself without end", ref=p.get("ref", "")
    ),
    "form_pattern_slow": lambda p, _r: _(
        "the pattern '%(pattern)s' repeats a repetition or a choice of several characters, which can take"
        " hours to check; simplify it (a character class such as [ab] instead of (a|b))",
        pattern=p.get("pattern", ""),
    ),
    "form_invalid": lambda p, r: _("the form is not valid: %(reason)s", reason=r(str(p.get("reason", "")))),
    "show_when_unknown": lambda p, _r: _(
        "%(field)s: %(option)s names “%(name)s”, which is not a field beside it (what it shows would never show)",
        field=p.get("field", ""),
        option=p.get("option", "ui:showWhen"),
        name=p.get("name", ""),
    ),
}


def diagram_problem(error: dict[str, Any], reason: Callable[[str], str]) -> str | None:
    """The problem in the page's language when the check named it (`code`), a quoted reason worded by `reason`;
    None for a problem without a known code."""
    worded = WORDED.get(str(error.get("code") or ""))
    params = error.get("params")
    if worded is None or not isinstance(params, dict):
        return None
    said = worded(params, reason)
    return _("%(file)s: %(reason)s", file=params["file"], reason=said) if params.get("file") else said
