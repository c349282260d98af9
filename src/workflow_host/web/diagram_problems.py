"""A diagram's problems in the page's language, by what the check found (the `code` and `params` a problem carries)
rather than by reading its English: a lane that is no role, a flow whose end is missing, a call that cannot be made,
a script or expression the sandbox refused."""

from __future__ import annotations

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
    return worded(params, reason)
