"""Every problem the diagram, decision-table and form checks can report is named by a code the pages word in
Chinese: the codes are read from the checks' own source, so a check that reports a new problem without a code, or
under a code no Chinese text is written for, fails here before an analyst meets it in English."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from flask import Flask

from workflow_host.web.diagram_problems import WORDED, diagram_problem
from workflow_host.web.problem_text import problem_text

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "workflow_host"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _calls() -> list[tuple[Path, ast.Call]]:
    found = []
    for path in sorted([*PACKAGE.glob("engine/*.py"), *PACKAGE.glob("services/*.py")]):
        found += [(path, node) for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call)]
    return found


def _named(call: ast.Call, name: str) -> bool:
    func = call.func
    return (func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else "") == name


def _codes() -> set[str]:
    """Every code a check passes (`code="…"`, a fallback `… or "…"` included)."""
    codes = set()
    for _path, call in _calls():
        for keyword in call.keywords:
            if keyword.arg == "code":
                codes |= {
                    n.value for n in ast.walk(keyword.value) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    for path in [*PACKAGE.glob("services/versions.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "code" for t in node.targets):
                codes |= {
                    n.value for n in ast.walk(node.value) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                }
    return codes - {"code"}  # err.details.get("code") reads the code, it is none


class Anything(dict[str, Any]):
    """Params with a stand-in for whatever a wording reads."""

    def get(self, key: str, default: Any = None) -> Any:
        return "x"

    def __getitem__(self, key: str) -> Any:
        return "x"


def test_every_diagram_problem_names_its_code() -> None:
    uncoded = [
        f"{path.name}:{call.lineno}"
        for path, call in _calls()
        if _named(call, "DiagramError") and not any(k.arg == "code" for k in call.keywords)
    ]
    assert uncoded == []


def test_the_codes_are_read_from_the_checks() -> None:
    codes = _codes()
    assert {"lane_not_role", "bpmn_invalid", "file_too_large", "form_schema_invalid", "decision_missing"} <= codes


def test_every_code_a_check_reports_has_a_chinese_text(app: Flask) -> None:
    codes = _codes()
    assert sorted(codes - WORDED.keys()) == []  # a wording in web/diagram_problems.py for each
    with app.test_request_context("/modeller"):
        said = {code: diagram_problem({"code": code, "params": Anything()}, problem_text) for code in codes}
    assert {code: text for code, text in said.items() if not text or not CHINESE.search(text)} == {}
