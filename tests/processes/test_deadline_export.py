"""The history's CSV export words how a statutory deadline was closed as the event does: met on the day of the act,
or done on that day after the deadline (processes/defence.bpmn's filing, judged by its filing date)."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from tests.processes.support import CST, SignIn, complete_task, tasks
from tests.processes.test_defence import FILING, drive_to_filing
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import FixedClock
from workflow_host.host import Host

DIAGRAMS = ("defence.bpmn",)
NOW = "2026-09-21T09:00"  # the defence is due on 2026-10-08 (tests/processes/test_defence.py)


@pytest.mark.parametrize(
    ("filed_on", "event", "details"),
    [("2026-10-08", "按期完成", "2026-10-08 按期完成"), ("2026-10-09", "逾期", "2026-10-09 办理，已超过期限")],
    ids=["met", "missed"],
)
def test_the_export_says_whether_the_filing_met_the_defence_deadline(
    host: Host, sign_in: SignIn, clock: FixedClock, filed_on: str, event: str, details: str
) -> None:
    case_id, _jb = drive_to_filing(sign_in)
    clock.set(datetime(2026, 10, 9, 10, 0, tzinfo=CST))
    jb = sign_in("jb_staff")
    [filing] = tasks(jb, "file_defence")
    complete_task(jb, filing, {**FILING, "filed_on": filed_on})
    web = Web(create_app({"TESTING": True, "HOST": host}), "jb_staff")
    body = web.get(f"/cases/{case_id}/history/export?format=csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    [closed] = [row for row in rows[2:] if row[2] in ("按期完成", "逾期")]
    assert (closed[2], closed[5]) == (event, details)
