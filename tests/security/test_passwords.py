"""Passwords are stored as argon2id hashes; a directory's older werkzeug hashes still sign in and are replaced by
argon2id at that first successful sign-in, on the pages and the API alike."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.security import generate_password_hash

from tests.web.test_pages import Web, host_of
from workflow_host.host import Host
from workflow_host.models import User
from workflow_host.services.directory import authenticate, load_directory
from workflow_host.services.errors import Invalid


def stored_hash(host: Host, username: str) -> str:
    with host.database.transaction() as session:
        user = session.get(User, username)
        assert user is not None
        return user.password_hash


def add_user(host: Host, username: str, password_hash: str) -> None:
    line = f"  - {{username: {username}, password_hash: '{password_hash}', unit: land_bureau, roles: [handling_unit]}}"
    with host.database.transaction() as session:
        load_directory(session, f"users:\n{line}\n")


def test_a_password_from_the_directory_file_is_stored_as_argon2id(host: Host) -> None:
    stored = stored_hash(host, "clerk")
    assert stored.startswith("$argon2id$")
    assert "pw-clerk" not in stored


@pytest.mark.parametrize("method", ["pbkdf2:sha256:600000", "scrypt"])
def test_an_old_werkzeug_hash_signs_in_once_and_is_then_argon2id(app: Flask, method: str) -> None:
    host = host_of(app)
    old = generate_password_hash("old-secret", method=method)
    add_user(host, "veteran", old)
    wrong = app.test_client().post("/api/v1/auth/token", json={"username": "veteran", "password": "guess"})
    assert wrong.status_code == 401
    assert stored_hash(host, "veteran") == old  # a failed sign-in changes nothing

    web = Web(app)
    web.get("/login")
    assert web.post("/login", {"username": "veteran", "password": "old-secret"}).status_code == 302
    rehashed = stored_hash(host, "veteran")
    assert rehashed.startswith("$argon2id$")

    again = app.test_client().post("/api/v1/auth/token", json={"username": "veteran", "password": "old-secret"})
    assert again.status_code == 200
    assert stored_hash(host, "veteran") == rehashed  # already current: not hashed again


def test_an_argon2_hash_with_weaker_parameters_is_upgraded_at_sign_in(host: Host) -> None:
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("s3cret")
    add_user(host, "weak", weak)
    with host.database.transaction() as session:
        assert authenticate(session, "weak", "s3cret") is not None
    upgraded = stored_hash(host, "weak")
    assert upgraded != weak
    assert "m=19456,t=2,p=1" in upgraded
    with host.database.transaction() as session:
        assert authenticate(session, "weak", "s3cret") is not None


def test_a_directory_file_with_an_unknown_kind_of_hash_is_refused(host: Host) -> None:
    with pytest.raises(Invalid, match="argon2, pbkdf2 or scrypt"):
        add_user(host, "plain", "5f4dcc3b5aa765d61d8327deb882cf99")
