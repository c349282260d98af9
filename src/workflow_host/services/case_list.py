"""The case list: the cases a user may see, newest change first, a page at a time, found by part of a case number,
a plaintiff's name or words of what the case is about, and narrowed to one status; each with its parties and the
steps it waits at."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ..models import InboxTask, Instance, User
from .case_keys import case_numbers
from .errors import BadRequest
from .permissions import visible_cases

__all__ = [
    "CASE_LIST",
    "STATUSES",
    "CaseQuery",
    "CasesPage",
    "ListedCase",
    "list_cases",
    "page_view",
    "parse_cursor",
]

CASE_LIST = 100  # cases a page shows
# The data names of a case's parties that a listed case carries in the API (a suit's, a suggestion's).
PARTY_NAMES = ("plaintiff", "defendant", "defendant_unit", "issuer", "designated_unit")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
STATUSES = ("running", "completed", "error", "suspended", "terminated")  # GET /instances/{id}'s status


@dataclass(frozen=True)
class CaseQuery:
    """What the list is narrowed to: `text` in a case number, the plaintiff, the act challenged or a suggestion's
    issuer or summary; one `status`; cases changed before `before` (the cursor of the previous page's last case)."""

    text: str = ""
    status: str = ""
    before: tuple[datetime, int] | None = None


@dataclass(frozen=True)
class ListedCase:
    """A case as the list shows it: its row, the numbers of its instances, its data's parties and open steps."""

    row: Instance
    numbers: list[tuple[str, str]]
    data: dict[str, Any]
    open_steps: list[str]


@dataclass(frozen=True)
class CasesPage:
    """A page of the list and the cursor of the next, older page (None on the last)."""

    cases: list[ListedCase]
    next_cursor: str | None


def parse_cursor(value: str) -> tuple[datetime, int] | None:
    """A page cursor ("<last change, microseconds since 1970 UTC>_<case id>", safe in a URL as it is) as the query
    takes it; empty for the first page."""
    if not value:
        return None
    changed, _, case_id = value.partition("_")
    if not (changed.isdigit() and case_id.isdigit() and len(changed) <= 20 and len(case_id) <= 18):
        raise BadRequest(f"the page cursor {value[:64]!r} is not one this list gave")
    try:
        return EPOCH + timedelta(microseconds=int(changed)), int(case_id)
    except OverflowError:
        raise BadRequest(f"the page cursor {value[:64]!r} is not one this list gave") from None


def _cursor(row: Instance) -> str:
    return f"{(row.updated_at - EPOCH) // timedelta(microseconds=1)}_{row.id}"


def list_cases(session: Session, user: User, query: CaseQuery) -> CasesPage:
    """A page of the cases `user` may see that match `query`, newest change first (one indexed read, then the
    open steps of the page's cases)."""
    if query.status and query.status not in STATUSES:
        raise BadRequest(f"unknown case status {query.status[:32]!r}")
    statement = select(Instance).order_by(Instance.updated_at.desc(), Instance.id.desc())
    rule = visible_cases(session, user)
    if rule is not None:
        statement = statement.where(rule)
    text = query.text.strip()
    if "\x00" in text:  # in no stored text (PostgreSQL refuses it in a query, SQLite's LIKE stops at it)
        return CasesPage([], None)
    if text:
        found_in = (Instance.number_keys, Instance.search_text)
        statement = statement.where(or_(*(column.contains(text, autoescape=True) for column in found_in)))
    if query.status:
        statement = statement.where(Instance.status == query.status)
    if query.before:
        changed, case_id = query.before
        statement = statement.where(
            or_(Instance.updated_at < changed, and_(Instance.updated_at == changed, Instance.id < case_id))
        )
    rows = list(session.scalars(statement.limit(CASE_LIST + 1)))
    more = len(rows) > CASE_LIST
    rows = rows[:CASE_LIST]
    steps = _open_steps(session, [row.id for row in rows])
    cases = [ListedCase(row, case_numbers(data), data, steps.get(row.id, [])) for row in rows for data in [_data(row)]]
    return CasesPage(cases, _cursor(rows[-1]) if more else None)


def _data(row: Instance) -> dict[str, Any]:
    try:
        data = json.loads(row.data_json or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _open_steps(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    """The titles of the steps each case waits at, oldest first, without repeating one (a step of several units)."""
    found: dict[int, list[str]] = {}
    if not case_ids:
        return found
    rows = session.execute(
        select(InboxTask.instance_id, InboxTask.title)
        .where(InboxTask.instance_id.in_(case_ids), InboxTask.status == "ready")
        .order_by(InboxTask.created_at, InboxTask.id)
    )
    for case_id, title in rows:
        titles = found.setdefault(case_id, [])
        if title not in titles:
            titles.append(title)
    return found


def page_view(page: CasesPage) -> dict[str, Any]:
    """A page as `GET /instances` gives it: each case's summary, and the cursor of the next page (null on the last)."""
    return {"instances": [_summary(item) for item in page.cases], "next": page.next_cursor}


def _summary(item: ListedCase) -> dict[str, Any]:
    row = item.row
    return {
        "id": row.id,
        "process_id": row.process_id,
        "status": row.status,
        "case_no": row.case_no,
        "case_numbers": [{"instance_level": level, "case_no": number} for level, number in item.numbers],
        **{name: item.data.get(name) for name in PARTY_NAMES if name in item.data},
        "open_steps": item.open_steps,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }
