"""The case summary beside a step and the case page's data read as the intake asked: a field the intake leaves out
under the case's answers (被告单位 of a suit against the district government) is left out of them too."""

from __future__ import annotations

import re

import pytest

from tests.processes.support import SignIn
from tests.processes.test_litigation_case import LAND_BUREAU_SUED, CaseDesk, open_case
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.engine import FixedClock
from workflow_host.host import Host

NOW = "2026-03-02T09:00"
GOVERNMENT_SUED = {
    "defendant": "district_government",
    "notice_received_on": "2026-03-02",
    "complaint_served_on": "2026-03-02",
}


@pytest.fixture
def desk(measures: Host, measures_api: SignIn, clock: FixedClock) -> CaseDesk:
    """Every diagram and form of the measures deployed."""
    return CaseDesk(measures, measures_api, clock)


def rows(html: str) -> dict[str, str]:
    """The case summary's and the data list's titles and values."""
    return dict(re.findall(r"<dt[^>]*>([^<]*)</dt><dd>([^<]*)</dd>", html))


def pages(desk: CaseDesk, case_id: int, username: str, step: str) -> tuple[dict[str, str], dict[str, str]]:
    web = Web(create_app({"TESTING": True, "HOST": desk.host}), username)
    task = desk.task(username, step)
    return rows(web.get(f"/tasks/{task['id']}").get_data(as_text=True)), rows(
        web.get(f"/cases/{case_id}").get_data(as_text=True)
    )


def test_a_suit_against_the_district_government_shows_no_defendant_unit(desk: CaseDesk) -> None:
    case_id = open_case(desk, **GOVERNMENT_SUED)
    summary, data = pages(desk, case_id, "clerk", "submit_for_signoff")
    assert summary["被告"] == data["被告"] == "区人民政府"
    assert "被告单位" not in summary
    assert "被告单位" not in data


def test_a_suit_against_a_unit_names_the_unit(desk: CaseDesk) -> None:
    case_id = open_case(desk, **LAND_BUREAU_SUED)
    summary, data = pages(desk, case_id, "land_officer", "prepare_defence")
    assert summary["被告单位"] == data["被告单位"] == "石拐区自然资源局"
