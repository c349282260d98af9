"""Statutory periods on China's real calendar (2026 State Council schedule), provisional beyond it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from workflow_host.cli import main
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services import instances
from workflow_host.services.calendar import HolidayCalendar, load_calendar_year, parse_calendar_file
from workflow_host.services.deadlines import compute_deadline, parse_period
from workflow_host.services.errors import Invalid
from workflow_host.services.timers import fire_due_timers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CALENDAR = HolidayCalendar()


@pytest.mark.parametrize(
    ("start", "period", "due", "provisional"),
    [
        # 15 days from 20 Sep 2026 end on 5 Oct, inside the National Day holiday (1-7 Oct): 8 Oct.
        ("2026-09-20", "15", "2026-10-08", False),
        # ending on a Saturday rolls to Monday
        ("2026-11-13", "15", "2026-11-30", False),
        # 2 working days from 30 Sep: the holiday does not count, 8 and 9 Oct do
        ("2026-09-30", "2wd", "2026-10-09", False),
        # 10 Oct 2026 is a Saturday worked in lieu (调休): it counts; Sunday does not
        ("2026-10-09", "2wd", "2026-10-12", False),
        # 2 working days from Friday 13 Feb 2026: Saturday 14 Feb is worked in lieu, then Spring Festival
        # (15-23 Feb) does not count: the second working day is Tuesday 24 Feb
        ("2026-02-13", "2wd", "2026-02-24", False),
        # 4 Jan 2026 (Sunday) is worked in lieu of New Year's Day
        ("2025-12-31", "1wd", "2026-01-04", False),
        # 6 months: the corresponding day, or the month's last day, then rolled past rest days
        ("2026-03-15", "6m", "2026-09-15", False),
        ("2026-04-30", "6m", "2026-10-30", False),
        # 2027 is not in the packaged calendar yet: weekends only, marked provisional
        ("2026-12-20", "15", "2027-01-04", True),
        ("2026-08-31", "6m", "2027-03-01", True),
        ("2026-12-28", "5wd", "2027-01-04", True),
    ],
)
def test_due_dates(start: str, period: str, due: str, provisional: bool) -> None:
    result = compute_deadline(CALENDAR, date.fromisoformat(start), parse_period(period))
    assert result.due_on == date.fromisoformat(due)
    assert result.provisional is provisional


def test_a_loaded_year_makes_its_deadlines_final() -> None:
    year, _source, days = parse_calendar_file((FIXTURES / "calendar/2027-test.yaml").read_text(encoding="utf-8"))
    calendar = HolidayCalendar({year: days})
    result = compute_deadline(calendar, date(2026, 12, 20), parse_period("15"))
    assert (result.due_on, result.provisional) == (date(2027, 1, 6), False)
    assert calendar.is_working_day(date(2027, 1, 9))  # the made-up Saturday worked in lieu


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year: 2027\nsource: x\nholidays: []\n", "lists no holidays"),
        ("year: 2027\nholidays: [{from: 2027-01-01, to: 2027-01-01}]\n", "needs 'source'"),
        ("year: 2027\nsource: x\nholidays: [{from: 2028-01-01, to: 2028-01-01}]\n", "is not in 2027"),
        ("year: 2027\nsource: x\nholidays: [{from: 2027-01-03, to: 2027-01-01}]\n", "'to' is before 'from'"),
        (
            "year: 2027\nsource: x\nholidays: [{from: 2027-01-01, to: 2027-01-01}]\nworkdays: [{date: 2027-01-06}]\n",
            "is a weekday",
        ),
    ],
)
def test_bad_calendar_files_are_refused(text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse_calendar_file(text)


@pytest.mark.parametrize("period", ["0", "abc", "15x", "-3"])
def test_bad_periods_are_refused(period: str) -> None:
    with pytest.raises(Invalid):
        parse_period(period)


def test_a_diagram_computes_its_deadline_and_the_timer_fires_after_it(deployed: Host) -> None:
    served = FixedClock(datetime(2026, 9, 21, 1, 0, tzinfo=UTC))
    with use_clock(served), deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        case = instances.start_instance(
            session, deployed.runtime, clerk, "defence_deadline", {"complaint_served_on": "2026-09-20"}
        )
    assert case["data"]["defence_deadline"]["due_on"] == "2026-10-08"
    assert case["data"]["defence_deadline"]["provisional"] is False
    [task] = case["tasks"]
    assert task["due_at"] == "2026-10-08T15:59:59+00:00"
    assert case["next_due_at"] == "2026-10-08T15:59:59+00:00"
    assert fire_due_timers(deployed.database, deployed.runtime, datetime(2026, 10, 8, 15, 0, tzinfo=UTC)) == []
    assert fire_due_timers(deployed.database, deployed.runtime, datetime(2026, 10, 8, 16, 0, tzinfo=UTC)) == [
        case["id"]
    ]
    with deployed.database.transaction() as session:
        auditor = session.get(User, "auditor")
        assert auditor is not None
        after = instances.get_instance(session, auditor, case["id"])
    assert [t["name"] for t in after["tasks"]] == ["report_overdue"]


def test_loading_a_year_through_the_database_reaches_the_diagrams(host: Host) -> None:
    with host.database.transaction() as session:
        assert load_calendar_year(session, (FIXTURES / "calendar/2027-test.yaml").read_text(encoding="utf-8"), "t") == (
            2027,
            8,
        )
    host.calendar.invalidate()
    assert 2027 in host.calendar.current().years
    helper = host.runtime.sandbox
    data = {"served": "2026-12-20"}
    helper.execute("due = deadline(served, 15)", data)
    assert data["due"]["due_on"] == "2027-01-06"
    assert data["due"]["provisional"] is False


def test_the_deadline_command_prints_the_due_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.chdir(tmp_path)
    assert main(["deadline", "2026-09-20", "15"]) == 0
    assert capsys.readouterr().out.startswith("2026-10-08")
    assert main(["deadline", "2026-12-20", "15"]) == 0
    assert "provisional" in capsys.readouterr().out
    assert main(["deadline", "20 Sep", "15"]) == 1
    assert "is not a date" in capsys.readouterr().err
