"""The Art. 3, 4 and 13 decision tables of processes/, evaluated by the real engine through small harness diagrams."""

from __future__ import annotations

import re
from itertools import product
from pathlib import PurePosixPath
from typing import Any

import pytest
from lxml import etree

from tests.processes.support import ART13_FLAGS, PROCESSES, ROOT
from workflow_host.engine import EngineError, Runtime, SourceFile
from workflow_host.services import deployment

HARNESSES = ROOT / "tests" / "fixtures" / "decisions"
DECISIONS = ("handling_unit", "signoff_chain", "court_appearance")
DMN = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def harness(decision: str, dmn: bytes | None = None) -> list[SourceFile]:
    bpmn = HARNESSES / f"{decision}.bpmn"
    table = dmn if dmn is not None else (PROCESSES / f"{decision}.dmn").read_bytes()
    return [SourceFile(bpmn.name, bpmn.read_bytes()), SourceFile(f"{decision}.dmn", table)]


@pytest.fixture(scope="module")
def runtime() -> Runtime:
    return Runtime()


@pytest.fixture(scope="module")
def specs(runtime: Runtime) -> dict[str, str]:
    return {decision: runtime.compile(harness(decision)).spec_json for decision in DECISIONS}


def decide(runtime: Runtime, spec_json: str, decision: str, data: dict[str, Any]) -> dict[str, Any]:
    """Run the harness of `decision` on `data` up to its user task 'done' and return the case data."""
    instance = runtime.start(spec_json, f"{decision}_harness", data)
    instance.run()
    assert [task.element_id for task in instance.ready_user_tasks()] == ["done"]
    return instance.data


# Art. 3 — handling unit

CASE = {
    "defendant": "district_government",
    "defendant_unit": None,
    "acting_units": ["natural_resources"],
    "entrusting_unit": None,
    "successor_unit": None,
    "reconsideration": "none",
}
JOINT = ["natural_resources", "housing"]
GOV, UNIT = "district_government", "unit"
UPHELD, CHANGED = {"reconsideration": "upheld"}, {"reconsideration": "changed"}
ENTRUSTED, SUCCEEDED = {"entrusting_unit": "urban_mgmt"}, {"successor_unit": "market_reg"}
UNIT_SUED = {"defendant": UNIT, "defendant_unit": "forestry"}


@pytest.mark.parametrize(
    ("changes", "units", "part"),
    [
        pytest.param({}, ["natural_resources"], False, id="item1-acting-unit"),
        pytest.param({"acting_units": JOINT}, JOINT, False, id="item2-joint-acting-units"),
        pytest.param({**ENTRUSTED, "acting_units": ["agent_org"]}, ["urban_mgmt"], False, id="item3-entrusting"),
        pytest.param(SUCCEEDED, ["market_reg"], False, id="item4-successor-over-acting"),
        pytest.param({**SUCCEEDED, **ENTRUSTED}, ["market_reg"], False, id="item4-over-item3"),
        pytest.param({"successor_unit": "", "entrusting_unit": ""}, ["natural_resources"], False, id="empty-is-unset"),
        pytest.param(UNIT_SUED, ["forestry"], False, id="unit-defendant"),
        pytest.param({**UNIT_SUED, **ENTRUSTED}, ["forestry"], False, id="unit-defendant-over-item3"),
        pytest.param({**UNIT_SUED, **SUCCEEDED}, ["market_reg"], False, id="item4-over-unit-defendant"),
        pytest.param(UPHELD, ["natural_resources"], True, id="upheld-acting"),
        pytest.param({**UPHELD, "acting_units": JOINT}, JOINT, True, id="upheld-joint"),
        pytest.param({**UPHELD, **ENTRUSTED}, ["urban_mgmt"], True, id="upheld-item3"),
        pytest.param({**UPHELD, **SUCCEEDED}, ["market_reg"], True, id="upheld-item4"),
        pytest.param({**UPHELD, **UNIT_SUED}, ["forestry"], True, id="upheld-unit-defendant"),
        pytest.param({**CHANGED, "acting_units": JOINT}, ["justice_bureau"], False, id="changed"),
        pytest.param({**CHANGED, **UNIT_SUED, **SUCCEEDED}, ["justice_bureau"], False, id="changed-over-all"),
    ],
)
def test_article_3_picks_the_handling_units(
    runtime: Runtime, specs: dict[str, str], changes: dict[str, Any], units: list[str], part: bool
) -> None:
    data = decide(runtime, specs["handling_unit"], "handling_unit", {**CASE, **changes})

    assert data["handling_units"] == units
    assert data["justice_bureau_reconsideration_part"] is part


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"reconsideration": "revoked"}, id="unknown-reconsideration"),
        pytest.param({"reconsideration": None}, id="no-reconsideration-value"),
        pytest.param({"defendant": None}, id="no-defendant"),
        pytest.param({"defendant": UNIT}, id="unit-defendant-without-unit"),
        pytest.param({"acting_units": []}, id="no-acting-unit"),
    ],
)
def test_incomplete_intake_gets_no_handling_unit(
    runtime: Runtime, specs: dict[str, str], changes: dict[str, Any]
) -> None:
    data = decide(runtime, specs["handling_unit"], "handling_unit", {**CASE, **changes})

    assert "handling_units" not in data
    assert "justice_bureau_reconsideration_part" not in data


def test_a_missing_input_stops_the_case_at_the_decision(runtime: Runtime, specs: dict[str, str]) -> None:
    instance = runtime.start(specs["handling_unit"], "handling_unit_harness", {"reconsideration": "none"})

    with pytest.raises(EngineError, match="successor_unit") as caught:
        instance.run()

    assert caught.value.element_id == "decide"
    assert instance.status == "error"


def article_3(case: dict[str, Any]) -> tuple[list[str], bool] | None:
    """Art. 3 written out independently of the table, to check it over every combination of inputs."""
    if case["reconsideration"] == "changed":
        return ["justice_bureau"], False
    if case["reconsideration"] not in ("none", "upheld"):
        return None
    part = case["reconsideration"] == "upheld"
    if case["successor_unit"]:
        return [case["successor_unit"]], part
    if case["defendant"] == UNIT:
        return ([case["defendant_unit"]], part) if case["defendant_unit"] else None
    if case["defendant"] != GOV:
        return None
    if case["entrusting_unit"]:
        return [case["entrusting_unit"]], part
    return (case["acting_units"], part) if case["acting_units"] else None


ART3_GRID = [  # every combination of the inputs, in CASE's key order
    dict(zip(CASE, values, strict=True))
    for values in product(
        [GOV, UNIT, None],
        [None, "forestry"],
        [None, [], ["natural_resources"], JOINT],
        [None, "", "urban_mgmt"],
        [None, "", "market_reg"],
        ["none", "upheld", "changed", "revoked"],
    )
]


def test_article_3_table_agrees_with_the_article_on_every_combination(runtime: Runtime, specs: dict[str, str]) -> None:
    for case in ART3_GRID:
        data = decide(runtime, specs["handling_unit"], "handling_unit", case)
        found = data.get("handling_units"), data.get("justice_bureau_reconsideration_part")
        assert found == (article_3(case) or (None, None)), case


def test_article_3_rules_never_overlap(runtime: Runtime) -> None:
    """UNIQUE must mean unique: run the same rules with COLLECT and see at most one match for any input."""
    dmn = (PROCESSES / "handling_unit.dmn").read_bytes().replace(b'hitPolicy="UNIQUE"', b'hitPolicy="COLLECT"')
    spec_json = runtime.compile(harness("handling_unit", dmn)).spec_json
    for case in ART3_GRID:
        assert len(decide(runtime, spec_json, "handling_unit", case).get("handling_units", [])) <= 1, case


def test_a_new_decision_replaces_an_earlier_list(runtime: Runtime, specs: dict[str, str]) -> None:
    stale = {**CASE, "reconsideration": "changed", "handling_units": ["natural_resources"]}

    assert decide(runtime, specs["handling_unit"], "handling_unit", stale)["handling_units"] == ["justice_bureau"]


# Art. 4 — sign-off chain

ORDINARY = ["office_deputy_director", "office_director", "vice_head_in_charge"]


@pytest.mark.parametrize(
    ("significance", "chain"),
    [
        ("ordinary", ORDINARY),
        ("larger", [*ORDINARY, "executive_vice_head"]),
        ("major", [*ORDINARY, "executive_vice_head", "district_head"]),
    ],
)
def test_article_4_chain_grows_with_significance(
    runtime: Runtime, specs: dict[str, str], significance: str, chain: list[str]
) -> None:
    data = decide(runtime, specs["signoff_chain"], "signoff_chain", {"significance": significance})

    assert data["signoff_chain"] == chain


@pytest.mark.parametrize("significance", ["urgent", "", None])
def test_unknown_significance_gets_no_chain(runtime: Runtime, specs: dict[str, str], significance: str | None) -> None:
    data = decide(runtime, specs["signoff_chain"], "signoff_chain", {"significance": significance})

    assert "signoff_chain" not in data


# Art. 13 / 16 — court appearance

FLAGS = ART13_FLAGS[1:]  # Art. 13 items 3 to 8, in order
HEARING: dict[str, Any] = {
    "defendant": GOV,
    "instance_level": "first",
    "lost_first_instance": False,
    "head_appeared_first_instance": False,
    "head_wants_to_appear": False,
    **dict.fromkeys(FLAGS, False),
}
SECOND = {"instance_level": "second"}
ITEM_1 = {**SECOND, "lost_first_instance": True}
ITEM_2 = {**SECOND, "head_appeared_first_instance": False, "head_wants_to_appear": True}
EVERYTHING = {**ITEM_1, **ITEM_2, **dict.fromkeys(FLAGS, True)}


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        pytest.param({}, [], id="no-item"),
        pytest.param(ITEM_1, [1], id="item1"),
        pytest.param(ITEM_2, [2], id="item2"),
        pytest.param({**ITEM_2, "head_appeared_first_instance": None}, [2], id="item2-appearance-unknown"),
        pytest.param({**ITEM_2, "head_appeared_first_instance": True}, [], id="item2-not-if-appeared"),
        *(pytest.param({flag: True}, [n], id=f"item{n}") for n, flag in enumerate(FLAGS, start=3)),
        pytest.param({**ITEM_1, "court_requested_head": True, "large_compensation": True}, [1, 3, 6], id="several"),
        pytest.param(EVERYTHING, [1, 2, 3, 4, 5, 6, 7, 8], id="all-eight"),
        pytest.param({**EVERYTHING, "instance_level": "first"}, [3, 4, 5, 6, 7, 8], id="first-ignores-1-2"),
        pytest.param({**ITEM_1, **ITEM_2, "instance_level": "retrial"}, [], id="retrial-ignores-1-2"),
        pytest.param({**EVERYTHING, "defendant": UNIT}, [], id="unit-defendant-art16"),
        pytest.param({**dict.fromkeys([*HEARING][2:], None), **SECOND}, [], id="nulls-count-as-false"),
    ],
)
def test_article_13_lists_the_items_that_apply(
    runtime: Runtime, specs: dict[str, str], changes: dict[str, Any], reasons: list[int]
) -> None:
    data = decide(runtime, specs["court_appearance"], "court_appearance", {**HEARING, **changes})

    assert data["appearance_reasons"] == reasons
    assert data["head_must_appear"] is bool(reasons)


@pytest.mark.parametrize(("changes", "reasons"), [(ITEM_1, [1]), ({}, [])])
def test_second_instance_decision_replaces_the_first(
    runtime: Runtime, specs: dict[str, str], changes: dict[str, Any], reasons: list[int]
) -> None:
    earlier = {"appearance_reasons": [3, 5], "head_must_appear": True}
    data = decide(runtime, specs["court_appearance"], "court_appearance", {**HEARING, **earlier, **changes})

    assert data["appearance_reasons"] == reasons
    assert data["head_must_appear"] is bool(reasons)


def article_13(case: dict[str, Any]) -> list[int]:
    """Art. 13 written out independently of the table."""
    if case["defendant"] != GOV:
        return []
    second = case["instance_level"] == "second"
    item_1 = second and case["lost_first_instance"]
    item_2 = second and not case["head_appeared_first_instance"] and case["head_wants_to_appear"]
    items = [item_1, item_2, *(case[flag] for flag in FLAGS)]
    return [n for n, applies in enumerate(items, start=1) if applies]


def test_article_13_table_agrees_with_the_article_on_every_combination(runtime: Runtime, specs: dict[str, str]) -> None:
    for values in product([GOV, UNIT], ["first", "second", "retrial"], *[[False, True]] * 9):
        case = dict(zip(HEARING, values, strict=True))
        data = decide(runtime, specs["court_appearance"], "court_appearance", case)
        assert data["appearance_reasons"] == article_13(case), case


# The files themselves


@pytest.mark.parametrize("decision", DECISIONS)
def test_every_rule_names_its_article_and_every_column_is_labelled_in_both_languages(decision: str) -> None:
    root = etree.parse(str(PROCESSES / f"{decision}.dmn")).getroot()
    ns = {"dmn": DMN}

    assert root.xpath("dmn:decision/@id", namespaces=ns) == [decision]
    assert root.xpath("dmn:decision/dmn:description/text()", namespaces=ns)
    for rule in root.iterfind(".//dmn:rule", ns):
        assert re.match(r"Art\. \d+", rule.findtext("dmn:description", "", ns)), rule.get("id")
    for column in root.xpath(".//dmn:input | .//dmn:output", namespaces=ns):
        label = column.get("label", "")
        assert re.search(r"[\u4e00-\u9fff]", label), column.get("id")
        assert re.search(r"[A-Za-z]", label), column.get("id")


def test_processes_directory_still_deploys_with_the_decisions() -> None:
    files = deployment.read_directory(PROCESSES)
    diagrams = [SourceFile(PurePosixPath(p).name, c) for p, c in files.items() if p.startswith("processes/")]

    assert {f"{decision}.dmn" for decision in DECISIONS} <= {d.name for d in diagrams}
    assert "judicial_suggestion" in Runtime().compile(diagrams).processes
    with_harnesses = diagrams + [source for d in DECISIONS for source in harness(d)[:1]]
    assert {f"{d}_harness" for d in DECISIONS} <= set(Runtime().compile(with_harnesses).processes)
