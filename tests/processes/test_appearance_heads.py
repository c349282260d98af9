"""Art. 13 heads confirming their appearance (processes/appearance.bpmn): the page knows who they are."""

from __future__ import annotations

import re

from tests.processes.support import SignIn, instance, tasks
from tests.processes.test_appearance import CASE, assess
from tests.web.test_pages import Web
from workflow_host import create_app
from workflow_host.host import Host
from workflow_host.services.directory import load_directory

DIAGRAMS = ("appearance.bpmn", "court_appearance.dmn")
NOW = "2026-11-01T09:00"


def page_of(host: Host, username: str, task_id: str) -> tuple[Web, str]:
    web = Web(create_app({"TESTING": True, "HOST": host}), username)
    return web, web.get(task_id if task_id.startswith("/") else f"/tasks/{task_id}").get_data(as_text=True)


def value_of(page: str, name: str) -> str | None:
    found = re.search(rf'<input type="text"[^>]*name="f\.{re.escape(name)}" value="([^"]*)"', page)
    return found.group(1) if found else None


def test_each_head_finds_their_name_and_post_filled_in_and_confirms_with_one_tick(host: Host, sign_in: SignIn) -> None:
    jb = sign_in("jb_staff")
    case_id = int(jb.post("/instances", json={"process_id": "appearance", "data": CASE}).get_json()["id"])
    assess(jb, major_public_interest=True)
    [head] = tasks(sign_in("li_vice"), "confirm_head_appearance")
    [legal] = tasks(sign_in("zhao"), "confirm_legal_head_appearance")

    vice, page = page_of(host, "li_vice", head["id"])
    assert (value_of(page, "government_head.name"), value_of(page, "government_head.position")) == (
        "李副区长",
        "副区长",
    )
    assert re.search(r'name="f\.government_head\.role" value="vice_head_in_charge" checked', page)
    answers = {
        "f.government_head.role": "vice_head_in_charge",
        "f.government_head.name": "李副区长",
        "f.government_head.position": "副区长",
        "f.head_appearance_confirmed": "true",
    }
    assert vice.post(f"/tasks/{head['id']}", {**answers, "action": "complete"}).status_code == 302

    _web, seen = page_of(host, "jb_staff", legal["id"])  # may look, may not confirm: not filled with their name
    assert 'value="司法局法制员"' not in seen
    _web, page = page_of(host, "zhao", legal["id"])
    assert (value_of(page, "legal_affairs_head.name"), value_of(page, "legal_affairs_head.position")) == (
        "赵局长",
        "区司法局局长",
    )
    assert instance(jb, case_id)["data"].get("appearance_plan") is None  # the legal-affairs head has not confirmed


def test_a_head_s_post_in_the_directory_is_the_one_filled_in(host: Host, sign_in: SignIn) -> None:
    roles = "roles: [justice_bureau, justice_bureau_head]"
    posted = f"users:\n  - {{username: zhao, name: 赵某某, position: 司法局局长, unit: justice_bureau, {roles}}}\n"
    with host.database.transaction() as session:
        load_directory(session, posted)
    jb = sign_in("jb_staff")
    jb.post("/instances", json={"process_id": "appearance", "data": CASE})
    assess(jb, major_public_interest=True)
    [legal] = tasks(sign_in("zhao"), "confirm_legal_head_appearance")
    _web, page = page_of(host, "zhao", legal["id"])
    # the post the directory gives, not the title of the role (区司法局局长)
    assert (value_of(page, "legal_affairs_head.name"), value_of(page, "legal_affairs_head.position")) == (
        "赵某某",
        "司法局局长",
    )


ITEM_TITLES = ["（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）"]


def titles_in(html: str) -> list[str]:
    """The Art. 13 item titles of a list of data (`<dt>（二）…</dt>`), in the order the page shows them."""
    return re.findall(r"<dt[^>]*>(（[二三四五六七八]）)", html)


def test_the_assessment_reads_in_the_article_s_order_on_the_case_and_the_next_step(host: Host, sign_in: SignIn) -> None:
    jb = sign_in("jb_staff")
    case_id = int(
        jb.post(
            "/instances", json={"process_id": "appearance", "data": {**CASE, "instance_level": "second"}}
        ).get_json()["id"]
    )
    assess(jb, head_wants_to_appear=False, large_compensation=True)
    _web, case_page = page_of(host, "jb_staff", f"/cases/{case_id}")
    assert titles_in(case_page) == ITEM_TITLES
    [head] = tasks(sign_in("li_vice"), "confirm_head_appearance")
    _web, task_page = page_of(host, "li_vice", head["id"])
    earlier = task_page.split("earlier-steps", 1)[1]
    assert titles_in(earlier) == ITEM_TITLES  # what the justice bureau answered, beside the head's form
