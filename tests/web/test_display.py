"""Case data as people read it: an instant stored with its offset (a hearing's time) is shown in Beijing time,
not as the ISO text the form stores."""

from __future__ import annotations

from flask import Flask

from workflow_host.services.case_view import DataLabels
from workflow_host.web.display import case_rows


def test_an_instant_is_shown_in_beijing_time_and_other_text_as_it_is(app: Flask) -> None:
    labels = DataLabels()
    labels.titles.update({"hearing_on": "开庭时间", "case_no": "案号", "served_on": "送达日期"})
    data = {
        "hearing_on": "2026-11-29T09:30:00+08:00",
        "case_no": "(2026)蒙0205行初12号",
        "served_on": "2026-11-20",
        "utc": "2026-11-29T01:30:00Z",  # stored in UTC: the same morning in Beijing
        "not_a_time": "2026-11-29T25:30:00+08:00",
    }
    with app.test_request_context():
        named, other = case_rows(data, labels, {})
    shown = {row.key: row.text for row in [*named, *other]}
    assert shown["hearing_on"] == "2026-11-29 09:30"
    assert shown["utc"] == "2026-11-29 09:30"
    assert shown["served_on"] == "2026-11-20"
    assert shown["case_no"] == "(2026)蒙0205行初12号"
    assert shown["not_a_time"] == "2026-11-29T25:30:00+08:00"
