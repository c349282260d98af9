"""Running a view that only reads: in a read transaction, with an auditor's reading of a case recorded first.

On SQLite a read transaction goes beside a step instead of queuing for the write lock, and refuses writes
(Database.read_transaction). An auditor's or admin's reading of a case is itself audited (`case_viewed`): the
service asks for that record (history.ViewToRecord), it is written in a short transaction of its own, and the
view runs again, now showing it. So only the record waits for the lock, never the rendering of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from ..db import Database
from ..models import User
from ..services import history

__all__ = ["NOBODY", "read_view"]

NOBODY = object()  # returned when `user_of` finds nobody signed in
MAX_RECORDS = 4  # a view records one reading; a few more would be a loop, not a page


def read_view(
    database: Database, user_of: Callable[[Session], User | None], call: Callable[[Session, User], Any]
) -> Any:
    """`call(session, user)` in a read transaction; the readings it asks to record are recorded first."""
    recorded: set[tuple[int, str]] = set()
    for _ in range(MAX_RECORDS + 1):
        with database.read_transaction() as session:
            session.info[history.RECORDED_VIEWS] = recorded
            user = user_of(session)
            if user is None:
                return NOBODY
            try:
                return call(session, user)
            except history.ViewToRecord as asked:
                pending = asked
        with database.transaction() as session:
            user = user_of(session)
            if user is None:
                return NOBODY
            history.record_view(session, user, pending.instance_id, pending.what)
        recorded.add((pending.instance_id, pending.what))
    raise RuntimeError(f"a read asked to record more than {MAX_RECORDS} readings")
