"""The inbox page's queries: tabs, filters, sort, pages and counts over ready tasks, driven by indexes.

A user's candidate keys select task ids through `ix_inbox_candidate_key_task`; completed history never
enters the query (`status = 'ready'`), so the page costs the same with 1,000 or 100,000 cases stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ..engine import now
from ..models import InboxCandidate, InboxTask, User
from .assignment import keys_for_user
from .case_keys import key_list, whole

__all__ = ["TABS", "InboxPage", "InboxQuery", "inbox_page"]

TABS = ("todo", "claimed", "unclaimed")
SORTS = {
    "due": (InboxTask.due_at,),
    "case": (InboxTask.case_no,),
    "step": (InboxTask.title,),
    "unit": (InboxTask.unit,),
    "created": (InboxTask.created_at,),
}
DUE_FILTERS = ("", "overdue", "soon", "none")
SOON = timedelta(days=3)
PAGE_SIZE = 25
MAX_PAGE = 100_000  # beyond any inbox; keeps the OFFSET inside what every database accepts


def _text(value: Any, limit: int) -> str:
    """A filter's text as the query takes it: without NUL characters, which no stored value holds (PostgreSQL
    refuses them in a query)."""
    return str(value or "").replace("\x00", "").strip()[:limit]


@dataclass(frozen=True)
class InboxQuery:
    """What the inbox shows: a tab, optional filters, a sort and a page (1-based)."""

    tab: str = "todo"
    case: str = ""
    step: str = ""
    unit: str = ""
    due: str = ""
    sort: str = "due"
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE

    @classmethod
    def from_args(cls, args: Any) -> InboxQuery:
        """From request arguments; anything unknown falls back to the default instead of failing."""
        tab = args.get("tab", "todo")
        sort = args.get("sort", "due")
        due = args.get("due", "")
        try:
            page = min(max(int(args.get("page", 1)), 1), MAX_PAGE)
        except (TypeError, ValueError):
            page = 1
        return cls(
            tab=tab if tab in TABS else "todo",
            case=_text(args.get("case"), 128),
            step=_text(args.get("step"), 128),
            unit=_text(args.get("unit"), 64),
            due=due if due in DUE_FILTERS else "",
            sort=sort if sort in SORTS else "due",
            descending=args.get("order") == "desc",
            page=page,
        )


@dataclass
class InboxPage:
    """One page of rows, the total of the current tab and filters, and the count of every tab."""

    rows: list[InboxTask]
    total: int
    counts: dict[str, int]
    query: InboxQuery
    steps: list[tuple[str, str]] = field(default_factory=list)  # (element id, title) among my ready tasks
    units: list[str] = field(default_factory=list)  # unit ids among my ready tasks (every unit of a joint one)

    @property
    def pages(self) -> int:
        return max((self.total + self.query.page_size - 1) // self.query.page_size, 1)


def _mine(user: User) -> Any:
    """Ready tasks the user may take (a candidate key matches) and nobody else has claimed."""
    keys = keys_for_user(user)
    candidate = select(InboxCandidate.task_id).where(InboxCandidate.key.in_(keys))
    return (
        InboxTask.status == "ready",
        InboxTask.id.in_(candidate),
        or_(InboxTask.claimed_by.is_(None), InboxTask.claimed_by == user.username),
    )


def _tab(tab: str, user: User) -> Any:
    if tab == "claimed":
        return InboxTask.claimed_by == user.username
    if tab == "unclaimed":
        return InboxTask.claimed_by.is_(None)
    return None


def _filtered(statement: Select[Any], query: InboxQuery, at: datetime) -> Select[Any]:
    if query.case:
        statement = statement.where(InboxTask.case_no.contains(query.case, autoescape=True))
    if query.step:
        statement = statement.where(InboxTask.element_id == query.step)
    if query.unit:  # a joint act's task is found under each of its units
        statement = statement.where(InboxTask.units.contains(whole(query.unit), autoescape=True))
    if query.due == "overdue":
        statement = statement.where(InboxTask.due_at < at)
    elif query.due == "soon":
        statement = statement.where(InboxTask.due_at >= at, InboxTask.due_at < at + SOON)
    elif query.due == "none":
        statement = statement.where(InboxTask.due_at.is_(None))
    return statement


def inbox_page(session: Session, user: User, query: InboxQuery) -> InboxPage:
    """The rows of one inbox page with the counts of every tab."""
    at = now()
    base = _mine(user)
    counts = {}
    for tab in ("claimed", "unclaimed"):
        counting = select(func.count()).select_from(InboxTask).where(*base, _tab(tab, user))
        counts[tab] = session.scalar(counting) or 0
    counts["todo"] = counts["claimed"] + counts["unclaimed"]  # the base already excludes others' claims

    statement = select(InboxTask).where(*base)
    extra = _tab(query.tab, user)
    if extra is not None:
        statement = statement.where(extra)
    statement = _filtered(statement, query, at)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    columns = SORTS[query.sort]
    order = [c.desc() if query.descending else c.asc() for c in columns]
    nulls_last = [c.is_(None) for c in columns]  # tasks without a due date (or case number) go last
    statement = statement.order_by(*nulls_last, *order, InboxTask.created_at, InboxTask.id)
    statement = statement.limit(query.page_size).offset((query.page - 1) * query.page_size)
    rows = list(session.scalars(statement))

    facets = select(InboxTask.element_id, InboxTask.title, InboxTask.units).where(*base).distinct().limit(500)
    found = session.execute(facets).all()
    steps = sorted({(element, title) for element, title, _ in found}, key=lambda s: s[1])
    units = sorted({unit for _, _, stored in found for unit in key_list(stored)})
    return InboxPage(rows, total, counts, query, steps, units)
