"""Art. 12 archiving (processes/archive.bpmn) run on its own over the JSON API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.processes.support import SignIn, start_case, submit, tasks

DIAGRAMS = ("archive.bpmn",)
NOW = "2026-12-01T09:00"
CASE = {"case_no": "(2026)蒙0205行初52号", "outcome": "dismissed_claim", "handling_units": ["land_bureau"]}


def volume(no: str, archived_on: str, *extra: str) -> dict[str, Any]:
    return {
        "volume_no": no,
        "archived_on": archived_on,
        "documents": ["response_notice", "defence_materials", "court_decisions", *extra],
        "pages": 86,
        "retention_period": "30_years",
        "archivist": "档案员刘某",
    }


def start(api: Api, **changes: Any) -> int:
    return start_case(api, "archive", {**CASE, **changes})


def test_each_handling_unit_and_the_justice_bureau_for_its_reconsideration_part_archive_their_volume(
    sign_in: SignIn,
) -> None:
    jb, land, town = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer")
    case_id = start(jb, justice_bureau_reconsideration_part=True)
    [land_task], [jb_task] = tasks(land, "file_case_records"), tasks(jb, "file_case_records")
    assert (land_task["unit"], jb_task["unit"]) == ("land_bureau", "justice_bureau")
    assert tasks(town, "file_case_records") == []
    assert land.post(f"/tasks/{jb_task['id']}/complete", json={"data": volume("x", "2026-12-01")}).status_code == 403
    detail = land.get(f"/tasks/{land_task['id']}").get_json()
    assert (detail["form"]["schema"]["title"], "第十二条" in detail["instructions"]) == ("立卷归档", True)

    assert (
        submit(land, "file_case_records", volume("自然资源-2026-诉-07", "2026-12-02", "hearing_records")).status_code
        == 200
    )
    assert jb.get(f"/instances/{case_id}").get_json()["status"] == "running"
    assert submit(jb, "file_case_records", volume("司法-2026-复诉-03", "2026-12-04")).status_code == 200

    case = jb.get(f"/instances/{case_id}").get_json()
    assert case["status"] == "completed"
    record = case["data"]["archive_record"]
    assert (record["case_no"], record["outcome"], record["archived_on"]) == (
        CASE["case_no"],
        "dismissed_claim",
        "2026-12-04",
    )
    assert [(u["unit"], u["volume_no"]) for u in record["units"]] == [
        ("land_bureau", "自然资源-2026-诉-07"),
        ("justice_bureau", "司法-2026-复诉-03"),
    ]
    assert record["units"][0]["documents"][-1] == "hearing_records"
    assert "volume_no" not in case["data"]
    assert jb.post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_a_case_without_a_reconsideration_part_is_archived_by_its_handling_units_alone(sign_in: SignIn) -> None:
    jb, land, town = sign_in("jb_staff"), sign_in("land_officer"), sign_in("town_officer")
    case_id = start(jb, handling_units=["land_bureau", "wudangzhao"], outcome="withdrawn")
    assert tasks(jb, "file_case_records") == []
    assert submit(town, "file_case_records", volume("五当召-2026-01", "2026-12-01")).status_code == 200
    assert submit(land, "file_case_records", volume("自然资源-2026-诉-09", "2026-12-01")).status_code == 200
    record = jb.get(f"/instances/{case_id}").get_json()["data"]["archive_record"]
    assert sorted(u["unit"] for u in record["units"]) == ["land_bureau", "wudangzhao"]
    assert record["outcome"] == "withdrawn"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"documents": ["response_notice", "defence_materials"]}, "/documents"),  # no court decision filed
        ({"retention_period": "5_years"}, "/retention_period"),
        ({"pages": 0}, "/pages"),
        ({"archived_on": "2026/12/01"}, "/archived_on"),
    ],
)
def test_the_form_refuses_a_volume_the_archive_rules_do_not_allow(
    sign_in: SignIn, change: dict[str, Any], path: str
) -> None:
    start(sign_in("jb_staff"))
    land = sign_in("land_officer")
    refused = submit(land, "file_case_records", {**volume("v-1", "2026-12-01"), **change})
    assert refused.status_code == 422
    assert path in {e["path"] for e in refused.get_json()["errors"]}
