"""The Art. 19 figures: per handling unit and year, cases received, decided, won and lost, heads' court
appearance (Art. 13 hearings and others), statutory deadlines met and missed, loss reports on time.

Won and lost count by the decision that finally stands once it has taken effect (Art. 7: a loss is a decision of
its list whose document took effect; at second instance or retrial the result recorded is the one that stands). A
decision not yet in effect, a first-instance loss while the appeal period runs or an appeal is pending above all,
is counted as pending, neither won nor lost; the loss rate is of the cases whose decision took effect.

Read from what the cases store: `litigation_case` instances registered in the year (Beijing time), their
`handling_units` and `instance_history` (one entry per instance's decision, with whether Art. 13 required a
head to appear, whether the defendant's head appeared and whether a handling unit's head did), and their recorded
deadlines; an instance that ended before any hearing (hearing_held false: withdrawn or dismissed first) counts
no hearing. A terminated case (services/termination.py) is left out whole, its deadlines too: it was registered
by mistake or twice, or stopped for a reason outside the measures, and is no case of the year. A hearing counts as
one a head appeared at when the district government's principal head or head in charge, or a handling unit's head
(Art. 16), appeared: Art. 19 reports 行政机关负责人出庭应诉, and Art. 16 names the
unit's head a 行政机关负责人. The Art. 13 figures count the government's head only (what that article requires).

A case counts in the row of each of its handling units. One whose handling units are not decided yet (a suit against
the district government still at its Art. 4 sign-off) counts in a row of its own, 区人民政府（承办单位未定）, so that
no case of the district total is missing from the rows; a case of several units counts once in the total.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ
from ..models import CaseDeadline, Instance, User
from .errors import Forbidden
from .permissions import DISTRICT_ROLES, READ_ALL

__all__ = [
    "CASE_PROCESS",
    "COLUMNS",
    "REPORT_READERS",
    "Figures",
    "Report",
    "annual_report",
    "first_year",
    "report_csv",
    "unit_rows",
]

CASE_PROCESS = "litigation_case"
REPORT_READERS = READ_ALL | DISTRICT_ROLES | {"analyst"}
# the rows of cases whose handling units are not decided yet, by who the notice names as defendant
UNDECIDED_NAMES = {"district_government": "区人民政府（承办单位未定）", "other": "承办单位未定"}


@dataclass
class Figures:
    """One row of the report: a unit, or the whole district (each case counted once)."""

    cases: int = 0
    decided: int = 0  # cases with at least one decision
    pending: int = 0  # decided cases whose standing decision has not taken effect (appeal period or appeal)
    lost: int = 0  # cases whose standing decision took effect and is a loss (Art. 7 list)
    hearings: int = 0  # decisions after a hearing, every instance counted (none for one that ended before it)
    heads_appeared: int = 0
    art13_hearings: int = 0
    art13_heads_appeared: int = 0
    deadlines_met: int = 0
    deadlines_missed: int = 0
    loss_reports: int = 0
    loss_reports_on_time: int = 0

    @property
    def effective(self) -> int:
        """Decided cases whose standing decision has taken effect."""
        return self.decided - self.pending

    @property
    def won(self) -> int:
        """Cases whose effective decision is not a loss (judgments for the organ, dismissed suits, withdrawals,
        mediations)."""
        return self.effective - self.lost

    @property
    def loss_rate(self) -> float | None:
        """Losses among the cases whose decision took effect."""
        return self.lost / self.effective if self.effective else None

    @property
    def appearance_rate(self) -> float | None:
        return self.heads_appeared / self.hearings if self.hearings else None

    @property
    def art13_appearance_rate(self) -> float | None:
        return self.art13_heads_appeared / self.art13_hearings if self.art13_hearings else None

    @property
    def on_time_rate(self) -> float | None:
        closed = self.deadlines_met + self.deadlines_missed
        return self.deadlines_met / closed if closed else None


@dataclass
class Report:
    year: int
    total: Figures
    units: dict[str, Figures]
    months: list[int] = field(default_factory=lambda: [0] * 12)  # cases received per month
    # cases whose handling units are not decided yet, keyed as UNDECIDED_NAMES
    undecided: dict[str, Figures] = field(default_factory=dict)


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, 1, 1), time.min, LOCAL_TZ)
    end = datetime.combine(date(year + 1, 1, 1), time.min, LOCAL_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def _in_effect(standing: dict[str, Any], data: dict[str, Any]) -> bool:
    """Whether the decision that stands has taken effect: a final one (second instance, retrial, a mediation or a
    withdrawal) carries its day of effect; a first-instance judgment or ruling takes effect only when nobody appealed
    in time, which the appeal step records as the case's effective_on while the case is still at first instance."""
    if standing.get("effective_on"):
        return True
    at_first = standing.get("instance_level") == "first" and data.get("instance_level") == "first"
    return at_first and bool(data.get("effective_on"))


def _add_case(row: Figures, data: dict[str, Any], history: list[dict[str, Any]], deadlines: list[CaseDeadline]) -> None:
    row.cases += 1
    if history:
        row.decided += 1
        standing = history[-1]  # the decision that finally stands
        if _in_effect(standing, data):
            row.lost += bool(standing.get("lost"))
        else:
            row.pending += 1
    for decision in history:
        # a decision after a hearing counts it (a head who appeared before the plaintiff withdrew is counted); an
        # instance that ended before any hearing (hearing_held false: withdrawn or dismissed first) had none. An
        # entry written before the case could say so always followed a recorded hearing
        if decision.get("hearing_held") is False:
            continue
        row.hearings += 1
        # Art. 19 counts 行政机关负责人出庭应诉: the district government's heads, and a handling unit's head, whom
        # Art. 16 calls on to appear in principle (its absence statement is 行政机关负责人不能出庭应诉的书面文件)
        row.heads_appeared += bool(decision.get("head_appeared") or decision.get("unit_head_appeared"))
        if decision.get("head_must_appear"):
            row.art13_hearings += 1
            row.art13_heads_appeared += bool(decision.get("head_appeared"))
    for deadline in deadlines:
        row.deadlines_met += deadline.status == "met"
        row.deadlines_missed += deadline.status == "missed"
        if deadline.variable == "loss_report_deadline" and deadline.status in ("met", "missed"):
            row.loss_reports += 1
            row.loss_reports_on_time += deadline.status == "met"


def _rows_of(report: Report, data: dict[str, Any]) -> list[Figures]:
    """The rows a case counts in: each of its handling units', or, before they are decided, the undecided row."""
    units = sorted({u for u in data.get("handling_units") or [] if isinstance(u, str)})
    if units:
        return [report.units.setdefault(unit, Figures()) for unit in units]
    key = "district_government" if data.get("defendant") == "district_government" else "other"
    return [report.undecided.setdefault(key, Figures())]


def annual_report(session: Session, user: User, year: int) -> Report:
    """The figures of cases registered in `year` (started that year, their notice taken in: they have a case
    number), per handling unit and for the district."""
    if not user.role_names & REPORT_READERS:
        raise Forbidden("you may not read the reports")
    start, end = _year_bounds(year)
    cases = list(
        session.scalars(
            select(Instance)
            .where(Instance.process_id == CASE_PROCESS, Instance.created_at >= start, Instance.created_at < end)
            .where(Instance.case_no.is_not(None))  # registered: a case started but never taken in is no case
            # nor is a terminated one: registered by mistake or twice, or stopped outside the measures' course
            .where(Instance.status != "terminated")
            .order_by(Instance.id)
        )
    )
    by_case: dict[int, list[CaseDeadline]] = {}
    if cases:
        ids = [c.id for c in cases]
        for deadline in session.scalars(select(CaseDeadline).where(CaseDeadline.instance_id.in_(ids))):
            by_case.setdefault(deadline.instance_id, []).append(deadline)
    report = Report(year, Figures(), {})
    for case in cases:
        data = json.loads(case.data_json)
        history = [h for h in data.get("instance_history") or [] if isinstance(h, dict)]
        deadlines = by_case.get(case.id, [])
        _add_case(report.total, data, history, deadlines)
        for row in _rows_of(report, data):
            _add_case(row, data, history, deadlines)
        report.months[case.created_at.astimezone(LOCAL_TZ).month - 1] += 1
    return report


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


COLUMNS = [
    ("unit", "承办单位"),
    ("cases", "受理案件"),
    ("decided", "已裁判"),
    ("won", "未败诉"),
    ("lost", "败诉"),
    ("loss_rate", "败诉率%"),
    ("hearings", "开庭"),
    ("heads_appeared", "负责人出庭"),
    ("appearance_rate", "出庭率%"),
    ("art13_hearings", "第十三条情形开庭"),
    ("art13_heads_appeared", "第十三条情形负责人出庭"),
    ("deadlines_met", "期限内完成"),
    ("deadlines_missed", "逾期"),
    ("loss_reports", "败诉分析报告"),
    ("loss_reports_on_time", "按期报送"),
    ("pending", "裁判未生效"),
]


def unit_rows(report: Report, unit_names: dict[str, str]) -> list[tuple[str, Figures]]:
    """The rows above the district total, named: each unit's, then those of cases whose units are not decided yet."""
    units = [(unit_names.get(u, u), f) for u, f in sorted(report.units.items())]
    return units + [(UNDECIDED_NAMES[key], report.undecided[key]) for key in UNDECIDED_NAMES if key in report.undecided]


def report_csv(report: Report, unit_names: dict[str, str]) -> str:
    """The report as CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _key, title in COLUMNS])
    for name, figures in [*unit_rows(report, unit_names), ("全区合计", report.total)]:
        values = []
        for key, _title in COLUMNS:
            if key == "unit":
                values.append(name)
            elif key.endswith("_rate"):
                values.append(_percent(getattr(figures, key)))
            else:
                values.append(str(getattr(figures, key)))
        writer.writerow(values)
    return "\ufeff" + out.getvalue()


def first_year(session: Session) -> int | None:
    """The year of the first registered case (for the report's year picker)."""
    first = session.scalar(
        select(Instance.created_at).where(Instance.process_id == CASE_PROCESS).order_by(Instance.id).limit(1)
    )
    return first.astimezone(LOCAL_TZ).year if first else None
