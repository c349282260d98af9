"""A deadline in a year the calendar does not know is provisional; loading the year makes it final and
moves the case's timer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services import instances
from workflow_host.services.calendar import load_calendar_year
from workflow_host.services.recompute import plain_dates, recompute_provisional
from workflow_host.services.timers import fire_due_timers

CST = timezone(timedelta(hours=8))
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _case(host: Host, case_id: int) -> dict[str, object]:
    with host.database.transaction() as session:
        auditor = session.get(User, "auditor")
        assert auditor is not None
        return instances.get_instance(session, auditor, case_id)


def test_loading_2027_makes_a_provisional_deadline_final_and_moves_its_timer(deployed: Host) -> None:
    with use_clock(FixedClock(datetime(2026, 12, 21, 9, tzinfo=CST))), deployed.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        case = instances.start_instance(
            session, deployed.runtime, clerk, "defence_deadline", {"complaint_served_on": "2026-12-20"}
        )
    [before] = case["deadlines"]
    assert (before["due_on"], before["provisional"]) == ("2027-01-04", True)
    assert case["next_due_at"] == "2027-01-04T15:59:59+00:00"

    with deployed.database.transaction() as session:
        load_calendar_year(session, (FIXTURES / "calendar/2027-test.yaml").read_text(encoding="utf-8"), "admin")
    deployed.calendar.invalidate()
    moved = recompute_provisional(deployed.database, deployed.runtime, deployed.calendar.current(), "admin")
    assert moved == ["defence_deadline@2026-12-20"]

    after = _case(deployed, case["id"])
    [deadline] = after["deadlines"]  # type: ignore[misc]
    assert (deadline["due_on"], deadline["provisional"], deadline["status"]) == ("2027-01-06", False, "open")
    assert after["next_due_at"] == "2027-01-06T15:59:59+00:00"
    assert after["tasks"][0]["due_at"] == "2027-01-06T15:59:59+00:00"  # type: ignore[index]
    assert fire_due_timers(deployed.database, deployed.runtime, datetime(2027, 1, 5, 12, tzinfo=CST)) == []
    assert fire_due_timers(deployed.database, deployed.runtime, datetime(2027, 1, 7, 0, 1, tzinfo=CST)) == [case["id"]]
    assert recompute_provisional(deployed.database, deployed.runtime, deployed.calendar.current(), "admin") == []


def test_a_plain_date_moves_only_with_a_usable_basis(deployed: Host) -> None:
    calendar = deployed.calendar.current()  # knows 2026: 3 October is inside the National Day holiday
    basis = {"start": "2026-09-18", "period": {"amount": 15, "unit": "days"}}
    data = {"ends_on": "2026-10-03", "ends_on_provisional": True, "ends_on_basis": basis}
    assert plain_dates(data, calendar) == {"ends_on": {"from": "2026-10-03", "to": "2026-10-08", "provisional": False}}
    unusable = [
        None,
        "2026-09-18 15",
        {"start": "18 Sept", "period": basis["period"]},
        {"start": "2026-09-18", "period": {"amount": 0, "unit": "days"}},
        {"start": "2026-09-18", "period": {"amount": "15", "unit": "days"}},
        {"start": "2026-09-18", "period": {"amount": 2, "unit": "weeks"}},
        {"start": "2026-09-18", "period": {"amount": 15, "unit": "days", "extra": 1}},
        {"start": "9999-12-30", "period": {"amount": 6, "unit": "months"}},
    ]
    for bad in unusable:  # a script's data, not the host's: anything else is left as it is, never a failure
        assert plain_dates({**data, "ends_on_basis": bad}, calendar) == {}, bad
    assert plain_dates({**data, "ends_on_provisional": False}, calendar) == {}  # final already
    assert plain_dates({"ends_on_provisional": True, "ends_on_basis": basis}, calendar) == {}  # no date beside
