"""Point SpiffWorkflow's timers at the engine clock and at China's local time."""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions import timer

from .clock import LOCAL_TZ, ClockedDatetime

__all__ = ["install_clock"]


def install_clock() -> None:
    """Make timer evaluation read `clock.now()` and treat naive times as Asia/Shanghai (idempotent)."""
    timer.datetime = ClockedDatetime
    timer.LOCALTZ = LOCAL_TZ
