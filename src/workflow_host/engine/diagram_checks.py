"""What SpiffWorkflow's parser leaves unchecked in a set of BPMN trees (sequence flows whose ends are missing,
processes that call themselves), and its validation errors located by file, element and source line."""

from __future__ import annotations

import re

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from .catalog import BPMN_NS
from .errors import DiagramError

__all__ = ["call_cycles", "dangling_flows", "missing_call", "validation_error"]


def validation_error(
    err: ValidationException, filename: str, trees: dict[str, etree._Element] | None = None
) -> DiagramError:
    """A SpiffWorkflow validation error as a DiagramError, with the element's source line when it gives none."""
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


_MISSING_PROCESS = re.compile(r"The process '([^']+)' was not found")


def missing_call(err: ValidationException, filename: str, trees: dict[str, etree._Element]) -> DiagramError | None:
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


def call_cycles(trees: dict[str, etree._Element]) -> list[DiagramError]:
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


def dangling_flows(filename: str, root: etree._Element) -> list[DiagramError]:
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
