"""Load and faults against real gunicorn on PostgreSQL (bench/load_faults.py), run in CI with a bounded time.

50 clients complete, claim and read for 60 s (as issue #8 asks), then the same load with hearing timers falling due
runs for 20 s, during which gunicorn and the timer worker are killed with SIGKILL
and restarted. The script checks the audit log against what the clients were told and runs
`workflow-host audit verify --all`; it exits 1 on any 5xx, any acknowledged step missing or doubled, any timer fired
twice or not at all. Its figures are printed whatever the outcome.

It uses a database of its own beside the suite's (`load_faults` on the TEST_DATABASE_URL server), never the suite's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[2]
SUITE_URL = os.environ.get("TEST_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(
    not SUITE_URL.startswith("postgresql"), reason="needs PostgreSQL: set TEST_DATABASE_URL (CI does)"
)


def own_database(suite_url: str) -> str:
    """The same server as the suite's database, another database: the script drops and recreates its schema."""
    url = make_url(suite_url)
    assert url.database != "load_faults"
    return url.set(database="load_faults").render_as_string(hide_password=False)


def test_fifty_clients_and_a_kill_minus_9_lose_and_double_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--pg-url", own_database(SUITE_URL), "--clients", "50", "--seconds", "60", "--fault-seconds", "20"]
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load_faults.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    with capsys.disabled():
        print(f"\n{result.stdout}")
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    assert result.returncode == 0, "\n".join(failed) + result.stderr[-3000:]
