"""The Art. 19 report page: figures per unit for a year, monthly bars, CSV and XLSX export, print-ready."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from sqlalchemy.orm import Session

from ..engine import LOCAL_TZ, now
from ..models import User
from ..services.directory import unit_choices
from ..services.errors import Forbidden
from ..services.report_xlsx import XLSX_TYPE, report_xlsx
from ..services.reports import REPORT_READERS, annual_report, first_year, report_csv
from .i18n import _
from .signin import signed_in_read

__all__ = ["bp"]

bp = Blueprint("reports", __name__)


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"may_read_reports": lambda user: bool(user and user.role_names & REPORT_READERS)}


def _year(db: Session) -> tuple[int, list[int]]:
    this_year = now().astimezone(LOCAL_TZ).year
    years = list(range(first_year(db) or this_year, this_year + 1))
    chosen = min(max(request.args.get("year", type=int) or this_year, 2000), this_year + 1)
    return chosen, sorted(set(years) | {chosen}, reverse=True)


@bp.errorhandler(Forbidden)
def _refused(err: Forbidden) -> tuple[str, int]:
    return render_template("message.html", user=None, title=_("You may not read the reports.")), 403


@bp.get("/reports")
@signed_in_read
def report(db: Session, user: User) -> Any:
    year, years = _year(db)
    figures = annual_report(db, user, year)
    peak = max(figures.months) or 1
    return render_template(
        "reports.html", user=user, report=figures, years=years, unit_names=dict(unit_choices(db)), peak=peak
    )


@bp.get("/reports.csv")
@signed_in_read
def report_file(db: Session, user: User) -> Any:
    year, _years = _year(db)
    figures = annual_report(db, user, year)
    response = Response(report_csv(figures, dict(unit_choices(db))), content_type="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="art19-report-{year}.csv"'
    return response


@bp.get("/reports.xlsx")
@signed_in_read
def report_workbook(db: Session, user: User) -> Any:
    year, _years = _year(db)
    figures = annual_report(db, user, year)
    response = Response(report_xlsx(figures, dict(unit_choices(db))), content_type=XLSX_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="art19-report-{year}.xlsx"'
    return response
