"""What people read: an instant stored with its offset (a hearing's time) in Beijing time, not as the ISO text
the form stores; the processes one may start by name, the whole case first and its parts apart."""

from __future__ import annotations

import re

from flask import Flask

from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.services.case_view import DataLabels, data_labels
from workflow_host.services.versions import latest_version
from workflow_host.web.display import case_rows, change_text


def test_an_instant_is_shown_in_beijing_time_and_other_text_as_it_is(app: Flask) -> None:
    labels = DataLabels()
    labels.titles.update({"hearing_on": "开庭时间", "case_no": "案号", "served_on": "送达日期"})
    data = {
        "hearing_on": "2026-11-29T09:30:00+08:00",
        "case_no": "(2026)蒙0205行初12号",
        "served_on": "2026-11-20",
        "utc": "2026-11-29T01:30:00Z",  # stored in UTC: the same morning in Beijing
        "not_a_time": "2026-11-29T25:30:00+08:00",
        "too_late": "9999-12-31T23:59Z",  # typed into a text field: shown as typed, never a failed page
        "too_early": "0001-01-01T00:00+09:00",
    }
    with app.test_request_context():
        named, other = case_rows(data, labels, {})
    shown = {row.key: row.text for row in [*named, *other]}
    assert shown["hearing_on"] == "2026-11-29 09:30"
    assert shown["utc"] == "2026-11-29 09:30"
    assert shown["served_on"] == "2026-11-20"
    assert shown["case_no"] == "(2026)蒙0205行初12号"
    assert shown["not_a_time"] == "2026-11-29T25:30:00+08:00"
    assert (shown["too_late"], shown["too_early"]) == ("9999-12-31T23:59Z", "0001-01-01T00:00+09:00")


def test_a_new_case_offers_the_whole_litigation_case_first_and_its_parts_apart(measures: Host) -> None:
    clerk = Web(create_app({"TESTING": True, "HOST": measures}), "clerk")
    page = clerk.get("/cases/new").get_data(as_text=True)
    whole, parts = page.split('<details class="parts">')
    offered = re.findall(r'name="process_id" value="(\w+)" ?( checked)?>', whole)
    assert offered[0] == ("litigation_case", " checked")  # the case as a whole, chosen already
    assert "appeal" in re.findall(r'name="process_id" value="(\w+)"', parts)  # a part, offered apart
    assert "<code>" not in whole  # ids are not shown to people


def test_a_structure_reads_by_its_fields_titles_and_its_units_names(app: Flask) -> None:
    labels = DataLabels()
    labels.titles.update({"defence_materials": "答辩材料", "authority_scope": "代理权限", "evidence": "证据"})
    labels.titles["evidence.name"] = "证据名称"
    labels.values["authority_scope"] = {'"special"': "特别授权"}
    data = {
        "defence_materials": {
            "land_bureau": {
                "authority_scope": "special",
                "evidence": [{"name": "限期拆除决定书", "pages": 2}],
                "hearing_on": "2026-11-29T01:30:00Z",
            }
        }
    }
    with app.test_request_context():
        _named, [row] = case_rows(data, labels, {"land_bureau": "石拐区自然资源局"})
    assert row.text.splitlines() == [
        "石拐区自然资源局：",
        "  代理权限：特别授权",  # a field of the unit's part, titled and labelled as its form words it
        "  证据：",
        "    1.",
        "      证据名称：限期拆除决定书",
        "      pages：2",  # no form names it: its data name
        "  hearing_on：2026-11-29 09:30",
    ]


def test_a_case_s_data_is_titled_as_its_intake_form_words_it(measures: Host) -> None:
    """The second instance's registration form words the same names for the new instance ("收到上诉状副本或应诉
    （再审）通知日期", "审理法院"); a first-instance case showed those titles on every page."""
    with measures.database.transaction() as session:
        version = latest_version(session, "litigation_case")
        labels = data_labels(session, version, "litigation_case")
    assert labels.titles["complaint_served_on"] == "收到起诉状副本日期"
    assert labels.titles["court"] == "受理法院"


def test_the_art_13_items_that_apply_read_as_the_measures_word_them(app: Flask) -> None:
    """The case page showed 适用的第十三条情形 as a bare "4、7"."""
    labels = DataLabels()
    labels.titles["appearance_plan"] = "出庭应诉安排"
    data = {"appearance_reasons": [4, 7], "appearance_plan": {"article": 13, "appearance_reasons": [9]}}
    with app.test_request_context():
        named, [plan] = case_rows(data, labels, {})
        history = change_text("appearance_reasons", [7], labels, {})
    [reasons] = [row for row in named if row.key == "appearance_reasons"]
    assert reasons.text == (
        "（四）涉及重大公众利益、社会关注度高或者可能引发群体性事件的案件；"
        "（七）社会影响较大、案情复杂或者对区人民政府执法活动可能产生重大影响的案件"
    )
    assert plan.text.splitlines()[1] == "适用的第十三条情形：9"  # no such item: the number as stored
    assert history == "（七）社会影响较大、案情复杂或者对区人民政府执法活动可能产生重大影响的案件"
