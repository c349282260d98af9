"""The history page's CSV export as a Chinese auditor opens it in Excel: headers in the page's language, events in
words, people by name, Beijing time, what each step entered by the forms' titles, and UTF-8 with a byte order
mark. The hashes and the payload as stored stay in the last columns, so the file can still be checked. The API's
export (`/api/v1/instances/{id}/export`) keeps its own format."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ
from ..models import ProcessVersion, User
from ..services.case_view import DataLabels, data_labels
from ..services.directory import unit_choices
from ..services.history import case_events
from .display import deadline_text, deadline_title, worded
from .i18n import EVENTS, READINGS, _
from .people import person_with_account

__all__ = ["BOM", "worded_csv"]

BOM = "\ufeff"  # Excel reads a CSV file as UTF-8 only when it starts with one
# what makes Excel or WPS read a cell as a formula (=HYPERLINK(…) typed as a case number would run on opening)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _headers() -> list[str]:
    return [
        _("No."),
        _("Time (Beijing)"),
        _("Event"),
        _("Who"),
        _("Step"),
        _("What was entered or decided"),
        _("Record hash"),
        _("Previous record hash"),
        _("Record as stored"),
    ]


def _cell(value: Any) -> Any:
    """A cell as Excel shows it: text that would start a formula is kept as text by a leading apostrophe."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _when(at: str) -> str:
    return datetime.fromisoformat(at).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


def _who(username: str | None) -> str:
    if not username:
        return _("system")
    return person_with_account(username)


def _details(kind: str, payload: dict[str, Any], labels: DataLabels, units: dict[str, str]) -> str:
    """What an event carries, in words: a step's data, a deadline's due date, the day the act that closed a deadline
    was done (on time or late, as the event says), the time a timer was due, why a case was terminated."""
    if isinstance(payload.get("data"), dict):
        return worded(payload["data"], labels, units)
    if kind == "instance_terminated":
        return _("Reason: %(reason)s", reason=payload.get("reason", ""))
    if deadline_title(payload):
        return deadline_text(payload)
    if payload.get("met_on") and kind == "deadline_missed":
        return _("Done on %(day)s, after the deadline", day=payload["met_on"])
    if payload.get("met_on"):
        return _("Met on %(day)s", day=payload["met_on"])
    if isinstance(payload.get("due_at"), str):
        return _("Due at %(at)s", at=_when(payload["due_at"]))
    what = payload.get("what")
    return str(READINGS.get(what, what) if isinstance(what, str) else "")


def worded_csv(session: Session, user: User, instance_id: int) -> str:
    """The case's events as the history page words them, one row each, with the BOM and a line naming the case."""
    row, events = case_events(session, user, instance_id, "export csv")
    version = session.get(ProcessVersion, row.version_id)
    assert version is not None
    labels = data_labels(session, version, row.process_id)
    units = dict(unit_choices(session))
    out = io.StringIO()
    writer = csv.writer(out)
    case = row.case_no or _("Case %(id)s", id=row.id)
    writer.writerow([_cell(_("History of %(case)s; chain head %(hash)s", case=case, hash=row.audit_head))])
    writer.writerow(_headers())
    for event in events:
        payload = event["payload"] if isinstance(event["payload"], dict) else {}
        writer.writerow(
            _cell(value)
            for value in [
                event["seq"],
                _when(event["at"]),
                str(EVENTS.get(event["type"], event["type"])),
                _who(event["actor"]),
                payload.get("title") or "",
                _details(event["type"], payload, labels, units),
                event["hash"],
                event["prev_hash"],
                json.dumps(event["payload"], ensure_ascii=False, sort_keys=True),
            ]
        )
    return BOM + out.getvalue()
