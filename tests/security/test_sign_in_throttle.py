"""Password guessing is slowed down per source: five failures for a username from one address refuse that address
for 15 minutes, so a guesser cannot lock the real user out everywhere; fifty from all addresses together refuse
every address. An IPv6 address counts by its /64 network. X-Forwarded-For is believed only from the proxies that
PROXY_HOPS says are in front."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORDS
from tests.web.test_pages import Web, host_of
from workflow_host import create_app
from workflow_host.services.directory import MAX_FAILURES, MAX_FAILURES_ANYWHERE


def sign_in(client: FlaskClient, password: str, address: str, **headers: str) -> Any:
    return client.post(
        "/api/v1/auth/token",
        json={"username": "clerk", "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def guess(client: FlaskClient, address: str, times: int = MAX_FAILURES, **headers: str) -> None:
    for _ in range(times):
        assert sign_in(client, "guess", address, **headers).status_code == 401


def test_a_guesser_locks_the_user_out_only_where_it_guesses_from(app: Flask) -> None:
    client = app.test_client()
    guess(client, "203.0.113.7")
    refused = sign_in(client, PASSWORDS["clerk"], "203.0.113.7")
    assert refused.status_code == 429
    assert "from this address" in refused.get_json()["message"]
    assert sign_in(client, PASSWORDS["clerk"], "198.51.100.20").status_code == 200  # the clerk, at the office
    guesser, clerk = Web(app), Web(app)
    for web in (guesser, clerk):
        web.get("/login")
    here = {"environ_base": {"REMOTE_ADDR": "203.0.113.7"}}
    page = guesser.post("/login", {"username": "clerk", "password": PASSWORDS["clerk"]}, **here)
    assert page.status_code == 429  # the sign-in page counts the same failures
    assert "登录失败次数过多" in page.get_data(as_text=True)
    office = {"environ_base": {"REMOTE_ADDR": "198.51.100.20"}}
    assert clerk.post("/login", {"username": "clerk", "password": PASSWORDS["clerk"]}, **office).status_code == 302


def test_guessing_spread_over_many_addresses_is_still_bounded(client: FlaskClient) -> None:
    for n in range(MAX_FAILURES_ANYWHERE // MAX_FAILURES):
        guess(client, f"192.0.2.{n + 1}")
    refused = sign_in(client, PASSWORDS["clerk"], "198.51.100.20")  # an address that never failed
    assert refused.status_code == 429
    assert refused.get_json()["message"] == "too many failed sign-ins for clerk; try again in 15 minutes"
    other = client.post("/api/v1/auth/token", json={"username": "jb_staff", "password": PASSWORDS["jb_staff"]})
    assert other.status_code == 200  # other users are not affected


def test_an_ipv6_guesser_counts_by_its_network(client: FlaskClient) -> None:
    for n in range(MAX_FAILURES):
        guess(client, f"2001:db8:0:7::{n + 1:x}", times=1)  # a new address of its /64 for every guess
    assert sign_in(client, PASSWORDS["clerk"], "2001:db8:0:7::ffff").status_code == 429
    assert sign_in(client, PASSWORDS["clerk"], "2001:db8:0:8::1").status_code == 200  # another network
    # an IPv4 address written as IPv6 is that IPv4 address
    guess(client, "::ffff:203.0.113.9")
    assert sign_in(client, PASSWORDS["clerk"], "203.0.113.9").status_code == 429


def test_forwarded_for_is_believed_only_behind_a_configured_proxy(app: Flask) -> None:
    direct = app.test_client()
    for n in range(MAX_FAILURES):  # without PROXY_HOPS the header is the client's to forge
        assert sign_in(direct, "guess", "203.0.113.7", **{"X-Forwarded-For": f"10.0.0.{n}"}).status_code == 401
    forged = sign_in(direct, PASSWORDS["clerk"], "203.0.113.7", **{"X-Forwarded-For": "10.9.9.9"})
    assert forged.status_code == 429

    behind = create_app({"TESTING": True, "HOST": host_of(app), "PROXY_HOPS": 1}).test_client()
    proxy = "127.0.0.1"  # every request reaches the host from the proxy
    guess(behind, proxy, **{"X-Forwarded-For": "198.51.100.5"})
    assert sign_in(behind, PASSWORDS["clerk"], proxy, **{"X-Forwarded-For": "198.51.100.5"}).status_code == 429
    # the proxy appends the address it saw: what the client sent before it is not believed
    spoofed = {"X-Forwarded-For": "198.51.100.77, 198.51.100.5"}
    assert sign_in(behind, PASSWORDS["clerk"], proxy, **spoofed).status_code == 429
    assert sign_in(behind, PASSWORDS["clerk"], proxy, **{"X-Forwarded-For": "198.51.100.6"}).status_code == 200
