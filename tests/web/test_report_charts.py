"""The Art. 19 report page's charts as a reader sees them: every unit by its whole name, every bar's figure inside the
chart, the months named (1月 … 12月), in the page's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import Flask

from tests.services.test_reports import decision, seed
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.services.directory import load_directory

LONG_NAMED = "units:\n  - {id: ecology_env, name: 包头市生态环境局石拐区分局, kind: department, supervisor: li_vice}\n"


def report_app(host: Host) -> Flask:
    """Cases of 2026: four in March (the busiest month) and one in July, one of them the long-named unit's."""
    with host.database.transaction() as session:
        load_directory(session, LONG_NAMED)
    for day in (2, 3, 4, 5):
        seed(host, datetime(2026, 3, day, 2, tzinfo=UTC), ["land_bureau"], [decision(True, False, True)], [])
    seed(host, datetime(2026, 7, 1, 2, tzinfo=UTC), ["ecology_env"], [decision(True, False, True)], [])
    return create_app({"TESTING": True, "HOST": host})


def chart(html: str, title: str) -> str:
    found = re.search(rf'<svg class="chart"[^>]*aria-label="{title}">(.*?)</svg>', html, re.S)
    assert found is not None, title
    return found.group(1)


def labels(svg: str) -> list[tuple[float, str]]:
    """(baseline y, text) of each label of a chart."""
    return [(float(y), text.strip()) for y, text in re.findall(r'<text [^>]*y="([\d.]+)"[^>]*>([^<]*)</text>', svg)]


def test_the_charts_name_every_unit_and_month_and_keep_their_figures_inside(deployed: Host) -> None:
    html = Web(report_app(deployed), "jb_staff").get("/reports?year=2026").get_data(as_text=True)
    units = [text for _y, text in labels(chart(html, "各单位败诉率"))]
    assert "包头市生态环境局石拐区分局" in units  # it was cut to 包头市生态环境局石拐
    months = chart(html, "各月受理案件")
    shown = labels(months)
    assert [text for _y, text in shown if text.endswith("月")] == [f"{m}月" for m in range(1, 13)]
    busiest = [y for y, text in shown if text == "4"]
    assert busiest
    assert min(busiest) >= 12  # the tallest bar's figure stands inside the chart (its top was cut off)


def test_an_english_reader_reads_the_months_in_english(deployed: Host) -> None:
    web = Web(report_app(deployed), "jb_staff")
    web.get("/lang/en")
    html = web.get("/reports?year=2026").get_data(as_text=True)
    shown = [text for _y, text in labels(chart(html, "Cases received per month"))]
    assert "Jan" in shown
    assert "Dec" in shown


def test_the_page_shows_a_row_for_a_case_whose_handling_units_are_not_decided(deployed: Host) -> None:
    at_sign_off = {"defendant": "district_government", "instance_level": "first"}
    seed(deployed, datetime(2026, 11, 4, 2, tzinfo=UTC), [], [], [("signoff_deadline", "missed")], data=at_sign_off)
    html = Web(report_app(deployed), "jb_staff").get("/reports?year=2026").get_data(as_text=True)
    table = html.split('id="report-table"', 1)[1].split("</table>", 1)[0]
    row = re.search(r"<tr>\s*<th scope=\"row\">区人民政府（承办单位未定）</th>(.*?)</tr>", table, re.S)
    assert row is not None
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))
    assert (cells[0], cells[-2]) == ("1", "1")  # one case received, one deadline missed
