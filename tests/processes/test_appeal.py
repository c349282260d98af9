"""Art. 8-9 appeal (processes/appeal.bpmn) run over the JSON API by the people its lanes name."""

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
from workflow_host.services.notices import fire_due_notices

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM = ROOT / "processes" / "appeal.bpmn"
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
# A first-instance judgment served on Monday 21 September 2026: the 5 days end on Sat 26 Sep, inside the
# Mid-Autumn holiday (25-27 Sep), so on Mon 28 Sep; the 15 days end on 6 Oct, inside National Day (1-7 Oct),
# so on Thu 8 Oct.
CASE = {
    "case_no": "(2026)蒙0205行初31号",
    "court": "包头市石拐区人民法院",
    "instance_level": "first",
    "decision_form": "judgment",
    "outcome": "revoked",
    "lost": True,
    "decision_served_on": "2026-09-21",
    "handling_units": ["land_bureau"],
    "significance": "ordinary",
}
OPINION = {
    "unit_appeal_opinion": True,
    "appeal_grounds": "一审判决认定原告已取得土地使用权证据不足，适用法律错误。",
    "appeal_claims": "撤销一审判决，驳回原告诉讼请求。",
}
NO_OPINION = {"unit_appeal_opinion": False, "opinion_note": "服从一审判决。"}
APPEAL = {"government_decides_appeal": True, "government_appeal_opinion": "同意上诉。"}
NO_APPEAL = {"government_decides_appeal": False, "government_appeal_opinion": "一审判决并无不当，不上诉。"}
FILING = {"appeal_court": "包头市中级人民法院", "appeal_filed_through": "original_court"}


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
    """'Now' for the whole test: the day after the judgment was served, unless a test moves it."""
    fixed = FixedClock(at("2026-09-22T09:00"))
    with use_clock(fixed):
        yield fixed


@pytest.fixture
def desk(host: Host, clock: FixedClock) -> Desk:
    """Deploy only the appeal diagram and the forms it names."""
    files = {"processes/appeal.bpmn": DIAGRAM.read_bytes()}
    bundle = host.runtime.compile([SourceFile(DIAGRAM.name, files["processes/appeal.bpmn"])])
    assert set(bundle.processes) == {"appeal"}
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


def complete(api: Api, name: str, data: dict[str, Any]) -> dict[str, Any]:
    task = only_task(api, name)
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()
    return task


def refused(api: Api, name: str, data: dict[str, Any]) -> set[str]:
    """Completing with `data` is refused (422); the error paths."""
    task = only_task(api, name)
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 422, response.get_json()
    return {e["path"] for e in response.get_json()["errors"]}


def start(desk: Desk, **changes: Any) -> int:
    response = desk("clerk").post("/instances", json={"process_id": "appeal", "data": {**CASE, **changes}})
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
    keys = ("unit_appeal_opinion", "government_decides_appeal", "appeal_filed", "plaintiff_appealed")
    return tuple(data[k] for k in keys)


def test_a_unit_that_accepts_the_judgment_records_the_day_it_took_effect_after_the_appeal_period(desk: Desk) -> None:
    case_id = start(desk, outcome="dismissed_claim", lost=False)  # not a loss: the unit is still asked (Art. 8)
    assert holders(desk) == ["land_officer"]
    task = only_task(desk("land_officer"), "submit_appeal_opinion")
    assert (task["unit"], task["lane"]) == ("land_bureau", "handling_unit")
    assert datetime.fromisoformat(task["due_at"]) == at("2026-09-28T23:59:59")
    shown = desk("land_officer").get(f"/tasks/{task['id']}").get_json()
    assert shown["form"]["schema"]["title"] == "报送上诉意见"
    assert "5日内" in shown["instructions"]
    assert desk("town_officer").post(f"/tasks/{task['id']}/complete", json={"data": NO_OPINION}).status_code == 403
    complete(desk("land_officer"), "submit_appeal_opinion", NO_OPINION)

    assert holders(desk) == ["land_officer"]  # nothing reaches the district government
    assert refused(desk("land_officer"), "record_outcome", {"plaintiff_appealed": False}) == {"/"}
    desk.at("2026-10-12T10:00")
    for wrong in ("2026-10-08", "2026-10-13"):  # on the last day of the appeal period; in the future
        complete(desk("land_officer"), "record_outcome", {"plaintiff_appealed": False, "effective_on": wrong})
        again = only_task(desk("land_officer"), "record_outcome")
        error = desk("land_officer").get(f"/tasks/{again['id']}").get_json()["data"]["effect_record_error"]
        assert ("2026-10-08" in error) == (wrong == "2026-10-08"), error
    complete(desk("land_officer"), "record_outcome", {"plaintiff_appealed": False, "effective_on": "2026-10-09"})

    done = case(desk, case_id)
    assert done["status"] == "completed"
    assert outputs(done["data"]) == (False, False, False, False)
    assert (done["data"]["effective_on"], done["data"]["effect_record_error"]) == ("2026-10-09", "")
    [opinion_deadline] = done["deadlines"]
    assert opinion_deadline["variable"] == "appeal_opinion_deadline"
    assert (opinion_deadline["title"], opinion_deadline["rule"]) == ("上诉意见报送期限（第八条）", "5 日")
    assert (opinion_deadline["due_on"], opinion_deadline["status"]) == ("2026-09-28", "met")
    assert desk("clerk").post(f"/instances/{case_id}/verify").get_json()["ok"] is True


def test_the_district_government_may_decide_not_to_appeal_and_the_plaintiff_appeals(desk: Desk) -> None:
    case_id = start(desk)
    assert refused(desk("land_officer"), "submit_appeal_opinion", {"unit_appeal_opinion": True}) == {"/"}
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)

    assert holders(desk) == ["li_vice"]  # the vice head in charge of the land bureau, nobody else
    task = only_task(desk("li_vice"), "decide_appeal")
    assert (task["lane"], task["unit"]) == ("vice_head_in_charge", "land_bureau")
    assert datetime.fromisoformat(task["due_at"]) == at("2026-10-08T23:59:59")  # leave time to file
    shown = desk("li_vice").get(f"/tasks/{task['id']}").get_json()
    assert shown["data"]["appeal_grounds"] == OPINION["appeal_grounds"]
    assert refused(desk("li_vice"), "decide_appeal", {"government_decides_appeal": False}) == {"/"}
    complete(desk("li_vice"), "decide_appeal", NO_APPEAL)

    assert holders(desk) == ["land_officer"]
    assert refused(desk("land_officer"), "record_outcome", {"plaintiff_appealed": True}) == {"/"}
    both = {"plaintiff_appealed": True, "appellant": "plaintiff", "effective_on": "2026-10-09"}
    assert refused(desk("land_officer"), "record_outcome", both) == {"/"}  # no effective date when appealed
    appealed = {"plaintiff_appealed": True, "appellant": "plaintiff", "appeal_copy_received_on": "2026-10-09"}
    complete(desk("land_officer"), "record_outcome", appealed)

    done = case(desk, case_id)
    assert done["status"] == "completed"
    assert outputs(done["data"]) == (True, False, False, True)
    assert "effective_on" not in done["data"]
    assert done["data"]["handling_units"] == ["land_bureau"]  # Art. 9: the same unit handles the appeal case
    assert done["data"]["government_appeal_opinion"] == NO_APPEAL["government_appeal_opinion"]
    assert [d["variable"] for d in done["deadlines"]] == ["appeal_opinion_deadline"]  # no appeal deadline


@pytest.mark.parametrize(
    ("form", "served", "rule", "due"),
    [
        ("judgment", "2026-09-21", "15 日", "2026-10-08"),  # 6 Oct is in the National Day holiday
        ("judgment", "2026-09-24", "15 日", "2026-10-09"),
        ("ruling", "2026-09-24", "10 日", "2026-10-08"),  # 4 Oct is in the National Day holiday
    ],
)
def test_an_appeal_decided_by_the_government_is_filed_within_the_statutory_period(
    desk: Desk, form: str, served: str, rule: str, due: str
) -> None:
    desk.at(f"{served}T16:00")
    case_id = start(desk, decision_form=form, decision_served_on=served)
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)
    complete(desk("li_vice"), "decide_appeal", APPEAL)

    assert holders(desk) == ["land_officer"]
    filing = only_task(desk("land_officer"), "file_appeal")
    assert datetime.fromisoformat(filing["due_at"]) == at(f"{due}T23:59:59")
    deadline = {d["variable"]: d for d in case(desk, case_id)["deadlines"]}["appeal_deadline"]
    assert deadline["title"] == "上诉期限（行政诉讼法第八十五条）"
    assert (deadline["rule"], deadline["start_on"]) == (rule, served)
    assert (deadline["due_on"], deadline["status"], deadline["provisional"]) == (due, "open", False)

    desk.at(f"{due}T17:00")
    complete(desk("land_officer"), "file_appeal", {**FILING, "appeal_filed_on": due})
    done = case(desk, case_id)
    assert done["status"] == "completed"
    assert outputs(done["data"]) == (True, True, True, False)
    assert done["data"]["appeal_filed_on"] == due
    deadline = {d["variable"]: d for d in done["deadlines"]}["appeal_deadline"]
    assert (deadline["status"], deadline["closed_by"]) == ("met", "land_officer")


def test_a_filing_after_the_appeal_period_is_recorded_as_missed(desk: Desk) -> None:
    case_id = start(desk)
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)
    complete(desk("li_vice"), "decide_appeal", APPEAL)
    desk.at("2026-10-09T09:00")
    complete(desk("land_officer"), "file_appeal", {**FILING, "appeal_filed_on": "2026-10-09"})
    deadline = {d["variable"]: d for d in case(desk, case_id)["deadlines"]}["appeal_deadline"]
    assert deadline["status"] == "missed"


def test_a_major_matter_is_decided_by_the_principal_head(desk: Desk) -> None:
    start(desk, significance="major")
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)
    assert holders(desk) == ["district_head"]
    assert only_task(desk("district_head"), "decide_appeal")["lane"] == "district_head"
    complete(desk("district_head"), "decide_appeal", APPEAL)
    assert inbox(desk("land_officer")) == ["file_appeal"]


def test_the_units_of_the_case_alone_see_its_tasks(desk: Desk) -> None:
    start(desk, handling_units=["wudangzhao"])
    assert holders(desk) == ["town_officer"]
    task = only_task(desk("town_officer"), "submit_appeal_opinion")
    assert desk("land_officer").post(f"/tasks/{task['id']}/complete", json={"data": OPINION}).status_code == 403
    complete(desk("town_officer"), "submit_appeal_opinion", OPINION)
    assert holders(desk) == ["li_vice"]  # supervises the township too
    complete(desk("li_vice"), "decide_appeal", APPEAL)
    assert holders(desk) == ["town_officer"]


@pytest.mark.parametrize("outcome", ["mediated", "withdrawn"])
def test_a_decision_that_cannot_be_appealed_is_effective_without_an_opinion(desk: Desk, outcome: str) -> None:
    case_id = start(desk, outcome=outcome, lost=False, decision_form="ruling")
    done = case(desk, case_id)
    assert done["status"] == "completed"
    assert holders(desk) == []
    assert (done["data"]["effective_on"], done["deadlines"]) == ("2026-09-21", [])
    assert outputs(done["data"]) == (False, False, False, False)


def messages(desk: Desk, username: str) -> list[str]:
    response = desk(username).get("/notifications")
    assert response.status_code == 200, response.get_json()
    return [n["message"] for n in response.get_json()["notifications"]]


def test_an_opinion_not_submitted_in_five_days_is_escalated_and_still_taken(desk: Desk) -> None:
    case_id = start(desk)
    database = desk.host.database
    # the last working day before the due day (Mon 28 Sep) is Thu 24 Sep, before the Mid-Autumn holiday
    assert fire_due_notices(database, at("2026-09-24T08:59")) == []
    assert len(fire_due_notices(database, at("2026-09-24T09:00"))) == 1
    [reminder] = messages(desk, "land_officer")
    assert reminder.startswith("提醒")
    assert "上诉意见报送期限（第八条）" in reminder
    assert messages(desk, "town_officer") == []

    assert fire_due_notices(database, at("2026-09-28T23:59")) == []
    fire_due_notices(database, at("2026-09-29T00:00"))
    assert case(desk, case_id)["deadlines"][0]["status"] == "missed"
    assert messages(desk, "land_head")[0].startswith("逾期")  # the head of the handling unit
    assert messages(desk, "zhao") == []
    fire_due_notices(database, at("2026-09-29T09:00"))
    assert messages(desk, "zhao")[0].startswith("督办")  # the justice bureau
    assert messages(desk, "li_vice") == []
    fire_due_notices(database, at("2026-09-30T09:00"))
    assert "分管副区长" in messages(desk, "li_vice")[0]

    desk.at("2026-09-30T10:00")  # the appeal period still runs: a late opinion goes on to the decision
    complete(desk("land_officer"), "submit_appeal_opinion", OPINION)
    [deadline] = case(desk, case_id)["deadlines"]
    assert (deadline["status"], deadline["closed_by"]) == ("missed", "land_officer")
    assert inbox(desk("li_vice")) == ["decide_appeal"]
    assert fire_due_notices(database, at("2026-10-30T09:00")) == []


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
