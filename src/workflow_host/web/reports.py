"""The Art. 19 report page: figures per unit for a year, monthly bars, CSV and XLSX export, print-ready."""

from __future__ import annotations

from typing import Any

from babel import Locale
from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
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


FIRST_YEAR = 2000  # no report is asked for before this year (nor after the next one)


def _year(db: Session) -> tuple[int, list[int]]:
    this_year = now().astimezone(LOCAL_TZ).year
    years = list(range(first_year(db) or this_year, this_year + 1))
    chosen = min(max(_asked_year() or this_year, FIRST_YEAR), this_year + 1)
    return chosen, sorted(set(years) | {chosen}, reverse=True)


def _asked_year() -> int | None:
    return request.args.get("year", type=int)


def _out_of_range(shown: int) -> str | None:
    """What to say when the year asked for is not the one shown (it lies outside the years a report may cover)."""
    asked = _asked_year()
    if asked is None or asked == shown:
        return None
    return _(
        "There is no report for %(asked)s; the report covers %(first)s to %(last)s. Shown: %(shown)s.",
        asked=asked,
        first=FIRST_YEAR,
        last=now().astimezone(LOCAL_TZ).year + 1,
        shown=shown,
    )


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
        "reports.html",
        user=user,
        report=figures,
        years=years,
        unit_names=dict(unit_choices(db)),
        peak=peak,
        month_names=_month_names(),
        out_of_range=_out_of_range(year),
    )


def _month_names() -> list[str]:
    """January to December as the page's language shortens them under a bar (1月 … 12月, Jan … Dec)."""
    names = (get_locale() or Locale("zh")).months["stand-alone"]["abbreviated"]
    return [str(names[month]) for month in range(1, 13)]


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
