"""A step that nobody in the directory may take (its unit has no one holding the lane's role) is in no inbox;
the case page says so, instead of the first sign being a missed deadline."""

from __future__ import annotations

from flask import Flask

from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import Web, host_of
from workflow_host.services.directory import load_directory

WARNING = "组织名录中没有可办理此环节的人员"
INTAKE = {"case_no": "(2026)蒙0205行初12号", "defendant": "unit"}


def run_to_prepare(app: Flask, unit: str) -> int:
    """A six_steps case whose `prepare` step goes to `unit`'s handling staff."""
    client = app.test_client()
    clerk, jb = Api(client, "clerk", PASSWORDS["clerk"]), Api(client, "jb_staff", PASSWORDS["jb_staff"])
    case_id = int(clerk.post("/instances", json={"process_id": "six_steps", "data": {}}).get_json()["id"])
    for api, name, data in (
        (clerk, "intake", {**INTAKE, "defendant_unit": unit}),
        (clerk, "check", {}),
        (jb, "review", {}),
    ):
        [task] = [t for t in api.get("/tasks").get_json()["tasks"] if t["instance_id"] == case_id and t["name"] == name]
        assert api.post(f"/tasks/{task['id']}/complete", json={"data": data}).status_code == 200
    return case_id


def test_a_step_nobody_may_take_is_pointed_out_on_the_case_page(app: Flask) -> None:
    with host_of(app).database.transaction() as session:
        load_directory(session, "units:\n  - {id: housing_bureau, name: 石拐区住房和城乡建设局, kind: department}\n")
    stranded = run_to_prepare(app, "housing_bureau")
    served = run_to_prepare(app, "land_bureau")
    clerk = Web(app, "clerk")
    assert WARNING in clerk.get(f"/cases/{stranded}").get_data(as_text=True)
    assert WARNING not in clerk.get(f"/cases/{served}").get_data(as_text=True)
