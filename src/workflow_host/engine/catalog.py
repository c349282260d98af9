"""The catalogue of a set of diagrams, read from its BPMN trees: each process, and each user task with what the
host needs of it (title, lane, form, candidates, deadlines, how its form starts) from its extension properties."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.spiff.parser.task_spec import SPIFFWORKFLOW_NSMAP

__all__ = ["BPMN_NS", "ProcessInfo", "UserTaskInfo", "describe", "task_key"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS, **SPIFFWORKFLOW_NSMAP}


@dataclass
class UserTaskInfo:
    """What the host needs to know about one user task to build inbox rows and forms."""

    process_id: str
    element_id: str
    title: str
    lane: str | None
    form_schema: str | None
    ui_schema: str | None
    instructions: str | None
    candidate_units_variable: str | None
    candidate_users_variable: str | None
    due_variable: str | None
    deadline_variable: str | None = None
    candidate_roles_variable: str | None = None
    # the task data field holding the date of the act that meets the deadline (a filing's date): judged by it,
    # not by when the task was completed (`deadlineMetOn`; without it, the completion's time)
    deadline_met_on_variable: str | None = None
    # a step done again (sent back) starts from what was submitted the last time (`startFromLastSubmission`)
    start_from_last: bool = False
    # fields the form does not take from the case data: what this step registers anew, where the case holds an
    # earlier instance's value under the same name (`startBlank`, names separated by spaces or commas)
    start_blank: list[str] = field(default_factory=list)
    # fields the page fills from the signed-in person's directory entry when the form has no value for them
    # (`startFromSignedIn`: `field.path=attribute` pairs separated by spaces: name, head_name, unit, role, post,
    # head_post, today)
    start_from_user: dict[str, str] = field(default_factory=dict)


@dataclass
class ProcessInfo:
    """A process defined by the bundle."""

    process_id: str
    name: str
    documentation: str | None
    file: str
    calls: list[str] = field(default_factory=list)
    start_lanes: list[str] = field(default_factory=list)  # the lanes its start events sit in: who opens a case of it


def task_key(process_id: str, element_id: str) -> str:
    """The catalogue key of a user task."""
    return f"{process_id}:{element_id}"


def describe(trees: dict[str, etree._Element]) -> tuple[dict[str, ProcessInfo], dict[str, UserTaskInfo]]:
    """The processes of the BPMN trees, and their user tasks by `task_key`."""
    processes: dict[str, ProcessInfo] = {}
    user_tasks: dict[str, UserTaskInfo] = {}
    for filename, root in trees.items():
        for process in root.iterfind(f"{{{BPMN_NS}}}process"):
            pid = process.get("id", "")
            doc = process.findtext(f"{{{BPMN_NS}}}documentation")
            lanes = _lanes(process)
            starts = [lanes.get(start.get("id", "")) for start in process.iterfind(f"{{{BPMN_NS}}}startEvent")]
            processes[pid] = ProcessInfo(
                pid,
                process.get("name") or pid,
                doc.strip() if doc else None,
                filename,
                start_lanes=sorted({lane for lane in starts if lane}),
            )
            for node in process.iter(f"{{{BPMN_NS}}}userTask"):
                container, lane = _placement(node, lanes)
                info = _user_task(container, node, lane)
                user_tasks[task_key(container, info.element_id)] = info
    return processes, user_tasks


_CONTAINERS = {f"{{{BPMN_NS}}}{tag}" for tag in ("process", "subProcess", "transaction")}


def _placement(node: etree._Element, lanes: dict[str, str]) -> tuple[str, str | None]:
    """The process or embedded subprocess a node runs in, and its lane (an embedded subprocess's nodes
    are in the lane of the subprocess)."""
    container, lane, current = None, lanes.get(node.get("id", "")), node.getparent()
    while current is not None:
        if container is None and current.tag in _CONTAINERS:
            container = current.get("id", "")
        if lane is None:
            lane = lanes.get(current.get("id", ""))
        current = current.getparent()
    return container or "", lane


def _lanes(process: etree._Element) -> dict[str, str]:
    lanes: dict[str, str] = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        for ref in lane.iterfind(f"{{{BPMN_NS}}}flowNodeRef"):
            if ref.text:
                lanes[ref.text.strip()] = lane.get("id", "")
    return lanes


def _user_task(process_id: str, node: etree._Element, lane: str | None) -> UserTaskInfo:
    props: dict[str, str] = {}
    for prop in node.iterfind("bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS):
        props[prop.get("name", "")] = prop.get("value", "")
    instructions = node.findtext("bpmn:extensionElements/spiffworkflow:instructionsForEndUser", None, NS)
    element_id = node.get("id", "")
    return UserTaskInfo(
        process_id=process_id,
        element_id=element_id,
        title=node.get("name") or element_id,
        lane=lane,
        form_schema=props.get("formJsonSchemaFilename"),
        ui_schema=props.get("formUiSchemaFilename"),
        instructions=instructions.strip() if instructions else None,
        candidate_units_variable=props.get("candidateUnitsVariable"),
        candidate_users_variable=props.get("candidateUsersVariable"),
        due_variable=props.get("dueDateVariable"),
        deadline_variable=props.get("deadline"),
        candidate_roles_variable=props.get("candidateRolesVariable"),
        deadline_met_on_variable=props.get("deadlineMetOn"),
        start_from_last=props.get("startFromLastSubmission") == "true",
        start_blank=props.get("startBlank", "").replace(",", " ").split(),
        start_from_user=dict(
            pair.partition("=")[::2] for pair in props.get("startFromSignedIn", "").replace(",", " ").split()
        ),
    )
