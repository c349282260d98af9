"""Every diagram of the measures opens laid out (DI for every element) and names forms that exist and are
valid JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from lxml import etree

from tests.processes.support import PROCESSES, ROOT

DIAGRAMS = sorted(PROCESSES.glob("*.bpmn"))
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
FLOW_NODES = {
    "task", "userTask", "scriptTask", "businessRuleTask", "serviceTask", "manualTask", "callActivity",
    "subProcess", "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
    "boundaryEvent", "exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
}  # fmt: skip


def _tree(path: Path) -> etree._Element:
    return etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.name for p in DIAGRAMS])
def test_every_element_is_drawn(path: Path) -> None:
    root = _tree(path)
    shapes = {s.get("bpmnElement") for s in root.iter(f"{{{DI}}}BPMNShape")}
    edges = {e.get("bpmnElement") for e in root.iter(f"{{{DI}}}BPMNEdge")}
    nodes = {
        n.get("id") for n in root.iter() if etree.QName(n).namespace == BPMN and etree.QName(n).localname in FLOW_NODES
    }
    lanes = {n.get("id") for n in root.iter(f"{{{BPMN}}}lane")}
    flows = {n.get("id") for n in root.iter(f"{{{BPMN}}}sequenceFlow")}
    assert nodes
    assert nodes | lanes <= shapes, sorted((nodes | lanes) - shapes)
    assert flows <= edges, sorted(flows - edges)


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.name for p in DIAGRAMS])
def test_every_form_a_user_task_names_exists_and_is_valid(path: Path) -> None:
    for prop in _tree(path).iter(f"{{{SPIFF}}}property"):
        if prop.get("name") in ("formJsonSchemaFilename", "formUiSchemaFilename"):
            form = ROOT / "forms" / prop.get("value", "")
            assert form.is_file(), form
            content = json.loads(form.read_text(encoding="utf-8"))
            if prop.get("name") == "formJsonSchemaFilename":
                Draft202012Validator.check_schema(content)
                assert content.get("title"), f"{form.name} has no title for the task page"
