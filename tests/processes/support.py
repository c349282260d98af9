"""Plain helpers shared by the process tests: deploying one diagram, signing in, tasks, cases and diagram layout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from lxml import etree

from tests.conftest import PASSWORDS, Api
from workflow_host import create_app
from workflow_host.engine import FixedClock, SourceFile
from workflow_host.host import Host
from workflow_host.services import deployment

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ROOT / "processes"
CST = timezone(timedelta(hours=8))
# Who could be handed a task of an appeal or retrial: the office, the heads, the justice bureau, two units.
DECIDERS_AND_UNITS = [
    "clerk",
    "director_wang",
    "li_vice",
    "exec_vice",
    "district_head",
    "jb_staff",
    "land_officer",
    "town_officer",
]
SignIn = Callable[[str], Api]

# The Art. 13 assessment: whether the head wants to appear (item 2), then items 3 to 8 in order.
ART13_FLAGS = (
    "head_wants_to_appear",
    "court_requested_head",
    "major_public_interest",
    "procuratorate_public_interest_suit",
    "large_compensation",
    "major_social_impact",
    "head_helps_resolve",
)
NO_ART13_ITEM = dict.fromkeys(ART13_FLAGS, False)


def id_number(born: str, n: int) -> str:
    """The citizen identity number of the n-th person born on `born` (YYYYMMDD) registered in Shiguai (150205),
    its check character worked out by ISO 7064 MOD 11-2 as GB 11643 says (the forms check it)."""
    body = f"150205{born}{n:03d}"
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(body))
    check = (12 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))


def at(text: str) -> datetime:
    """A local (UTC+8) time written without its offset."""
    return datetime.fromisoformat(text).replace(tzinfo=CST)


# Deploying and signing in


def diagram_files(*names: str) -> dict[str, bytes]:
    """The named files of processes/, keyed by their path in a deployment."""
    return {f"processes/{name}": (PROCESSES / name).read_bytes() for name in names}


def deploy_only(host: Host, files: dict[str, bytes]) -> set[str]:
    """Deploy these diagrams and the forms they name, nothing else; the ids of the processes deployed."""
    bundle = host.runtime.compile([SourceFile(Path(path).name, content) for path, content in files.items()])
    forms = {f"forms/{name}": (ROOT / "forms" / name).read_bytes() for name in bundle.forms_needed}
    with host.database.transaction() as session:
        deployment.deploy(session, host.runtime, {**files, **forms}, "test")
    return set(bundle.processes)


def signer(host: Host, passwords: dict[str, str] = PASSWORDS) -> SignIn:
    """Sign in to a fresh app on `host` as a directory user: `signer(host)("clerk")`."""
    client = create_app({"TESTING": True, "HOST": host}).test_client()
    return lambda username: Api(client, username, passwords[username])


class Desk:
    """The API as any directory user at the test's clock; a user signs in again once the clock has moved."""

    def __init__(self, host: Host, sign_in: SignIn, clock: FixedClock) -> None:
        self.host = host
        self.sign_in = sign_in
        self.clock = clock
        self._signed_in: dict[tuple[str, datetime], Api] = {}

    def __call__(self, username: str) -> Api:
        key = (username, self.clock.now())
        if key not in self._signed_in:
            self._signed_in[key] = self.sign_in(username)
        return self._signed_in[key]

    def at(self, text: str) -> None:
        """Move the clock to a local time."""
        self.clock.set(at(text))

    def case(self, case_id: int) -> dict[str, Any]:
        """The case as the office that started it sees it."""
        return instance(self("clerk"), case_id)


# Cases and tasks over the API


def start_case(api: Api, process_id: str, data: dict[str, Any]) -> int:
    """Start a case of `process_id` with `data`; its id."""
    response = api.post("/instances", json={"process_id": process_id, "data": data})
    assert response.status_code == 201, response.get_json()
    started = response.get_json()
    assert started == instance(api, started["id"])  # the answer, ready tasks included, is the case as stored
    return int(started["id"])


def instance(api: Api, case_id: int) -> dict[str, Any]:
    """The case as `api`'s user sees it."""
    response = api.get(f"/instances/{case_id}")
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def inbox(api: Api) -> list[str]:
    """The names of the tasks in the user's inbox."""
    response = api.get("/tasks")
    assert response.status_code == 200, response.get_json()
    return [t["name"] for t in response.get_json()["tasks"]]


def holders(desk: Desk, users: list[str]) -> list[str]:
    """Who among `users` has anything in their inbox."""
    return [u for u in users if inbox(desk(u))]


def tasks(api: Api, name: str) -> list[dict[str, Any]]:
    """The user's tasks named `name`."""
    return [t for t in api.get("/tasks").get_json()["tasks"] if t["name"] == name]


def only_task(api: Api, name: str) -> dict[str, Any]:
    """The user's one task named `name`."""
    found = tasks(api, name)
    assert len(found) == 1, found
    return dict(found[0])


def submit(api: Api, name: str, data: dict[str, Any]) -> Any:
    """Complete the user's one task named `name` with `data`; the response, whatever it is."""
    [task] = tasks(api, name)
    return api.post(f"/tasks/{task['id']}/complete", json={"data": data})


def complete(api: Api, name: str, data: dict[str, Any]) -> dict[str, Any]:
    """Complete the user's one task named `name` with `data`, which is accepted; the task."""
    task = only_task(api, name)
    complete_task(api, task, data)
    return task


def complete_task(api: Api, task: dict[str, Any], data: dict[str, Any]) -> None:
    """Complete `task` with `data`, which is accepted."""
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 200, response.get_json()
    answered_as_read(api, response.get_json())


def answered_as_read(api: Api, answer: dict[str, Any]) -> None:
    """A completion's answer lists the case's ready tasks exactly as reading the case afterwards does."""
    case = api.get(f"/instances/{answer['instance_id']}")
    assert case.status_code == 200, case.get_json()
    assert answer["tasks"] == case.get_json()["tasks"]


def refused(api: Api, name: str, data: dict[str, Any]) -> set[str]:
    """Completing the one task named `name` with `data` is refused (422); the error paths."""
    task = only_task(api, name)
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 422, response.get_json()
    return {e["path"] for e in response.get_json()["errors"]}


def refusal(api: Api, name: str, data: dict[str, Any]) -> str:
    """Completing the one task named `name` with `data` is refused (422) and the task stays open as it was; the
    reason the user reads."""
    task = only_task(api, name)
    response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
    assert response.status_code == 422, response.get_json()
    assert only_task(api, name)["id"] == task["id"]  # nothing kept: the same task, not a new one
    return str(response.get_json()["reason"])


# Diagram layout

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
Box = tuple[float, float, float, float]  # left, top, right, bottom
Point = tuple[float, float]


def read_diagram(path: Path) -> tuple[etree._Element, etree._Element]:
    """The root of a diagram file and its process."""
    root = etree.fromstring(path.read_bytes())
    process = root.find("bpmn:process", NS)
    assert process is not None
    return root, process


def shape_boxes(root: etree._Element) -> dict[str, Box]:
    """The box of every shape, by the id of the element it draws."""
    shapes: dict[str, Box] = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        bounds = shape.find("dc:Bounds", NS)
        assert bounds is not None
        x, y, w, h = (float(bounds.get(k, "0")) for k in ("x", "y", "width", "height"))
        shapes[shape.get("bpmnElement", "")] = (x, y, x + w, y + h)
    return shapes


def flow_waypoints(root: etree._Element) -> dict[str, list[Point]]:
    """The waypoints of every edge, by the id of the flow it draws."""
    return {
        edge.get("bpmnElement", ""): [
            (float(p.get("x", "0")), float(p.get("y", "0"))) for p in edge.iterfind("di:waypoint", NS)
        ]
        for edge in root.iterfind(".//bpmndi:BPMNEdge", NS)
    }


def lane_of(lanes: Any) -> dict[str, str]:
    """The lane of every flow node these lanes reference, by node id."""
    return {ref.text: lane.get("id") for lane in lanes for ref in lane.iterfind("bpmn:flowNodeRef", NS)}


def flow_nodes(process: etree._Element, tags: tuple[str, ...]) -> list[etree._Element]:
    """The process's direct children with these tags, tag by tag."""
    return [n for tag in tags for n in process.iterfind(f"bpmn:{tag}", NS)]


def cites_article(element: etree._Element, citation: str = "Art.") -> bool:
    """The element's documentation cites an article."""
    return citation in element.findtext("bpmn:documentation", "", NS)


def is_conditional(flow: etree._Element) -> bool:
    """The sequence flow has a condition."""
    return flow.find("bpmn:conditionExpression", NS) is not None


def inside(inner: Box, outer: Box) -> bool:
    """`inner` lies within `outer` (edges may touch)."""
    return outer[0] <= inner[0] <= inner[2] <= outer[2] and outer[1] <= inner[1] <= inner[3] <= outer[3]


def touches(point: Point, box: Box) -> bool:
    """The point lies within the box or on its edge."""
    return inside((*point, *point), box)


def overlap(a: Box, b: Box) -> bool:
    """The boxes share more than an edge."""
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def has_chinese(text: str | None) -> bool:
    """The text has at least one CJK ideograph."""
    return any("\u4e00" <= c <= "\u9fff" for c in text or "")


def check_layout(path: Path) -> None:
    """Every node is named, drawn inside its lane, overlaps no other node, and (but the end) cites its article;
    every conditional flow cites its article too."""
    root, process = read_diagram(path)
    shapes = shape_boxes(root)
    lanes = lane_of(process.iterfind(".//bpmn:lane", NS))
    nodes = [n for n in process if n.get("id") in lanes]
    assert {n.get("id") for n in nodes} == set(lanes)
    for node in nodes:
        node_id = node.get("id", "")
        assert node.get("name"), node_id
        assert inside(shapes[node_id], shapes[lanes[node_id] or ""]), f"{node_id} is drawn outside its lane"
        if etree.QName(node).localname != "endEvent":
            assert cites_article(node), node_id
    boxes = [(n.get("id"), shapes[n.get("id", "")]) for n in nodes]
    for i, (a, p) in enumerate(boxes):
        for b, q in boxes[i + 1 :]:
            assert not overlap(p, q), f"{a} overlaps {b}"
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        if is_conditional(flow):
            assert cites_article(flow), flow.get("id")


def check_strict_layout(path: Path) -> None:
    """Every node is named in Chinese, cites its article (the end too), is drawn inside its lane and overlaps no
    other node; every flow starts and ends on its nodes, and a conditional one cites its article."""
    root, process = read_diagram(path)
    shapes, waypoints = shape_boxes(root), flow_waypoints(root)
    lanes = lane_of(process.findall("bpmn:laneSet/bpmn:lane", NS))
    nodes = [n for n in process if n.get("id") and etree.QName(n).localname not in ("sequenceFlow", "laneSet")]
    assert sorted(lanes) == sorted(n.get("id") for n in nodes)
    for i, node in enumerate(nodes):
        node_id = node.get("id", "")
        assert has_chinese(node.get("name")), node_id
        assert cites_article(node, "Art. "), node_id
        assert inside(shapes[node_id], shapes[lanes[node_id]]), node_id
        for other in nodes[i + 1 :]:
            assert not overlap(shapes[node_id], shapes[other.get("id", "")]), (node_id, other.get("id"))
    for flow in process.iterfind("bpmn:sequenceFlow", NS):
        points = waypoints[flow.get("id", "")]
        assert touches(points[0], shapes[flow.get("sourceRef", "")]), flow.get("id")
        assert touches(points[-1], shapes[flow.get("targetRef", "")]), flow.get("id")
        if is_conditional(flow):
            assert cites_article(flow, "Art. "), flow.get("id")
