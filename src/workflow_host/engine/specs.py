"""Turn a set of BPMN/DMN files into validated, serialized process specs and a catalogue of user tasks."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR
from SpiffWorkflow.spiff.parser.task_spec import SPIFFWORKFLOW_NSMAP

from .checks import SourceBudget, check_decisions, check_scripts
from .decisions import HostBpmnParser
from .errors import DiagramError, DiagramErrors
from .sandbox import Sandbox
from .spec_sets import spec_registry
from .xml import parse_xml

__all__ = ["CompiledBundle", "ProcessInfo", "SourceFile", "UserTaskInfo", "compile_bundle"]

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS, **SPIFFWORKFLOW_NSMAP}
_DMN_MARKER = re.compile(rb"<(\w+:)?definitions[^>]*omg\.org/spec/DMN", re.S)


@dataclass(frozen=True)
class SourceFile:
    """One diagram file as uploaded or read from disk."""

    name: str
    content: bytes

    @property
    def is_dmn(self) -> bool:
        return self.name.endswith(".dmn") or bool(_DMN_MARKER.search(self.content[:4096]))


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


@dataclass
class CompiledBundle:
    """Validated specs of every process in a set of files, ready to store."""

    processes: dict[str, ProcessInfo]
    user_tasks: dict[str, UserTaskInfo]
    spec_json: str

    @property
    def forms_needed(self) -> set[str]:
        names: set[str] = set()
        for info in self.user_tasks.values():
            names.update(n for n in (info.form_schema, info.ui_schema) if n)
        return names

    def catalog_json(self) -> str:
        return json.dumps(
            {
                "processes": {k: asdict(v) for k, v in self.processes.items()},
                "user_tasks": {k: asdict(v) for k, v in self.user_tasks.items()},
            },
            ensure_ascii=False,
            sort_keys=True,
        )


def task_key(process_id: str, element_id: str) -> str:
    """The catalogue key of a user task."""
    return f"{process_id}:{element_id}"


def compile_bundle(files: list[SourceFile], sandbox: Sandbox) -> CompiledBundle:
    """Parse, validate and serialize a set of diagrams; raise DiagramErrors listing every problem."""
    parser = HostBpmnParser(validator=VALIDATOR)
    trees, errors = _read_sources(parser, files)
    for name, root in trees.items():
        errors.extend(_dangling_flows(name, root))
    errors.extend(_call_cycles(trees))
    budget = SourceBudget()  # the decisions' and the processes' sources together
    errors.extend(check_decisions(parser, sandbox, budget))
    if errors:
        raise DiagramErrors(errors)
    processes, user_tasks = _describe(trees)
    spec_files = {pid: info.file for pid, info in processes.items()}
    specs = _build_specs(parser, processes, errors, trees, spec_files)
    if not errors:
        errors.extend(check_scripts(specs, spec_files, sandbox, budget))
    if errors:
        raise DiagramErrors(errors)
    registry = spec_registry()
    payload = {pid: registry.convert(spec) for pid, spec in specs.items()}
    return CompiledBundle(processes, user_tasks, json.dumps(payload, sort_keys=True))


def _read_sources(
    parser: HostBpmnParser, files: list[SourceFile]
) -> tuple[dict[str, etree._Element], list[DiagramError]]:
    """Parse every file safely and hand it to SpiffWorkflow's parser; BPMN trees are kept for checks."""
    trees: dict[str, etree._Element] = {}
    errors: list[DiagramError] = []
    for source in files:
        try:
            root = parse_xml(source.content, source.name)
        except DiagramError as err:
            errors.append(err)
            continue
        try:
            if source.is_dmn:
                parser.add_dmn_xml(root, filename=source.name)
            else:
                parser.add_bpmn_xml(root, filename=source.name)
                trees[source.name] = root
        except ValidationException as err:
            errors.append(_validation_error(err, source.name, {source.name: root}))
        except Exception as err:  # SpiffWorkflow's parser is not hardened against every odd document
            reason = f"{type(err).__name__}: {err}"
            errors.append(
                DiagramError(source.name, f"could not be read: {reason}", code="unreadable", params={"reason": reason})
            )
    return trees, errors


def _validation_error(
    err: ValidationException, filename: str, trees: dict[str, etree._Element] | None = None
) -> DiagramError:
    message = str(err).split("\n")[0]
    file = getattr(err, "file_name", None) or filename
    element = getattr(err, "id", None) or None
    line = getattr(err, "line_number", None)
    if not (isinstance(line, int) and line > 0):
        line = _element_line(trees or {}, file, element)
    element_id = element if isinstance(element, str) else None
    return DiagramError(file, message, element_id, line, code="bpmn_invalid", params={"reason": message})


def _source_line(node: etree._Element) -> int | None:
    line = getattr(node, "sourceline", None)
    return line if isinstance(line, int) else None


def _element_line(trees: dict[str, etree._Element], file: str, element_id: str | None) -> int | None:
    """The source line of an element, found by its id in the parsed file."""
    if not element_id:
        return None
    for name, root in trees.items():
        if name == file or file in ("", None):
            for node in root.iter():
                if node.get("id") == element_id:
                    return _source_line(node)
    return None


def _build_specs(
    parser: HostBpmnParser,
    processes: dict[str, ProcessInfo],
    errors: list[DiagramError],
    trees: dict[str, etree._Element],
    files: dict[str, str],
) -> dict[str, Any]:
    """Every process's spec, and the specs of the subprocesses embedded in them; `files` gets the file of
    each spec (an embedded one: its parent's)."""
    specs: dict[str, Any] = {}
    for process_id, info in processes.items():
        try:
            spec = parser.get_spec(process_id)
            subprocesses = parser.get_subprocess_specs(process_id)
        except ValidationException as err:
            errors.append(_missing_call(err, info.file, trees) or _validation_error(err, info.file, trees))
            continue
        except SpiffWorkflowException as err:
            errors.append(DiagramError(info.file, str(err), code="bpmn_invalid", params={"reason": str(err)}))
            continue
        specs[process_id] = spec
        info.calls = sorted(subprocesses)
        for name, sub_spec in subprocesses.items():
            if name not in processes and sub_spec is not None:
                specs[name] = sub_spec  # an embedded subProcess: started only by its parent
                files.setdefault(name, info.file)
    return specs


def _describe(trees: dict[str, etree._Element]) -> tuple[dict[str, ProcessInfo], dict[str, UserTaskInfo]]:
    processes: dict[str, ProcessInfo] = {}
    user_tasks: dict[str, UserTaskInfo] = {}
    for filename, root in trees.items():
        for process in root.iterfind(f"{{{BPMN_NS}}}process"):
            pid = process.get("id", "")
            doc = process.findtext(f"{{{BPMN_NS}}}documentation")
            processes[pid] = ProcessInfo(pid, process.get("name") or pid, doc.strip() if doc else None, filename)
            lanes = _lanes(process)
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


_MISSING_PROCESS = re.compile(r"The process '([^']+)' was not found")


def _missing_call(err: ValidationException, filename: str, trees: dict[str, etree._Element]) -> DiagramError | None:
    """Locate the call activity behind SpiffWorkflow's "process not found", which names no element."""
    match = _MISSING_PROCESS.search(str(err))
    if match is None:
        return None
    for name, root in trees.items():
        for node in root.iter(f"{{{BPMN_NS}}}callActivity"):
            if node.get("calledElement") == match.group(1):
                message = f"call activity calls process '{match.group(1)}', which is not deployed"
                line, params = _source_line(node), {"process": match.group(1)}
                return DiagramError(name, message, node.get("id"), line, code="call_not_deployed", params=params)
    return None


def _call_cycles(trees: dict[str, etree._Element]) -> list[DiagramError]:
    """Call activities through which a process calls itself, directly or through others: SpiffWorkflow would
    nest subworkflows without end inside one step (it never returns, and holds the case's lock meanwhile)."""
    calls: dict[str, list[tuple[str, str, etree._Element]]] = {}  # process → (called process, file, activity)
    for name, root in trees.items():
        for process in root.iterfind(f"{{{BPMN_NS}}}process"):
            calls[process.get("id", "")] = [
                (node.get("calledElement", ""), name, node) for node in process.iter(f"{{{BPMN_NS}}}callActivity")
            ]
    errors: list[DiagramError] = []
    for start in sorted(calls):
        todo, seen = [(start, [start])], {start}
        while todo:
            current, path = todo.pop()
            for called, name, node in calls.get(current, []):
                if called == start:
                    where = " → ".join([*path, start])
                    message = f"process '{start}' calls itself ({where}); such a call never ends"
                    params = {"process": start, "path": where}
                    errors.append(
                        DiagramError(
                            name, message, node.get("id"), _source_line(node), code="calls_itself", params=params
                        )
                    )
                elif called in calls and called not in seen:
                    seen.add(called)
                    todo.append((called, [*path, called]))
    return errors


def _dangling_flows(filename: str, root: etree._Element) -> list[DiagramError]:
    """Sequence flows whose source or target is not an element of their process."""
    errors = []
    for process in root.iter(f"{{{BPMN_NS}}}process", f"{{{BPMN_NS}}}subProcess"):
        ids = {node.get("id") for node in process if node.get("id")}
        for flow in process.iterfind(f"{{{BPMN_NS}}}sequenceFlow"):
            for end in ("sourceRef", "targetRef"):
                ref = flow.get(end)
                if ref not in ids:
                    errors.append(
                        DiagramError(
                            filename,
                            f"sequence flow {end} '{ref}' is not an element of the process",
                            element_id=flow.get("id"),
                            line=_source_line(flow),
                            code="flow_end_missing",
                            params={"end": "source" if end == "sourceRef" else "target", "ref": ref},
                        )
                    )
    return errors


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
