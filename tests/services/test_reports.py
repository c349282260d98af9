"""The Art. 19 figures against seeded cases whose outcomes are known."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from workflow_host.host import Host
from workflow_host.models import CaseDeadline, Instance, ProcessVersion, User
from workflow_host.services.errors import Forbidden
from workflow_host.services.report_xlsx import report_xlsx
from workflow_host.services.reports import annual_report, report_csv

CST = timezone(timedelta(hours=8))


def decision(lost: bool, must: bool, appeared: bool, level: str = "first", outcome: str = "revoked") -> dict[str, Any]:
    """An instance's decision as record_judgment keeps it: a final one (second instance) with its day of effect."""
    return {
        "instance_level": level,
        "outcome": outcome,
        "lost": lost,
        "effective_on": None if level == "first" else "2026-06-30",
        "head_must_appear": must,
        "head_appeared": appeared,
    }


IN_EFFECT = {"instance_level": "first", "effective_on": "2026-05-14"}  # nobody appealed the first instance


def seed(
    host: Host,
    registered: datetime,
    units: list[str],
    history: list[dict[str, Any]],
    deadlines: list[tuple[str, str]],
    case_no: str | None = "x",
    data: dict[str, Any] | None = None,
) -> None:
    with host.database.transaction() as session:
        version = session.scalars(select(ProcessVersion)).first()
        assert version is not None
        case = Instance(
            process_id="litigation_case",
            version_id=version.id,
            status="running",
            revision=1,
            case_no=case_no,
            meta_json="{}",
            data_json=json.dumps({"handling_units": units, "instance_history": history, **(data or IN_EFFECT)}),
            created_at=registered,
            updated_at=registered,
        )
        session.add(case)
        session.flush()
        for i, (variable, status) in enumerate(deadlines):
            session.add(
                CaseDeadline(
                    instance_id=case.id,
                    key=f"{variable}@{i}",
                    variable=variable,
                    title=variable,
                    start_on=date(2026, 1, 1),
                    rule="15 日",
                    period_json='{"amount": 15, "unit": "days"}',
                    schedule_json="[]",
                    due_on=date(2026, 1, 16),
                    due_at=registered,
                    provisional=False,
                    status=status,
                    created_at=registered,
                )
            )


@pytest.fixture
def seeded(deployed: Host) -> Host:
    """Five cases of 2026 (one registered at 16:30 UTC on 31 Dec 2025: 00:30 on 1 Jan 2026 in Beijing), one of 2025."""
    seed(
        deployed,
        datetime(2026, 3, 2, 2, tzinfo=UTC),
        ["land_bureau"],
        [decision(True, False, True)],
        [("defence_deadline", "met"), ("loss_report_deadline", "met")],
    )
    seed(
        deployed,
        datetime(2026, 3, 9, 2, tzinfo=UTC),
        ["land_bureau", "wudangzhao"],
        [decision(True, False, False), decision(False, True, True, "second", "dismissed_claim")],
        [("defence_deadline", "met"), ("defence_deadline", "missed")],
        data={"instance_level": "second", "effective_on": "2026-06-30"},
    )
    seed(
        deployed,
        datetime(2026, 7, 1, 2, tzinfo=UTC),
        ["wudangzhao"],
        [decision(False, True, False, outcome="dismissed_claim")],
        [("defence_deadline", "met")],
    )
    seed(deployed, datetime(2026, 7, 20, 2, tzinfo=UTC), ["wudangzhao"], [], [("defence_deadline", "open")])
    seed(
        deployed,
        datetime(2025, 12, 31, 16, 30, tzinfo=UTC),
        ["justice_bureau"],
        [decision(True, False, False)],
        [("loss_report_deadline", "missed")],
    )
    seed(deployed, datetime(2025, 6, 1, 2, tzinfo=UTC), ["land_bureau"], [decision(True, False, True)], [])
    # started in 2026 but never registered (the intake was not completed): not a case received
    seed(deployed, datetime(2026, 8, 3, 2, tzinfo=UTC), ["wudangzhao"], [], [], case_no=None)
    return deployed


def user(host: Host, username: str) -> User:
    with host.database.transaction() as session:
        found = session.get(User, username)
        assert found is not None
        session.expunge(found)
        return found


def test_the_figures_per_unit_and_for_the_district(seeded: Host) -> None:
    with seeded.database.transaction() as session:
        report = annual_report(session, user(seeded, "jb_staff"), 2026)
    land, town, justice, total = (
        report.units["land_bureau"],
        report.units["wudangzhao"],
        report.units["justice_bureau"],
        report.total,
    )
    assert (land.cases, land.decided, land.lost, land.won) == (2, 2, 1, 1)  # the second case was won on appeal
    assert (town.cases, town.decided, town.lost) == (3, 2, 0)
    assert (justice.cases, justice.lost, justice.loss_reports, justice.loss_reports_on_time) == (1, 1, 1, 0)
    assert (total.cases, total.decided, total.lost) == (5, 4, 2)  # a case of two units counts once
    assert total.loss_rate == pytest.approx(0.5)
    assert (total.hearings, total.heads_appeared) == (5, 2)
    assert (total.art13_hearings, total.art13_heads_appeared) == (2, 1)
    assert (total.deadlines_met, total.deadlines_missed) == (4, 2)
    assert (total.loss_reports, total.loss_reports_on_time) == (2, 1)
    assert report.months[0] == 1  # registered on 1 January, Beijing time
    assert report.months[2] == 2
    assert report.months[6] == 2


def test_the_csv_names_units_and_reads_in_spreadsheets(seeded: Host) -> None:
    with seeded.database.transaction() as session:
        report = annual_report(session, user(seeded, "auditor"), 2026)
    text = report_csv(report, {"land_bureau": "石拐区自然资源局"})
    assert text.startswith("\ufeff承办单位,受理案件")
    lines = text.strip().splitlines()
    assert lines[-1].startswith("全区合计,5,4,2,2,50.0,")
    assert any(line.startswith("石拐区自然资源局,2,2,1,1,50.0,") for line in lines)


def test_the_xlsx_holds_the_same_figures_and_the_monthly_trend(seeded: Host) -> None:
    with seeded.database.transaction() as session:
        report = annual_report(session, user(seeded, "auditor"), 2026)
    book = load_workbook(io.BytesIO(report_xlsx(report, {"land_bureau": "石拐区自然资源局"})))
    figures, months = book.worksheets
    assert figures.title == "2026年各单位"
    rows = [[cell.value for cell in row] for row in figures.iter_rows()]
    assert rows[0][:5] == ["承办单位", "受理案件", "已裁判", "未败诉", "败诉"]
    by_unit = {row[0]: row for row in rows[1:]}
    assert by_unit["石拐区自然资源局"][1:6] == [2, 2, 1, 1, 0.5]
    total = by_unit["全区合计"]
    assert total[1:6] == [5, 4, 2, 2, 0.5]
    assert total[rows[0].index("第十三条情形开庭")] == 2
    assert total[rows[0].index("逾期")] == 2
    assert by_unit["wudangzhao"][rows[0].index("败诉率%")] == 0  # unnamed units keep their id
    assert figures.cell(row=2, column=rows[0].index("败诉率%") + 1).number_format == "0.0%"
    assert months.title == "月度受理趋势"
    trend = {row[0].value: row[1].value for row in months.iter_rows(min_row=2)}
    assert (trend["1月"], trend["3月"], trend["7月"], trend["12月"], trend["合计"]) == (1, 2, 2, 0, 5)


def test_a_loss_not_yet_in_effect_is_counted_pending_neither_won_nor_lost(seeded: Host) -> None:
    lost_first = [decision(True, False, True)]
    seed(seeded, datetime(2026, 9, 1, 2, tzinfo=UTC), ["land_bureau"], lost_first, [], data={"instance_level": "first"})
    appealed = {"instance_level": "second", "lost_first_instance": True}  # the second instance has not decided yet
    seed(seeded, datetime(2026, 9, 2, 2, tzinfo=UTC), ["land_bureau"], lost_first, [], data=appealed)
    with seeded.database.transaction() as session:
        report = annual_report(session, user(seeded, "auditor"), 2026)
    land, total = report.units["land_bureau"], report.total
    assert (land.cases, land.decided, land.pending, land.lost, land.won) == (4, 4, 2, 1, 1)
    assert land.loss_rate == pytest.approx(0.5)  # of the two cases whose decision took effect
    assert (total.decided, total.pending, total.lost, total.won) == (6, 2, 2, 2)
    lines = report_csv(report, {"land_bureau": "石拐区自然资源局"}).strip().splitlines()
    assert lines[0].endswith(",裁判未生效")
    assert lines[-1].startswith("全区合计,7,6,2,2,50.0,")
    assert lines[-1].endswith(",2")
    book = load_workbook(io.BytesIO(report_xlsx(report, {})))
    header, *_rows, district = ([cell.value for cell in row] for row in book.worksheets[0].iter_rows())
    assert (header[-1], district[-1]) == ("裁判未生效", 2)


def test_only_district_roles_auditors_and_analysts_read_the_report(seeded: Host) -> None:
    with seeded.database.transaction() as session, pytest.raises(Forbidden):
        annual_report(session, user(seeded, "land_officer"), 2026)


def test_a_case_still_at_sign_off_has_a_row_so_the_rows_add_up_to_the_district(deployed: Host) -> None:
    seed(deployed, datetime(2026, 11, 2, 2, tzinfo=UTC), ["land_bureau"], [decision(True, False, True)], [])
    seed(deployed, datetime(2026, 11, 3, 2, tzinfo=UTC), ["land_bureau"], [], [("defence_deadline", "met")])
    # sued the district government, the sign-off overdue: its handling units are not decided yet
    at_sign_off = {"defendant": "district_government", "instance_level": "first"}
    seed(deployed, datetime(2026, 11, 4, 2, tzinfo=UTC), [], [], [("signoff_deadline", "missed")], data=at_sign_off)
    with deployed.database.transaction() as session:
        report = annual_report(session, user(deployed, "auditor"), 2026)
    lines = report_csv(report, {"land_bureau": "石拐区自然资源局"}).strip().splitlines()
    header, *units, total = (line.lstrip("\ufeff").split(",") for line in lines)
    assert [row[0] for row in units] == ["石拐区自然资源局", "区人民政府（承办单位未定）"]
    for column in ("受理案件", "逾期", "期限内完成"):
        at = header.index(column)
        assert sum(int(row[at]) for row in units) == int(total[at]), column
    assert units[1][header.index("逾期")] == "1"
    book = load_workbook(io.BytesIO(report_xlsx(report, {})))
    names = [row[0].value for row in book.worksheets[0].iter_rows(min_row=2)]
    assert names == ["land_bureau", "区人民政府（承办单位未定）", "全区合计"]
