"""The pages name people with the post (职务) the directory gives them: who holds a task, whom a head may hand it
to, who started a case."""

from __future__ import annotations

from flask import Flask

from tests.web.test_pages import Web, host_of, walk_to_prepare
from workflow_host.services.directory import load_directory

POSTS = """users:
  - {username: land_officer, name: 自然资源局法制员, position: 科员, unit: land_bureau, roles: [handling_unit]}
  - {username: clerk, name: 办公室科员, position: 政府办科员, unit: gov_office, roles: [gov_office]}
"""


def test_the_pages_show_a_person_s_post_beside_their_name(app: Flask) -> None:
    with host_of(app).database.transaction() as session:
        load_directory(session, POSTS)
    case_id, task_id = walk_to_prepare(app)
    head = Web(app, "land_head")  # the head of the land bureau, whose post the directory does not give
    page = head.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert '<option value="land_officer">自然资源局法制员（科员）（land_officer）</option>' in page
    head.post(f"/tasks/{task_id}/assign", {"assignee": "land_officer"})
    assert "自然资源局法制员（科员） 已认领" in head.get(f"/tasks/{task_id}").get_data(as_text=True)
    case = head.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "办公室科员（政府办科员） 于" in case  # who started the case
    assert "自然资源局法制员（科员） 已认领" in case
    history = Web(app, "auditor").get(f"/cases/{case_id}/history").get_data(as_text=True)
    assert "办公室科员（政府办科员）" in history
