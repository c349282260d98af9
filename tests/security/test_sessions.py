"""Tokens and sessions end when they should: an expired or revoked token gets 401 with a JSON error that says
so, a client can revoke its own token, signing out ends the page session (a copy of the old cookie no longer
works), and the session cookie is HttpOnly, SameSite=Lax and, when configured, Secure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from tests.conftest import PASSWORDS, Api
from tests.web.test_pages import Web, host_of
from workflow_host import create_app
from workflow_host.engine import FixedClock, now, use_clock


def test_an_expired_token_gets_401_with_a_clear_json_error(app: Flask) -> None:
    api = Api(app.test_client(), "clerk", PASSWORDS["clerk"])
    assert api.get("/tasks").status_code == 200
    hours = host_of(app).settings.token_hours
    with use_clock(FixedClock(now() + timedelta(hours=hours, seconds=1))):
        expired = api.get("/tasks")
    assert expired.status_code == 401
    assert expired.get_json()["error"] == "token_expired"
    assert "expired" in expired.get_json()["message"]
    assert "Traceback" not in expired.get_data(as_text=True)


def test_a_client_revokes_its_own_token_and_only_that_one(app: Flask) -> None:
    client = app.test_client()
    first, second = Api(client, "clerk", PASSWORDS["clerk"]), Api(client, "clerk", PASSWORDS["clerk"])
    revoked = first.post("/auth/revoke")
    assert revoked.status_code == 200
    assert revoked.get_json() == {"revoked": True}
    refused = first.get("/tasks")
    assert refused.status_code == 401
    assert refused.get_json()["error"] == "token_expired"
    assert "revoked" in refused.get_json()["message"]
    assert first.post("/auth/revoke").status_code == 401  # not twice
    assert second.get("/tasks").status_code == 200  # the clerk's other token still works


def test_a_made_up_token_is_unauthorized_not_expired(app: Flask) -> None:
    response = app.test_client().get("/api/v1/tasks", headers={"Authorization": "Bearer made-up"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_signing_out_ends_the_session_even_for_a_copy_of_the_cookie(app: Flask) -> None:
    web = Web(app, "clerk")
    cookie = web.client.get_cookie("session")
    assert cookie is not None
    stolen = app.test_client()
    stolen.set_cookie("session", cookie.value)
    assert stolen.get("/inbox").status_code == 200

    web.get("/logout")
    signed_out = web.post("/logout")
    assert signed_out.status_code == 302
    remaining = web.client.get_cookie("session")
    assert remaining is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert "token" not in serializer.loads(remaining.value)  # the cookie now holds only the "signed out" notice
    assert web.client.get("/inbox").status_code == 302  # back to /login
    after = stolen.get("/inbox")
    assert after.status_code == 302
    assert "/login" in after.headers["Location"]


def test_a_page_session_ends_when_its_time_is_up(app: Flask) -> None:
    web = Web(app, "clerk")
    hours = host_of(app).settings.token_hours
    with use_clock(FixedClock(now() + timedelta(hours=hours, seconds=1))):
        assert web.client.get("/inbox").status_code == 302


@pytest.mark.parametrize(("configured", "secure"), [("", False), ("1", True)])
def test_the_session_cookie_flags(app: Flask, monkeypatch: pytest.MonkeyPatch, configured: str, secure: bool) -> None:
    monkeypatch.setenv("SECURE_COOKIES", configured)
    served = create_app({"TESTING": True, "HOST": host_of(app)})
    client = served.test_client()
    page = client.get("/login")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/login", data={"csrf_token": token, "username": "clerk", "password": PASSWORDS["clerk"]})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure
