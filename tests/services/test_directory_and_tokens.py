"""The directory file loads idempotently with clear errors; tokens expire and can be revoked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from workflow_host.cli import main
from workflow_host.engine import FixedClock, now, use_clock
from workflow_host.host import Host
from workflow_host.models import ApiToken, User
from workflow_host.services import auth
from workflow_host.services.directory import authenticate, load_directory
from workflow_host.services.errors import Invalid, Unauthorized


def test_reloading_updates_users_and_roles(host: Host) -> None:
    yaml_text = "users:\n  - {username: clerk, name: 新名字, unit: gov_office, roles: [gov_office, auditor]}\n"
    with host.database.transaction() as session:
        assert load_directory(session, yaml_text) == {"units": 0, "users": 1}
    with host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        assert clerk.name == "新名字"
        assert clerk.role_names == {"gov_office", "auditor"}
        assert authenticate(session, "clerk", "pw-clerk") is not None  # the password was kept
        assert authenticate(session, "clerk", "wrong") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("users:\n  - {username: x, password: p, unit: nowhere}\n", "unit 'nowhere' is not in the directory"),
        ("units:\n  - {id: u1, name: 单位, kind: planet}\n", "kind 'planet'"),
        ("users:\n  - {username: newbie}\n", "'password' or 'password_hash' is required"),
        ("units: [", "not valid YAML"),
    ],
)
def test_bad_directory_files_are_refused_with_the_reason(host: Host, text: str, message: str) -> None:
    with pytest.raises(Invalid, match=message), host.database.transaction() as session:
        load_directory(session, text)


def test_a_users_post_is_loaded_changed_and_cleared_with_the_file(host: Host) -> None:
    posted = "users:\n  - {username: land_head, name: 王某某, position: ' 局长 ', unit: land_bureau}\n"
    with host.database.transaction() as session:
        load_directory(session, posted)
    with host.database.transaction() as session:
        head = session.get(User, "land_head")
        assert head is not None
        assert (head.name, head.position) == ("王某某", "局长")
        assert session.get(User, "clerk").position is None  # type: ignore[union-attr]  # an old entry: no post
        load_directory(session, "users:\n  - {username: land_head, name: 王某某, unit: land_bureau}\n")
    with host.database.transaction() as session:
        assert session.get(User, "land_head").position is None  # type: ignore[union-attr]  # the file says none


@pytest.mark.parametrize(
    ("position", "message"),
    [
        ("局" * 41, r"users\[1\] \(wang, line 4\): 'position' is 41 characters long; at most 40 are allowed"),
        ("[局长, 科员]", r"users\[1\] \(wang, line 4\): 'position' must be text \(a post such as 局长\), not list"),
        ("12", r"users\[1\] \(wang, line 4\): 'position' must be text \(a post such as 局长\), not int"),
    ],
)
def test_a_post_that_is_too_long_or_not_text_is_refused_naming_the_user_and_line(
    host: Host, position: str, message: str
) -> None:
    text = (
        "users:\n"
        "  - {username: clerk, name: 科员甲, position: 科员}\n"
        "  # the head of the land bureau\n"
        f"  - {{username: wang, name: 王某某, password: p, position: {position}}}\n"
    )
    with pytest.raises(Invalid, match=message), host.database.transaction() as session:
        load_directory(session, text)
    with host.database.transaction() as session:  # nothing of the file was kept
        assert session.get(User, "wang") is None
        assert session.get(User, "clerk").position is None  # type: ignore[union-attr]


def test_the_demo_directory_names_people_and_gives_their_posts(host: Host) -> None:
    demo = (Path(__file__).resolve().parents[2] / "demo" / "directory.yaml").read_text(encoding="utf-8")
    with host.database.transaction() as session:
        load_directory(session, demo)
    usernames = [entry["username"] for entry in yaml.safe_load(demo)["users"]]
    with host.database.transaction() as session:
        head = session.get(User, "district_head")
        assert head is not None
        assert (head.name, head.position) == ("王某某", "区长")
        people = list(session.scalars(select(User).where(User.username.in_(usernames))))
        assert all(u.position for u in people)
        assert {u.name for u in people} & {u.position for u in people} == set()  # no one is named by a post


def test_tokens_expire_and_can_be_revoked(host: Host) -> None:
    with host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        token = auth.issue_token(session, clerk, hours=12)
        other = auth.issue_token(session, clerk, hours=12)
    with host.database.transaction() as session:
        assert auth.user_for_token(session, token).username == "clerk"
        auth.revoke_token(session, other)
    later = FixedClock(now() + timedelta(hours=12, seconds=1))
    with host.database.transaction() as session:
        with pytest.raises(Unauthorized):
            auth.user_for_token(session, other)
        with use_clock(later), pytest.raises(Unauthorized):
            auth.user_for_token(session, token)


def test_a_sign_in_clears_the_users_tokens_that_ended_long_ago(host: Host) -> None:
    with host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        old = [auth.issue_token(session, clerk, hours=12) for _ in range(3)]
    week_later = FixedClock(now() + auth.KEEP_ENDED + timedelta(hours=13))
    with use_clock(week_later), host.database.transaction() as session:
        clerk = session.get(User, "clerk")
        assert clerk is not None
        fresh = auth.issue_token(session, clerk, hours=12)
    with use_clock(week_later), host.database.transaction() as session:
        assert auth.user_for_token(session, fresh).username == "clerk"
        for token in old:  # gone, not merely expired
            with pytest.raises(Unauthorized, match="not valid"):
                auth.user_for_token(session, token)
        assert session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_a_directory_file_that_cannot_be_read_is_a_one_line_error_and_changes_nothing(
    host: Host, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", host.database.url)
    with host.database.transaction() as session:
        users = session.scalar(select(func.count()).select_from(User))
    latin = tmp_path / "gbk.yaml"
    latin.write_bytes("users: []\nunits: [{id: x, name: 石拐}]\n".encode("gbk"))
    for name, said in [(str(tmp_path / "missing.yaml"), "No such file or directory"), (str(latin), "not UTF-8")]:
        assert main(["directory", "load", name]) == 1
        printed = capsys.readouterr()
        assert printed.err.startswith("error: ")
        assert said in printed.err
        assert "Traceback" not in printed.err
    with host.database.transaction() as session:
        assert session.scalar(select(func.count()).select_from(User)) == users
