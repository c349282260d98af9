"""The Art. 19 report as an XLSX workbook: the figures per unit (the CSV's columns, Chinese headers) on one
sheet, the cases received per month on a second; rates are numbers formatted as percentages."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .reports import COLUMNS, Figures, Report, unit_rows

__all__ = ["report_xlsx"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(name="黑体", bold=True)


def _row(name: str, figures: Figures) -> list[str | int | float | None]:
    values: list[str | int | float | None] = []
    for key, _title in COLUMNS:
        values.append(name if key == "unit" else getattr(figures, key))
    return values


def _figures_sheet(book: Workbook, report: Report, unit_names: dict[str, str]) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{report.year}年各单位"
    sheet.append([title for _key, title in COLUMNS])
    for name, figures in unit_rows(report, unit_names):
        sheet.append(_row(name, figures))
    sheet.append(_row("全区合计", report.total))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, (key, title) in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 24 if key == "unit" else max(10, len(title) * 2 + 2)
        if key.endswith("_rate"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "0.0%"
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.freeze_panes = "B2"


def _months_sheet(book: Workbook, report: Report) -> None:
    sheet = book.create_sheet("月度受理趋势")
    sheet.append(["月份", "受理案件"])
    for month, count in enumerate(report.months, start=1):
        sheet.append([f"{month}月", count])
    sheet.append(["合计", sum(report.months)])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 12


def report_xlsx(report: Report, unit_names: dict[str, str]) -> bytes:
    """The report as an XLSX workbook (figures per unit and the district; cases received per month)."""
    book = Workbook()
    _figures_sheet(book, report, unit_names)
    _months_sheet(book, report)
    book.properties.title = f"{report.year}年度行政机关负责人出庭应诉及行政应诉情况统计"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
