"""The case page's diagram at a laptop's size (1366×768): it spans the content's width, is drawn at a size people
read, and shows the open step highlighted; "Whole diagram" shows all of it in the box."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.browser.conftest import LiveServer, screenshot, sign_in
from tests.browser.test_history import register_case
from tests.conftest import PASSWORDS
from workflow_host.engine import FixedClock
from workflow_host.host import Host

READABLE = 0.65  # a scale at which the diagram's 12px labels are still about 8px on the screen


def scale_of(page: Any) -> float:
    """The scale bpmn-js draws the diagram at."""
    return float(page.evaluate("() => document.querySelector('#diagram svg .viewport').getCTM().a"))


def box(page: Any, selector: str) -> dict[str, float]:
    found: dict[str, float] = page.eval_on_selector(
        selector, "el => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }"
    )
    return found


def drawn(page: Any) -> dict[str, float]:
    """The box around everything the diagram draws (its shapes, flows and labels, not their wider hit areas)."""
    found: dict[str, float] = page.evaluate(
        """() => {
          const boxes = [...document.querySelectorAll('#diagram .djs-element > .djs-visual')]
            .map((el) => el.getBoundingClientRect()).filter((r) => r.width || r.height);
          const x = Math.min(...boxes.map((r) => r.left)), y = Math.min(...boxes.map((r) => r.top));
          const right = Math.max(...boxes.map((r) => r.right)), bottom = Math.max(...boxes.map((r) => r.bottom));
          return {x: x, y: y, w: right - x, h: bottom - y};
        }"""
    )
    return found


def inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + 1
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + 1
    )


def test_the_case_diagram_fills_the_width_is_readable_and_shows_the_open_step(
    new_page: Callable[[], Any], live: LiveServer, measures: Host, clock: FixedClock
) -> None:
    case_id = register_case(measures, clock)  # the litigation case, its defence open: a long, wide diagram
    clerk = new_page()
    clerk.set_viewport_size({"width": 1366, "height": 768})
    sign_in(clerk, "clerk", PASSWORDS["clerk"])
    clerk.goto(f"/cases/{case_id}")
    clerk.wait_for_selector("#diagram[data-state='ready']")
    clerk.locator(".diagram-card").scroll_into_view_if_needed()

    diagram, card = box(clerk, "#diagram"), box(clerk, ".diagram-card h2")
    assert abs(diagram["w"] - card["w"]) <= 2  # the content's width, not a fixed box
    assert 320 <= diagram["h"] <= 768 * 0.8 + 1
    assert scale_of(clerk) >= READABLE
    open_step = "#diagram g.djs-element.state-active"
    assert clerk.locator(open_step).count() == 1
    assert inside(box(clerk, open_step), diagram)
    assert clerk.get_attribute("[data-zoom=current]", "aria-pressed") == "true"
    assert clerk.inner_text("[data-zoom=whole]") == "整个流程图"
    screenshot(clerk, "case-diagram-current-step")

    clerk.click("[data-zoom=whole]")
    clerk.wait_for_selector("#diagram[data-zoom='whole']")
    diagram = box(clerk, "#diagram")
    assert scale_of(clerk) < READABLE  # too long to read whole at this width: the button shows it anyway
    assert inside(drawn(clerk), diagram)
    assert inside(box(clerk, open_step), diagram)
    screenshot(clerk, "case-diagram-whole")

    clerk.click("[data-zoom=current]")
    clerk.wait_for_selector("#diagram[data-zoom='current']")
    assert scale_of(clerk) >= READABLE


def test_a_diagram_that_fits_is_shown_whole(
    new_page: Callable[[], Any], live: LiveServer, measures: Host, clock: FixedClock
) -> None:
    case_id = register_case(measures, clock)
    clerk = new_page()
    clerk.set_viewport_size({"width": 1366, "height": 768})
    sign_in(clerk, "clerk", PASSWORDS["clerk"])
    clerk.goto(f"/cases/{case_id}")
    clerk.wait_for_selector("#diagram[data-state='ready']")
    clerk.click(".diagram-tabs .tab[data-process='defence']")
    clerk.wait_for_function("() => document.querySelector('#diagram g[data-element-id]') !== null")
    clerk.wait_for_selector("#diagram[data-state='ready']")
    diagram = box(clerk, "#diagram")
    assert inside(drawn(clerk), diagram)  # all of it, with nothing to pan
    assert scale_of(clerk) >= READABLE
    assert inside(box(clerk, "#diagram g.djs-element.state-active"), diagram)
    screenshot(clerk, "case-diagram-defence")
