"""An auditor verifies a case's history from its history page: the chain and the replay agree, or the page says
at which event they do not (here after a row was changed behind the application's back)."""

from __future__ import annotations

import re

from flask import Flask

from tests.services.test_replay import _rewrite
from tests.web.test_pages import Web, host_of, start_case


def verify(web: Web, case_id: int) -> str:
    web.get(f"/cases/{case_id}/history")
    answer = web.post(f"/cases/{case_id}/verify")
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/cases/{case_id}/history"
    page = web.get(answer.headers["Location"]).get_data(as_text=True)
    return " ".join(re.findall(r'class="flash flash-\w+" role="\w+">([^<]+)<', page))


def test_an_auditor_verifies_a_history_and_sees_where_it_was_altered(app: Flask) -> None:
    case_id, _task = start_case(Web(app, "clerk"))
    auditor = Web(app, "auditor")
    assert "核验本案办理记录" in auditor.get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert verify(auditor, case_id).startswith("核验通过：")

    _rewrite(
        host_of(app),
        "UPDATE audit_event SET payload_json = replace(payload_json, 'six_steps', 'forged') "
        "WHERE instance_id = :case AND seq = 1",
        case=case_id,
    )
    assert verify(auditor, case_id).startswith("核验未通过：第1号事件")
    outsider = Web(app, "town_officer")  # may not see the case: nothing is verified for them
    outsider.get("/inbox")
    assert outsider.post(f"/cases/{case_id}/verify").status_code == 403
