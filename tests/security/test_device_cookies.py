"""A guesser spread over many addresses cannot lock the real user out of their own browser: a browser that signed in
as a user on the page keeps a device cookie, and its sign-ins for that user are counted only for that device (five
failures lock the device). Forged, altered, copied-then-replaced or other users' cookies count for nothing, and a
new password ends the trust."""

from __future__ import annotations

import secrets

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import FIXTURES, PASSWORDS
from tests.web.test_pages import Web, host_of
from workflow_host import create_app
from workflow_host.services.directory import MAX_DEVICE_FAILURES, MAX_FAILURES, MAX_FAILURES_ANYWHERE, load_directory

OFFICE = {"environ_base": {"REMOTE_ADDR": "198.51.100.20"}}


def browser(app: Flask, *usernames: str) -> Web:
    """A browser in which each of `usernames` signed in at the office once, then signed out."""
    web = Web(app)
    for username in usernames:
        web.get("/login")
        assert web.post("/login", {"username": username, "password": PASSWORDS[username]}, **OFFICE).status_code == 302
        web.get("/logout")
        assert web.post("/logout").status_code == 302
    return web


def sign_in(web: Web, username: str = "clerk", password: str | None = None) -> int:
    web.get("/login")
    data = {"username": username, "password": password or PASSWORDS[username]}
    return int(web.post("/login", data, **OFFICE).status_code)


def lock_everywhere(client: FlaskClient, username: str = "clerk") -> None:
    """Fifty failed sign-ins for `username` through the API from ten addresses: every address is refused for it."""
    for n in range(MAX_FAILURES_ANYWHERE):
        address = {"REMOTE_ADDR": f"192.0.2.{n // MAX_FAILURES + 1}"}
        body = {"username": username, "password": "guess"}
        assert client.post("/api/v1/auth/token", json=body, environ_base=address).status_code == 401
    elsewhere = {"REMOTE_ADDR": "203.0.113.99"}  # an address that never failed
    assert client.post("/api/v1/auth/token", json=body, environ_base=elsewhere).status_code == 429


def device_cookie(web: Web) -> str:
    cookie = web.client.get_cookie("device", path="/login")
    assert cookie is not None
    return cookie.value


def test_the_users_own_browser_still_signs_in_when_every_address_is_locked(app: Flask) -> None:
    clerks = browser(app, "clerk")
    lock_everywhere(app.test_client())
    page = Web(app)
    page.get("/login")
    refused = page.post("/login", {"username": "clerk", "password": PASSWORDS["clerk"]}, **OFFICE)
    assert refused.status_code == 429  # a browser that never signed in as the clerk: as before
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    assert sign_in(clerks) == 302  # the clerk's own browser
    assert "办公室科员" in clerks.get("/inbox").get_data(as_text=True)


def device_header(app: Flask, password: str, **kwargs: str) -> str | None:
    """The Set-Cookie header of the device cookie a sign-in as the clerk answers with, if any."""
    web = Web(app)
    web.get("/login", **kwargs)
    response = web.post("/login", {"username": "clerk", "password": password}, **kwargs)
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith("device=")), None)


def test_the_device_cookie_is_long_lived_and_out_of_reach_of_scripts(app: Flask) -> None:
    header = device_header(app, PASSWORDS["clerk"])
    assert header is not None
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/login", f"Max-Age={180 * 24 * 3600}"):
        assert attribute in header
    assert "Secure" not in header
    assert device_header(app, "guess") is None  # no trust for a guess
    behind_https = create_app({"TESTING": True, "HOST": host_of(app), "SESSION_COOKIE_SECURE": True})
    secure = device_header(behind_https, PASSWORDS["clerk"], base_url="https://localhost")
    assert secure is not None
    assert "Secure" in secure


def test_a_forged_altered_replaced_or_other_users_cookie_does_not_help(app: Flask) -> None:
    clerks, colleagues = browser(app, "clerk"), browser(app, "jb_staff")
    copied = device_cookie(clerks)
    assert sign_in(clerks) == 302  # signing in again replaces the browser's device id
    assert device_cookie(clerks) != copied
    lock_everywhere(app.test_client())
    altered = copied[:-1] + ("A" if copied[-1] != "A" else "B")
    for value in (secrets.token_urlsafe(32), altered, copied, f"{device_cookie(colleagues)}"):
        web = Web(app)
        web.client.set_cookie("device", value, path="/login")
        assert sign_in(web) == 429, value
    assert sign_in(colleagues) == 429  # jb_staff's browser is not the clerk's
    assert sign_in(colleagues, "jb_staff") == 302
    assert sign_in(clerks) == 302


def test_people_sharing_a_browser_each_keep_their_trust(app: Flask) -> None:
    shared = browser(app, "clerk", "jb_staff")
    client = app.test_client()
    lock_everywhere(client, "clerk")
    lock_everywhere(client, "jb_staff")
    assert sign_in(shared, "clerk") == 302
    assert sign_in(shared, "jb_staff") == 302
    assert sign_in(Web(app), "jb_staff") == 429


def test_five_wrong_passwords_from_a_trusted_browser_lock_that_browser(app: Flask) -> None:
    laptop = browser(app, "clerk")
    for _ in range(MAX_DEVICE_FAILURES):
        assert sign_in(laptop, password="guess") == 401
    assert sign_in(laptop) == 429  # a stolen laptop cannot guess on
    web = Web(app)
    web.get("/login")
    page = web.post("/login", {"username": "clerk", "password": "guess"}, **OFFICE)
    assert page.status_code == 401  # the laptop's failures are its own: the office's address is not refused
    assert sign_in(web) == 302


def test_a_new_password_ends_the_trust_of_the_browsers_signed_in_before(app: Flask) -> None:
    clerks = browser(app, "clerk")
    directory = (FIXTURES / "directory.yaml").read_text(encoding="utf-8")
    with host_of(app).database.transaction() as session:
        load_directory(session, directory)  # the same password again: the browser is still trusted
    lock_everywhere(app.test_client())
    assert sign_in(clerks) == 302
    with host_of(app).database.transaction() as session:
        load_directory(session, directory.replace("password: pw-clerk,", "password: pw-clerk-2026,"))
    assert sign_in(clerks, password="pw-clerk-2026") == 429
