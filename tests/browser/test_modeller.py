"""Issue #7's modeller in a real browser: an analyst renames a user task and changes its form through the
properties panel and saves a new version; an unsafe script is refused with its element marked; a clerk has no
Save button and the server refuses the clerk's save."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.browser.conftest import screenshot, sign_in
from tests.conftest import PASSWORDS

PAGE = "/modeller/litigation_case"
NEW_NAME = "登记人民法院裁判结果"


def open_modeller(page: Any) -> dict[str, Any]:
    page.goto(PAGE)
    page.wait_for_selector("#canvas[data-state='ready']")
    config: dict[str, Any] = json.loads(page.locator("#modeller-config").text_content() or "{}")
    return config


def select_element(page: Any, element_id: str) -> None:
    """Click the element on the canvas; the properties panel then shows it."""
    page.click(f"#canvas g.djs-element[data-element-id='{element_id}'] .djs-hit")
    wait_for_panel(page, element_id)


def wait_for_panel(page: Any, element_id: str) -> None:
    page.wait_for_function(
        "id => (document.querySelector('#bio-properties-panel-id') || {}).value === id", arg=element_id
    )


def shown_version(page: Any) -> int:
    return int(page.get_attribute("#version-id", "data-version-id") or 0)


def test_an_analyst_edits_a_user_task_and_saves_a_new_version(new_page: Callable[[], Any]) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    config = open_modeller(analyst)
    first = shown_version(analyst)
    assert analyst.locator("#save").count() == 1
    screenshot(analyst, "modeller-loaded")

    select_element(analyst, "record_judgment")
    form = analyst.locator("#bio-properties-panel-spiff-form-schema")
    analyst.wait_for_function(
        "v => (document.querySelector('#bio-properties-panel-spiff-form-schema') || {}).value === v",
        arg="judgment_record.schema.json",
    )
    assert "case_retrial_admission.schema.json" in form.locator("option").all_inner_texts()
    analyst.fill("#bio-properties-panel-name", NEW_NAME)
    form.select_option("case_retrial_admission.schema.json")
    # choosing a form brings its layout file along
    analyst.wait_for_function(  # the panel re-renders after the command; wait for it rather than race it
        "v => (document.querySelector('#bio-properties-panel-spiff-form-ui') || {}).value === v",
        arg="case_retrial_admission.uischema.json",
    )
    screenshot(analyst, "modeller-edited")

    analyst.click("#save")
    analyst.wait_for_selector("#modeller-status[data-tone='ok']")
    saved = shown_version(analyst)
    assert saved > first
    assert str(saved) in analyst.inner_text("#modeller-status")
    source = analyst.request.get(config["urls"]["source"]).text()
    assert NEW_NAME in source
    assert 'value="case_retrial_admission.schema.json"' in source
    assert 'value="case_retrial_admission.uischema.json"' in source
    screenshot(analyst, "modeller-saved")


def test_an_unsafe_script_is_refused_and_its_element_marked(new_page: Callable[[], Any]) -> None:
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    open_modeller(analyst)
    first = shown_version(analyst)

    select_element(analyst, "init_case")
    script = analyst.locator("#bio-properties-panel-spiff-script-text")
    script.fill("import os\n" + script.input_value())
    analyst.click("#save")
    analyst.wait_for_selector("#modeller-status[data-tone='error']")
    assert shown_version(analyst) == first
    analyst.wait_for_selector("#canvas g.djs-element[data-element-id='init_case'].validation-error")
    assert analyst.locator("#canvas g.djs-element[data-element-id='init_case'].validation-error").count() == 1
    listed = analyst.locator("#errors li")
    assert listed.count() >= 1
    link = analyst.locator("#errors button[data-element-id='init_case']")
    assert link.count() == 1
    select_element(analyst, "record_judgment")  # look elsewhere, then come back from the list
    link.click()
    wait_for_panel(analyst, "init_case")
    screenshot(analyst, "modeller-refused")


def test_a_clerk_sees_the_diagram_but_cannot_save(new_page: Callable[[], Any]) -> None:
    clerk = new_page()
    sign_in(clerk, "clerk", PASSWORDS["clerk"])
    config = open_modeller(clerk)
    assert clerk.locator("#save").count() == 0
    assert clerk.locator("#validate").count() == 1
    source = clerk.request.get(config["urls"]["source"]).body()
    refused = clerk.request.post(
        config["urls"]["save"],
        data=source,
        headers={"Content-Type": "application/xml", "X-CSRF-Token": config["csrf"]},
    )
    assert refused.status == 403
    assert refused.json()["error"] == "forbidden"


def test_a_multi_instance_diagram_comes_back_whole(new_page: Callable[[], Any]) -> None:
    """appearance's multi-instance collections are plain names; exported unchanged, the diagram validates."""
    clerk = new_page()
    sign_in(clerk, "clerk", PASSWORDS["clerk"])
    clerk.goto("/modeller/appearance")
    clerk.wait_for_selector("#canvas[data-state='ready']")
    select_element(clerk, "arrange_appearance")
    assert clerk.input_value("#bio-properties-panel-spiff-loop-input") == "units_to_arrange"
    assert clerk.input_value("#bio-properties-panel-spiff-loop-input-item") == "arranging_unit"
    clerk.click("#validate")
    clerk.wait_for_selector("#modeller-status[data-tone='ok']")
    assert clerk.locator("#validation").is_hidden()


def test_each_kind_of_entry_writes_its_value_into_the_diagram(new_page: Callable[[], Any]) -> None:
    """A property typed in (trimmed), instructions, a flow's condition and a multi-instance's collection and
    item variable, each changed through the panel, come back in the saved XML."""
    analyst = new_page()
    sign_in(analyst, "analyst", PASSWORDS["analyst"])
    analyst.goto("/modeller/appearance")
    analyst.wait_for_selector("#canvas[data-state='ready']")
    source_url = json.loads(analyst.locator("#modeller-config").text_content() or "{}")["urls"]["source"]

    select_element(analyst, "assess_art13")
    analyst.fill("#bio-properties-panel-spiff-due-date", "  hearing_at  ")
    analyst.click("[data-group-id='group-spiff-instructions'] .bio-properties-panel-group-header")
    analyst.fill("#bio-properties-panel-spiff-instructions-text", "请逐项研判第十三条情形。")
    analyst.click("#canvas g.djs-element[data-element-id='flow_rearrange_label'] .djs-hit")  # the label covers the flow
    wait_for_panel(analyst, "flow_rearrange")
    analyst.fill("#bio-properties-panel-spiff-condition-expression", "len(units_to_arrange) > 1")
    select_element(analyst, "arrange_appearance")
    analyst.fill("#bio-properties-panel-spiff-loop-input", " units_to_arrange_now ")
    analyst.fill("#bio-properties-panel-spiff-loop-input-item", "unit_now")
    analyst.click("#save")
    analyst.wait_for_selector("#modeller-status[data-tone='ok']")

    source = analyst.request.get(source_url).text()
    assert '<spiffworkflow:property name="dueDateVariable" value="hearing_at" />' in source
    assert "请逐项研判第十三条情形。</spiffworkflow:instructionsForEndUser>" in source
    assert "len(units_to_arrange) &gt; 1</bpmn:conditionExpression>" in source
    assert "<bpmn:loopDataInputRef>units_to_arrange_now</bpmn:loopDataInputRef>" in source
    assert '<bpmn:inputDataItem id="unit_now" name="unit_now" />' in source
