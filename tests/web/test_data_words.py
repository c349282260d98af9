"""Every name the diagrams write into a case's data reads in Chinese on the case and history pages: the working
values the scripts keep (review_history, forward_to, signoff_rounds …) and the fields of the records they build
(round, heads, name, signed_on …); an auditor met the bare data names there."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from xml.etree import ElementTree

from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.services.case_view import DataLabels, data_labels
from workflow_host.services.versions import latest_version
from workflow_host.web.display import case_rows, field_title, row_title

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SCRIPTS = ("script", "preScript", "postScript")
LOOP_DATA = ("loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem")
NEVER_KEPT = {"beijing"}  # worded only into the error a script raises
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _scripts() -> list[tuple[str, ElementTree.Element]]:
    found = []
    for path in sorted(PROCESSES.glob("*.bpmn")):
        found += [(path.name, e) for e in ElementTree.parse(path).getroot().iter()]
    return found


def _assigned(tree: ast.AST) -> set[str]:
    """The names a script leaves in the data: those it assigns and does not delete again itself."""
    assigned, deleted = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            assigned |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
        if isinstance(node, ast.Delete):
            deleted |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return assigned - deleted


def _record_fields(tree: ast.AST) -> set[str]:
    """The keys of the records a script builds; a table of words (every value a string) is no record."""
    keys: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and not all(
            isinstance(v, ast.Constant) and isinstance(v.value, str) for v in node.values
        ):
            keys |= {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
    return keys


def diagram_names() -> tuple[set[str], set[str]]:
    """(the top-level names the diagrams write, the fields of the records they build)."""
    names: set[str] = set()
    fields: set[str] = set()
    for _file, element in _scripts():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in SCRIPTS and element.text:
            tree = ast.parse(element.text)
            names |= _assigned(tree)
            fields |= _record_fields(tree)
        elif tag in LOOP_DATA:
            names.add(element.text.strip() if element.text and element.text.strip() else str(element.get("name")))
    return names, fields


def measures_labels(measures: Host) -> DataLabels:
    with measures.database.transaction() as session:
        return data_labels(session, latest_version(session, "litigation_case"), "litigation_case")


def test_every_name_the_diagrams_write_has_a_chinese_title(measures: Host) -> None:
    labels = measures_labels(measures)
    names, fields = diagram_names()
    assert {"review_history", "forward_to", "signoff_rounds", "reviewed_unit"} <= names  # the walk finds them
    assert {"round", "heads", "signed_on", "assessed_on"} <= fields
    app = create_app({"TESTING": True, "HOST": measures})
    with app.test_request_context():
        untitled = sorted(n for n in names - NEVER_KEPT if not CHINESE.search(row_title(n, labels)))
        unfielded = sorted(f for f in fields if not CHINESE.search(field_title(f"record.{f}", labels) or ""))
    assert untitled == []
    assert unfielded == []


def test_a_sign_off_record_reads_who_signed_what_and_when(measures: Host) -> None:
    """审签记录 showed `decision：agree`, `opinion`, `signed_on`, and the signer as 待审签人 after signing."""
    labels = measures_labels(measures)
    record = {
        "round": 1,
        "signer_role": "office_director",
        "decision": "agree",
        "opinion": "同意。",
        "signed_on": "2026-11-02",
    }
    data = {"signoff_records": [record], "review_round": 1, "forward_to": ["land_bureau"]}
    app = create_app({"TESTING": True, "HOST": measures})
    with app.test_request_context():
        _named, other = case_rows(data, labels, {"land_bureau": "石拐区自然资源局"})
    shown = {row.key: (row.title, row.text) for row in other}
    assert shown["signoff_records"][0] == "审签记录"
    assert shown["signoff_records"][1].splitlines() == [
        "1.",
        "  轮次：1",
        "  审签人：政府办主任",
        "  审签结果：同意",
        "  审签意见：同意。",
        "  审签日期：2026-11-02",
    ]
    assert shown["review_round"] == ("审核轮次", "1")
    assert shown["forward_to"] == ("转送单位", "石拐区自然资源局")
