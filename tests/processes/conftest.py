"""Fixtures of the process tests. A test module names what they need as module constants: NOW, the local time
the clock starts at, and DIAGRAMS, the files of processes/ to deploy (with the forms they name, nothing else)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes.support import Desk, SignIn, at, deploy_only, diagram_files, signer
from workflow_host.engine import FixedClock, use_clock
from workflow_host.host import Host


@pytest.fixture
def clock(request: pytest.FixtureRequest) -> Iterator[FixedClock]:
    """'Now' for the whole test, from the module's NOW, unless the test moves it."""
    fixed = FixedClock(at(request.module.NOW))
    with use_clock(fixed):
        yield fixed


@pytest.fixture
def sign_in(request: pytest.FixtureRequest, host: Host, clock: FixedClock) -> SignIn:
    """Deploy only the module's DIAGRAMS and the forms they name; sign in to the API as a directory user."""
    names: tuple[str, ...] = request.module.DIAGRAMS
    processes = deploy_only(host, diagram_files(*names))
    assert processes == {Path(name).stem for name in names if name.endswith(".bpmn")}
    return signer(host)


@pytest.fixture
def desk(host: Host, sign_in: SignIn, clock: FixedClock) -> Desk:
    """The API as any directory user at the test's clock, on the module's DIAGRAMS alone."""
    return Desk(host, sign_in, clock)
