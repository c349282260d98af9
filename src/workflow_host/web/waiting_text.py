"""How the case list and the case page word what a case with no open step waits for."""

from __future__ import annotations

from ..services.waiting import Waiting
from .i18n import _, local_datetime

__all__ = ["waiting_text"]


def waiting_text(waiting: Waiting | None) -> str:
    """The hearing as 等待开庭（2026-12-20 09:00）, another timer as 等待至 …; empty when nothing is awaited."""
    if waiting is None:
        return ""
    when = local_datetime(waiting.at)
    if waiting.what == "hearing":
        return _("Waiting for the hearing (%(when)s)", when=when)
    return _("Waiting until %(when)s", when=when)
