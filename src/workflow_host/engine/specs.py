"""Turn a set of BPMN/DMN files into validated, serialized process specs and a catalogue of user tasks."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from .catalog import ProcessInfo, UserTaskInfo, describe
from .checks import SourceBudget, check_decisions, check_scripts
from .decisions import HostBpmnParser
from .diagram_checks import call_cycles, dangling_flows, missing_call, validation_error
from .errors import DiagramError, DiagramErrors
from .sandbox import Sandbox
from .spec_sets import spec_registry
from .xml import parse_xml

__all__ = ["CompiledBundle", "SourceFile", "compile_bundle"]

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


def compile_bundle(files: list[SourceFile], sandbox: Sandbox) -> CompiledBundle:
    """Parse, validate and serialize a set of diagrams; raise DiagramErrors listing every problem."""
    parser = HostBpmnParser(validator=VALIDATOR)
    trees, errors = _read_sources(parser, files)
    for name, root in trees.items():
        errors.extend(dangling_flows(name, root))
    errors.extend(call_cycles(trees))
    budget = SourceBudget()  # the decisions' and the processes' sources together
    errors.extend(check_decisions(parser, sandbox, budget))
    if errors:
        raise DiagramErrors(errors)
    processes, user_tasks = describe(trees)
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
            errors.append(validation_error(err, source.name, {source.name: root}))
        except Exception as err:  # SpiffWorkflow's parser is not hardened against every odd document
            reason = f"{type(err).__name__}: {err}"
            errors.append(
                DiagramError(source.name, f"could not be read: {reason}", code="unreadable", params={"reason": reason})
            )
    return trees, errors


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
            errors.append(missing_call(err, info.file, trees) or validation_error(err, info.file, trees))
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
