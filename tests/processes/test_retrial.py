"""Art. 10 retrial (processes/retrial.bpmn) run over the JSON API by the people its lanes name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.conftest import PASSWORDS, Api
from workflow_host import create_app
from workflow_host.engine import FixedClock, SourceFile, use_clock
from workflow_host.host import Host
from workflow_host.services import versions

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "processes" / "retrial.bpmn"
CST = timezone(timedelta(hours=8))
EVERYONE = [
    "clerk",
    "director_wang",
    "li_vice",
    "exec_vice",
    "district_head",
    "jb_staff",
    "land_officer",
    "town_officer",
]
# Effective on Fri 3 April 2026: six months on is Sat 3 October, inside the National Day holiday (1-7 Oct),
# so the period ends on Thu 8 October.
CASE = {
    "case_no": "(2026)蒙02行终8号",
    "instance_level": "second",
    "outcome": "revoked",
    "effective_on": "2026-04-03",
    "handling_units": ["land_bureau"],
    "significance": "ordinary",
}
REPORT = {
    "retrial_requested": True,
    "retrial_grounds": ["wrong_application_of_law", "new_evidence"],
    "retrial_reasons": "终审判决适用《土地管理法》第五十八条错误，且新发现的测绘报告足以推翻原判决。",
    "retrial_claims": "撤销二审判决，维持被诉决定。",
}
APPROVE = {"retrial_approved": True}
REFUSE = {"retrial_approved": False, "government_retrial_opinion": "再审理由不充分，不同意申请再审。"}
PERIOD_END = "2026-10-08"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


class Desk:
    """The API as any directory user, at the test's clock (tokens are issued and checked on that clock)."""

    def __init__(self, host: Host, clock: FixedClock) -> None:
        self.host = host
        self.clock = clock
        self.client = create_app({"TESTING": True, "HOST": host}).test_client()
        self._signed_in: dict[tuple[str, datetime], Api] = {}

    def __call__(self, username: str) -> Api:
        key = (username, self.clock.now())
        if key not in self._signed_in:
            self._signed_in[key] = Api(self.client, username, PASSWORDS[username])
        return self._signed_in[key]

    def at(self, text: str) -> None:
        self.clock.set(at(text))


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    """'Now' for the whole test: a week after the judgment took effect, unless a test moves it."""
    fixed = FixedClock(at("2026-04-10T09:00"))
    with use_clock(fixed):
        yield fixed


@pytest.fixture
def desk(host: Host, clock: FixedClock) -> Desk:
    """Deploy only the retrial diagram and the forms it names."""
    files = {"processes/retrial.bpmn": DIAGRAM.read_bytes()}
    bundle = host.runtime.compile([SourceFile(DIAGRAM.name, files["processes/retrial.bpmn"])])
    assert set(bundle.processes) == {"retrial"}
    files.update({f"forms/{name}": (ROOT / "forms" / name).read_bytes() for name in bundle.forms_needed})
    with host.database.transaction() as session:
        versions.deploy(session, host.runtime, files, "test")
    return Desk(host, clock)


def inbox(api: Api) -> list[str]:
    response = api.get("/tasks")
    assert response.status_code == 200, response.get_json()
    return [t["name"] for t in response.get_json()["tasks"]]


def only_task(api: Api, name: str) -> dict[str, Any]:
    tasks = [t for t in api.get("/tasks").get_json()["tasks"] if t["name"] == name]
    assert len(tasks) == 1, tasks
    return dict(tasks[0])


def complete(api: Api, name: str, data: dict[str, Any]) -> None:
    task = only_task(api, name)
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()


def refused(api: Api, name: str, data: dict[str, Any]) -> set[str]:
    """Completing with `data` is refused (422); the error paths."""
    task = only_task(api, name)
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 422, response.get_json()
    return {e["path"] for e in response.get_json()["errors"]}


def start(desk: Desk, **changes: Any) -> int:
    response = desk("clerk").post("/instances", json={"process_id": "retrial", "data": {**CASE, **changes}})
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["id"])


def case(desk: Desk, case_id: int) -> dict[str, Any]:
    response = desk("clerk").get(f"/instances/{case_id}")
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def holders(desk: Desk) -> list[str]:
    """Who has anything in their inbox."""
    return [u for u in EVERYONE if inbox(desk(u))]


def outputs(data: dict[str, Any]) -> tuple[Any, ...]:
    return data["retrial_requested"], data["retrial_approved"], data["retrial_filed"]


def test_an_approved_retrial_is_applied_for_within_six_months_of_effect(desk: Desk) -> None:
    case_id = start(desk)
    assert holders(desk) == ["land_officer"]
    report = only_task(desk("land_officer"), "report_retrial")
    assert (report["unit"], report["lane"]) == ("land_bureau", "handling_unit")
    assert datetime.fromisoformat(report["due_at"]) == at(f"{PERIOD_END}T23:59:59")
    assert "第十条" in desk("land_officer").get(f"/tasks/{report['id']}").get_json()["instructions"]
    assert desk("town_officer").post(f"/tasks/{report['id']}/complete", json={"data": REPORT}).status_code == 403
    complete(desk("land_officer"), "report_retrial", REPORT)

    assert holders(desk) == ["li_vice"]  # the vice head in charge of the land bureau
    decision = only_task(desk("li_vice"), "decide_retrial")
    assert (decision["lane"], decision["unit"]) == ("vice_head_in_charge", "land_bureau")
    shown = desk("li_vice").get(f"/tasks/{decision['id']}").get_json()
    assert shown["data"]["retrial_reasons"] == REPORT["retrial_reasons"]
    assert case(desk, case_id)["deadlines"] == []  # no deadline to meet until the government consents
    complete(desk("li_vice"), "decide_retrial", APPROVE)

    assert holders(desk) == ["land_officer"]
    application = only_task(desk("land_officer"), "apply_retrial")
    assert datetime.fromisoformat(application["due_at"]) == at(f"{PERIOD_END}T23:59:59")
    [deadline] = case(desk, case_id)["deadlines"]
    assert deadline["variable"] == "retrial_deadline"
    assert deadline["title"] == "申请再审期限（行政诉讼法第九十条、司法解释第一百一十条）"
    assert (deadline["rule"], deadline["start_on"]) == ("6 个月", "2026-04-03")
    assert (deadline["due_on"], deadline["status"], deadline["provisional"]) == (PERIOD_END, "open", False)
    assert refused(desk("land_officer"), "apply_retrial", {"retrial_filed_on": "2026-04-31"}) == {
        "/",
        "/retrial_filed_on",
    }

    desk.at(f"{PERIOD_END}T16:00")  # the first working day after the holiday is still in time
    complete(
        desk("land_officer"),
        "apply_retrial",
        {"retrial_filed_on": PERIOD_END, "retrial_court": "内蒙古自治区高级人民法院"},
    )
    done = case(desk, case_id)
    assert done["status"] == "completed"
    assert outputs(done["data"]) == (True, True, True)
    assert done["data"]["retrial_grounds"] == REPORT["retrial_grounds"]
    [deadline] = done["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("met", "land_officer")
    assert desk("clerk").post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_an_application_after_six_months_is_recorded_as_missed(desk: Desk) -> None:
    case_id = start(desk)
    complete(desk("land_officer"), "report_retrial", REPORT)
    complete(desk("li_vice"), "decide_retrial", APPROVE)
    desk.at("2026-10-09T09:00")
    complete(
        desk("land_officer"),
        "apply_retrial",
        {"retrial_filed_on": "2026-10-09", "retrial_court": "内蒙古自治区高级人民法院"},
    )
    [deadline] = case(desk, case_id)["deadlines"]
    assert deadline["status"] == "missed"


def test_without_the_governments_consent_no_retrial_is_applied_for(desk: Desk) -> None:
    case_id = start(desk)
    complete(desk("land_officer"), "report_retrial", REPORT)
    assert refused(desk("li_vice"), "decide_retrial", {"retrial_approved": False}) == {"/"}
    complete(desk("li_vice"), "decide_retrial", REFUSE)

    done = case(desk, case_id)
    assert done["status"] == "completed"
    assert holders(desk) == []
    assert outputs(done["data"]) == (True, False, False)
    assert done["data"]["government_retrial_opinion"] == REFUSE["government_retrial_opinion"]
    assert done["deadlines"] == []


def test_a_unit_that_does_not_consider_the_decision_wrong_ends_it_and_reasons_are_required_to_report(
    desk: Desk,
) -> None:
    case_id = start(desk)
    assert refused(desk("land_officer"), "report_retrial", {"retrial_requested": True}) == {"/"}
    bare = {"retrial_requested": True, "retrial_grounds": [], "retrial_reasons": "有错误"}
    assert refused(desk("land_officer"), "report_retrial", bare) == {"/retrial_grounds", "/retrial_reasons"}
    unknown = {**REPORT, "retrial_grounds": ["dislike"]}
    assert refused(desk("land_officer"), "report_retrial", unknown) == {"/retrial_grounds/0"}
    complete(desk("land_officer"), "report_retrial", {"retrial_requested": False})

    done = case(desk, case_id)
    assert done["status"] == "completed"
    assert holders(desk) == []
    assert outputs(done["data"]) == (False, False, False)


def test_a_major_matter_is_decided_by_the_principal_head_and_other_units_see_nothing(desk: Desk) -> None:
    start(desk, significance="major", handling_units=["wudangzhao"])
    assert holders(desk) == ["town_officer"]
    complete(desk("town_officer"), "report_retrial", REPORT)
    assert holders(desk) == ["district_head"]
    assert only_task(desk("district_head"), "decide_retrial")["lane"] == "district_head"
    complete(desk("district_head"), "decide_retrial", APPROVE)
    assert holders(desk) == ["town_officer"]


NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
Box = tuple[float, float, float, float]


def _box(shape: Any) -> Box:
    b = shape.find("dc:Bounds", NS)
    x, y, w, h = (float(b.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def _inside(inner: Box, outer: Box) -> bool:
    return outer[0] <= inner[0] <= inner[2] <= outer[2] and outer[1] <= inner[1] <= inner[3] <= outer[3]


def test_the_diagram_is_drawn_lane_by_lane_and_every_element_names_its_article() -> None:
    root = etree.parse(str(DIAGRAM)).getroot()
    process = root.find("bpmn:process", NS)
    shapes = {s.get("bpmnElement"): _box(s) for s in root.iterfind(".//bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    lane_of = {ref.text: lane.get("id") for lane in lanes for ref in lane.iterfind("bpmn:flowNodeRef", NS)}
    nodes = [n for n in process if n.get("id") and etree.QName(n).localname not in ("sequenceFlow", "laneSet")]
    assert sorted(lane_of) == sorted(n.get("id") for n in nodes)
    for i, node in enumerate(nodes):
        node_id = node.get("id")
        assert any("\u4e00" <= c <= "\u9fff" for c in node.get("name", "")), node_id
        assert "Art. " in node.findtext("bpmn:documentation", "", NS), node_id
        assert _inside(shapes[node_id], shapes[lane_of[node_id]]), node_id
        for other in nodes[i + 1 :]:
            a, b = shapes[node_id], shapes[other.get("id")]
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (node_id, other.get("id"))
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        points = [(float(p.get("x")), float(p.get("y"))) for p in edges[flow.get("id")].iterfind("di:waypoint", NS)]
        assert _inside((*points[0], *points[0]), shapes[flow.get("sourceRef")]), flow.get("id")
        assert _inside((*points[-1], *points[-1]), shapes[flow.get("targetRef")]), flow.get("id")
        if flow.find("bpmn:conditionExpression", NS) is not None:
            assert "Art. " in flow.findtext("bpmn:documentation", "", NS), flow.get("id")
