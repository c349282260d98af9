"""Compiling diagrams: the catalogue of user tasks, and every refused script, condition or call reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workflow_host.engine import CompiledBundle, DiagramError, DiagramErrors, Runtime, SourceFile, task_key

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SIX_STEPS = FIXTURES / "processes" / "six_steps.bpmn"
ENGINE = FIXTURES / "engine"


def source(path: Path) -> SourceFile:
    return SourceFile(path.name, path.read_bytes())


def refused(*paths: Path) -> list[DiagramError]:
    with pytest.raises(DiagramErrors) as caught:
        Runtime().compile([source(path) for path in paths])
    assert caught.value.errors
    return caught.value.errors


@pytest.fixture(scope="module")
def six_steps() -> CompiledBundle:
    return Runtime().compile([source(SIX_STEPS)])


def test_six_steps_compiles_with_its_process(six_steps: CompiledBundle) -> None:
    info = six_steps.processes["six_steps"]

    assert set(six_steps.processes) == {"six_steps"}
    assert info.name == "六步测试流程"
    assert info.file == "six_steps.bpmn"
    assert info.calls == []
    assert "six_steps" in json.loads(six_steps.spec_json)


def test_six_steps_lists_its_six_user_tasks(six_steps: CompiledBundle) -> None:
    assert set(six_steps.user_tasks) == {
        task_key("six_steps", element) for element in ("intake", "check", "review", "prepare", "approve", "file")
    }
    assert six_steps.user_tasks["six_steps:approve"].title == "主任审批"


def test_user_tasks_carry_their_lanes(six_steps: CompiledBundle) -> None:
    lanes = {info.element_id: info.lane for info in six_steps.user_tasks.values()}

    assert lanes["intake"] == "gov_office"
    assert lanes["prepare"] == "handling_unit"
    assert lanes["approve"] == "office_director"
    assert lanes["review"] == "justice_bureau"


def test_user_tasks_carry_forms_instructions_and_candidates(six_steps: CompiledBundle) -> None:
    intake = six_steps.user_tasks["six_steps:intake"]
    prepare = six_steps.user_tasks["six_steps:prepare"]

    assert intake.form_schema == "intake.schema.json"
    assert intake.ui_schema == "intake.uischema.json"
    assert intake.instructions == "登记收到的应诉通知书。"
    assert prepare.candidate_units_variable == "handling_units"
    assert prepare.form_schema is None
    assert six_steps.forms_needed == {"intake.schema.json", "intake.uischema.json"}
    assert all((FIXTURES / "forms" / name).is_file() for name in six_steps.forms_needed)


def test_catalogue_is_json(six_steps: CompiledBundle) -> None:
    catalogue = json.loads(six_steps.catalog_json())

    assert catalogue["user_tasks"]["six_steps:intake"]["lane"] == "gov_office"
    assert catalogue["processes"]["six_steps"]["file"] == "six_steps.bpmn"


def test_script_with_import_is_refused_naming_file_element_and_line() -> None:
    [error] = refused(ENGINE / "script_import.bpmn")

    assert error.file == "script_import.bpmn"
    assert error.element_id == "sneaky_script"
    assert error.line == 2
    assert "import" in error.message
    assert "script_import.bpmn [sneaky_script] line 2" in str(error)


def test_script_reaching_for_dunder_attributes_is_refused() -> None:
    [error] = refused(ENGINE / "script_dunder.bpmn")

    assert error.file == "script_dunder.bpmn"
    assert error.element_id == "escape_script"
    assert error.line == 3
    assert "__subclasses__" in error.message


def test_refused_flow_condition_is_reported() -> None:
    [error] = refused(ENGINE / "bad_condition.bpmn")

    assert error.file == "bad_condition.bpmn"
    assert error.element_id in {"choose", "f_yes"}
    assert "condition" in error.message
    assert "__base__" in error.message


def test_call_to_a_missing_process_is_reported() -> None:
    [error] = refused(ENGINE / "missing_call.bpmn")

    assert error.file == "missing_call.bpmn"
    assert "no_such_process" in error.message
    assert error.element_id == "call_missing"
    assert error.line == 7


def test_schema_invalid_bpmn_is_reported_with_its_file() -> None:
    [error] = refused(ENGINE / "schema_invalid.bpmn")

    assert error.file == "schema_invalid.bpmn"
    assert error.line == 8
    assert "notABpmnElement" in error.message


def test_problems_in_several_files_are_reported_together() -> None:
    errors = refused(SIX_STEPS, ENGINE / "script_import.bpmn", ENGINE / "script_dunder.bpmn")

    assert {(error.file, error.element_id) for error in errors} == {
        ("script_import.bpmn", "sneaky_script"),
        ("script_dunder.bpmn", "escape_script"),
    }


@pytest.mark.parametrize("name", ["loop.bpmn", "timer.bpmn", "script_error.bpmn"])
def test_runtime_fixtures_compile(name: str) -> None:
    bundle = Runtime().compile([source(ENGINE / name)])

    assert name.removesuffix(".bpmn") in bundle.processes


PROCESSES = Path(__file__).resolve().parents[2] / "processes"


def _decision(replace: str, by: str) -> list[DiagramError]:
    text = (PROCESSES / "signoff_chain.dmn").read_text(encoding="utf-8")
    assert replace in text
    with pytest.raises(DiagramErrors) as refused_:
        Runtime().compile([SourceFile("signoff_chain.dmn", text.replace(replace, by, 1).encode())])
    return refused_.value.errors


def test_a_decision_no_diagram_calls_yet_is_still_checked() -> None:
    [error] = _decision('<text>"ordinary"</text>', "<text>().__class__</text>")
    assert (error.file, error.element_id) == ("signoff_chain.dmn", "signoff_chain")
    assert "__class__" in error.message


def test_a_word_test_without_question_mark_is_refused_before_it_breaks_at_run_time() -> None:
    [error] = _decision('<text>"ordinary"</text>', '<text>in ["ordinary"]</text>')
    assert "'? in" in error.message


def test_a_decision_spiffworkflow_cannot_read_is_refused_not_crashed_on() -> None:
    errors = _decision("<rule ", "<!-- a comment where SpiffWorkflow expects elements --><rule ")
    assert errors
    assert all(e.file == "signoff_chain.dmn" for e in errors)
