"""Why a case cannot move to another version, in the page's language."""

from __future__ import annotations

from collections.abc import Callable

from ..services.migration import Reason
from .i18n import STATUSES, _

__all__ = ["reason_text"]


def _status(status: str) -> str:
    return str(STATUSES.get(status, status))


_TEXTS: dict[str, Callable[[dict[str, str]], str]] = {
    "status": lambda v: _("The case is not in progress (%(status)s).", status=_status(v["status"])),
    "same_version": lambda v: _("The case is already on this version."),
    "missing_process": lambda v: _(
        "Process %(process)s is not part of version %(version)s.", process=v["process"], version=v["version"]
    ),
    "steps_changed": lambda v: _("Steps the case ran or waits at changed: %(steps)s.", steps=v["steps"]),
    "form_changed": lambda v: _(
        "The form %(form)s of step %(step)s, which the case ran or waits at, changed.", form=v["form"], step=v["step"]
    ),
    "decision_changed": lambda v: _(
        "The decision table %(decision)s that step %(step)s already ran changed.",
        decision=v["decision"],
        step=v["step"],
    ),
    "not_rebuilt": lambda v: _("The case could not be rebuilt under the new version: %(reason)s", reason=v["reason"]),
    "looks_different": lambda v: _("The case would not look the same under the new version."),
}


def reason_text(reason: Reason) -> str:
    """The reason worded for the page (its English wording when the code is new)."""
    text = _TEXTS.get(reason.code)
    return text(reason.values) if text else str(reason)
