"""A step done again after a send-back starts from what was submitted last time, and the page says so: the
justice bureau's formal review sends a unit's defence materials back for one missing item, and the unit finds
its statement, basis and evidence in the form instead of retyping them."""

from __future__ import annotations

import html as html_lib
import re

from flask import Flask

from tests.processes.support import at, complete_task, signer, tasks
from tests.services.test_documents import MATERIALS
from tests.web.test_documents import defence  # noqa: F401  (the fixture: a defence waiting at prepare_defence)
from tests.web.test_pages import Web, host_of
from workflow_host.engine import FixedClock, use_clock

SEND_BACK = {
    "materials_complete": False,
    "missing_items": ["evidence"],
    "supplement_reasons": "缺少现场检查笔录原件的复印件，请补充后重新提交。",
}


def test_materials_sent_back_come_back_filled_in(defence: tuple[Flask, int, str]) -> None:  # noqa: F811
    app, _case_id, task_id = defence
    host = host_of(app)
    officer = Web(app, "land_officer")
    first = officer.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "本环节为再次办理" not in first  # the first time, the draft is what the form holds
    with use_clock(FixedClock(at("2026-09-22T10:30"))):
        land = signer(host)("land_officer")
        [task] = tasks(land, "prepare_defence")
        complete_task(land, task, MATERIALS)
        jb = signer(host)("jb_staff")
        [review] = tasks(jb, "formal_review")
        complete_task(jb, review, SEND_BACK)
        [again] = tasks(land, "prepare_defence")

    page = html_lib.unescape(officer.get(f"/tasks/{again['id']}").get_data(as_text=True))
    assert "本环节为再次办理：表单已按自然资源局法制员于2026-09-22 10:30提交的内容预填" in page
    assert MATERIALS["statement_of_defence"] in page
    assert MATERIALS["evidence"][0]["name"] in page  # rows of a list come back too
    # and the reasons it was sent back for are on the page, with who gave them and when
    earlier = page[page.index("本案已办理环节") :]
    newest = re.sub(r"<[^>]+>", "", earlier[earlier.index("<summary>") : earlier.index("</summary>")])
    assert " ".join(newest.split()) == "形式审核答辩材料及手续 · 司法局干部 · 2026-09-22 10:30"
    assert SEND_BACK["supplement_reasons"] in earlier
    colleague = Web(app, "land_head")  # a colleague who may do the step sees the same starting point
    assert MATERIALS["statement_of_defence"] in html_lib.unescape(
        colleague.get(f"/tasks/{again['id']}").get_data(as_text=True)
    )
