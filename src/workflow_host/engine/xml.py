"""Hostile-input XML parsing: no entities, no DTD, no network, bounded size and depth."""

from __future__ import annotations

from typing import Any, NamedTuple

from lxml import etree

from .errors import DiagramError

__all__ = [
    "MAX_XML_BYTES",
    "ElementSignature",
    "called_decisions",
    "decision_ids",
    "decision_names",
    "element_signatures",
    "parse_xml",
]

MAX_XML_BYTES = 5 * 1024 * 1024


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(content: bytes, filename: str) -> etree._Element:
    """Parse untrusted XML into a tree, refusing anything that declares a DTD or entities."""
    if len(content) > MAX_XML_BYTES:
        limit = MAX_XML_BYTES // (1024 * 1024)
        raise DiagramError(filename, f"file is larger than {limit} MiB", code="file_too_large", params={"limit": limit})
    head = content[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in content.lower():
        raise DiagramError(filename, "document type declarations and entities are not allowed", code="doctype_refused")
    try:
        root = etree.fromstring(content, parser=_parser())
    except etree.XMLSyntaxError as err:
        message, params = f"not well-formed XML: {err.msg}", {"reason": err.msg}
        raise DiagramError(filename, message, line=err.lineno, code="xml_malformed", params=params) from None
    docinfo: Any = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise DiagramError(filename, "document type declarations are not allowed", code="doctype_refused")
    return root


def decision_ids(content: bytes, filename: str) -> list[str]:
    """The ids of the decisions a DMN file defines."""
    root = parse_xml(content, filename)
    return [str(el.get("id")) for el in root.iter() if isinstance(el.tag, str) and el.tag.endswith("}decision")]


def decision_names(content: bytes, filename: str) -> dict[str, str]:
    """The decisions a DMN file defines: id → name (the id when it has none)."""
    root = parse_xml(content, filename)
    found = (el for el in root.iter() if isinstance(el.tag, str) and el.tag.endswith("}decision"))
    return {str(el.get("id")): str(el.get("name") or el.get("id")) for el in found}


def called_decisions(content: bytes, filename: str) -> dict[str, str]:
    """The business rule tasks of a BPMN file and the decision each calls: element id → decision id."""
    root = parse_xml(content, filename)
    found: dict[str, str] = {}
    for task in root.iter():
        if not (isinstance(task.tag, str) and task.tag.endswith("}businessRuleTask")):
            continue
        for child in task.iter():
            if isinstance(child.tag, str) and child.tag.endswith("}calledDecisionId") and (child.text or "").strip():
                found[str(task.get("id"))] = (child.text or "").strip()
    return found


DI_NAMESPACES = (
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
)


def _own_content(element: etree._Element) -> str:
    """An element's tag, attributes and every descendant that has no id of its own, canonically."""
    parts = [str(element.tag), *sorted(f"{k!s}={v!s}" for k, v in element.attrib.items())]
    for child in element:
        if not isinstance(child.tag, str) or child.get("id") is not None:
            continue
        parts.append(etree.tostring(child, method="c14n").decode())
    text = (element.text or "").strip()
    return "\n".join([*parts, text])


class ElementSignature(NamedTuple):
    """One element as a diff compares it: its kind (the BPMN tag, `userTask`), its name and what it says."""

    kind: str
    name: str
    content: str


def element_signatures(content: bytes, filename: str) -> dict[str, ElementSignature]:
    """For comparing two versions of a diagram: each semantic element's id → (kind, name, what it says), the
    drawing (DI) left out, so that moving a shape is not a change but editing a script or a name is."""
    root = parse_xml(content, filename)
    found: dict[str, ElementSignature] = {}
    for element in root.iter():
        if not isinstance(element.tag, str) or element.get("id") is None:
            continue
        namespace, _, local = element.tag[1:].partition("}")
        if namespace in DI_NAMESPACES:
            continue
        name = " ".join(str(element.get("name") or "").split())
        found[str(element.get("id"))] = ElementSignature(local, name, _own_content(element))
    return found
