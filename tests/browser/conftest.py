"""Browser tests: the real app served on a local port, driven by headless Chromium (Debian's package) through
Playwright. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from workflow_host import create_app
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CST = timezone(timedelta(hours=8))
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium")
        pytest.skip("chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        yield browser
        browser.close()


class LiveServer:
    """The app on 127.0.0.1:<free port> in a thread; every request runs at the clock's instant."""

    def __init__(self, host: Host, clock: FixedClock) -> None:
        app = create_app({"TESTING": False, "HOST": host, "SECRET_KEY": "browser-tests-" + "x" * 32})
        inner = app.wsgi_app

        def clocked(environ: Any, start_response: Any) -> Any:
            with use_clock(clock):
                return inner(environ, start_response)

        app.wsgi_app = clocked  # type: ignore[method-assign]
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 9, 21, 9, 0, tzinfo=CST))


@pytest.fixture
def live(measures: Host, clock: FixedClock) -> Iterator[LiveServer]:
    server = LiveServer(measures, clock)
    yield server
    server.stop()


@pytest.fixture
def new_page(chromium: Any, live: LiveServer) -> Iterator[Callable[[], Any]]:
    """Open a fresh browser context (its own cookies), Chinese, tablet-to-laptop sized."""
    contexts: list[Any] = []

    def _open() -> Any:
        context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, base_url=live.url)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/inbox")
    assert "/login" in page.url
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/inbox")
