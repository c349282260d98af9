"""Untrusted diagram XML: entities, DTDs, oversize and overdeep documents are refused, never expanded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from lxml import etree

from workflow_host.engine import DiagramError, DiagramErrors, Runtime, SourceFile
from workflow_host.engine.xml import parse_xml

SECRET = "TOP-SECRET-MARKER-5b1f"
BPMN_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">\n'
)
BPMN_BODY = (
    '  <bpmn:process id="p" isExecutable="true">\n'
    '    <bpmn:startEvent id="start" />\n'
    '    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="s" />\n'
    '    <bpmn:scriptTask id="s"><bpmn:script>leak = "&xxe;"</bpmn:script></bpmn:scriptTask>\n'
    '    <bpmn:sequenceFlow id="f2" sourceRef="s" targetRef="end" />\n'
    '    <bpmn:endEvent id="end" />\n'
    "  </bpmn:process>\n"
    "</bpmn:definitions>\n"
)


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def xxe(target: str) -> bytes:
    doctype = f'<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "{target}">]>\n'
    return (BPMN_HEAD.replace("\n", "\n" + doctype, 1) + BPMN_BODY).encode()


def billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    return f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n{"".join(entities)}\n]>\n<lolz>&lol9;</lolz>\n'.encode()


def hostile_documents(secret: Path) -> dict[str, bytes]:
    return {
        "xxe_passwd.bpmn": xxe("file:///etc/passwd"),
        "xxe_secret.bpmn": xxe(secret.as_uri()),
        "xxe_utf16.bpmn": xxe(secret.as_uri()).decode().replace("UTF-8", "UTF-16").encode("utf-16"),
        "parameter_entity.bpmn": (
            f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % p SYSTEM "{secret.as_uri()}"> %p;]>\n<r/>\n'
        ).encode(),
        "billion_laughs.bpmn": billion_laughs(),
        "doctype.bpmn": b'<?xml version="1.0"?>\n<!DOCTYPE definitions>\n<definitions/>\n',
        "late_doctype.bpmn": (
            b'<?xml version="1.0"?>\n<!--'
            + b"x" * 8000
            + b'-->\n<!DOCTYPE r SYSTEM "'
            + secret.as_uri().encode()
            + b'">\n<r/>'
        ),
    }


@pytest.mark.parametrize(
    "name",
    [
        "xxe_passwd.bpmn",
        "xxe_secret.bpmn",
        "xxe_utf16.bpmn",
        "parameter_entity.bpmn",
        "billion_laughs.bpmn",
        "doctype.bpmn",
        "late_doctype.bpmn",
    ],
)
def test_entities_and_doctypes_are_refused(name: str, secret_file: Path) -> None:
    content = hostile_documents(secret_file)[name]
    started = time.monotonic()

    with pytest.raises(DiagramError) as caught:
        parse_xml(content, name)

    assert time.monotonic() - started < 5
    assert caught.value.file == name
    assert "not allowed" in caught.value.message
    assert SECRET not in str(caught.value)
    assert "root:" not in str(caught.value)


def test_file_over_5_mib_is_refused() -> None:
    content = BPMN_HEAD.encode() + b"<!--" + b"x" * (5 * 1024 * 1024) + b"-->" + b"</bpmn:definitions>"

    with pytest.raises(DiagramError, match="5 MiB") as caught:
        parse_xml(content, "big.bpmn")

    assert caught.value.file == "big.bpmn"


def test_document_nested_10000_levels_deep_is_refused() -> None:
    content = b"<a>" * 10_000 + b"</a>" * 10_000

    with pytest.raises(DiagramError, match="depth") as caught:
        parse_xml(content, "deep.bpmn")

    assert caught.value.file == "deep.bpmn"


def test_malformed_xml_is_reported_with_its_line() -> None:
    content = b'<?xml version="1.0"?>\n<definitions>\n  <process id="p">\n</definitions>\n'

    with pytest.raises(DiagramError, match="not well-formed") as caught:
        parse_xml(content, "broken.bpmn")

    assert caught.value.line == 4
    assert str(caught.value).startswith("broken.bpmn line 4:")


def test_xinclude_is_left_unexpanded(secret_file: Path) -> None:
    content = (
        f'<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{secret_file.as_uri()}" parse="text"/></r>'
    ).encode()

    root = parse_xml(content, "xinclude.bpmn")

    assert SECRET not in etree.tostring(root, encoding="unicode")


def test_plain_diagram_parses() -> None:
    root = parse_xml((BPMN_HEAD + BPMN_BODY.replace("&xxe;", "ok")).encode(), "plain.bpmn")

    process = root.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}process")
    assert process is not None
    assert process.get("id") == "p"


@pytest.mark.parametrize(
    "name",
    ["xxe_passwd.bpmn", "xxe_secret.bpmn", "xxe_utf16.bpmn", "billion_laughs.bpmn", "late_doctype.bpmn"],
)
def test_compile_refuses_hostile_xml_naming_the_file(name: str, secret_file: Path) -> None:
    content = hostile_documents(secret_file)[name]

    with pytest.raises(DiagramErrors) as caught:
        Runtime().compile([SourceFile(name, content)])

    assert [error.file for error in caught.value.errors] == [name]
    assert SECRET not in str(caught.value)
    assert "root:" not in str(caught.value)


def test_compile_reports_malformed_and_oversized_files_together() -> None:
    broken = (BPMN_HEAD + '  <bpmn:process id="p">\n</bpmn:definitions>\n').encode()
    big = BPMN_HEAD.encode() + b"<!--" + b"x" * (5 * 1024 * 1024 + 1) + b"-->\n</bpmn:definitions>"

    with pytest.raises(DiagramErrors) as caught:
        Runtime().compile([SourceFile("broken.bpmn", broken), SourceFile("big.bpmn", big)])

    by_file = {error.file: error for error in caught.value.errors}
    assert set(by_file) == {"broken.bpmn", "big.bpmn"}
    assert by_file["broken.bpmn"].line == 4
    assert "not well-formed" in by_file["broken.bpmn"].message
    assert "5 MiB" in by_file["big.bpmn"].message
