"""Typed settings from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "default_database_url"]


def default_database_url(instance_path: Path) -> str:
    """The embedded default: a SQLite file under instance/."""
    return f"sqlite:///{instance_path / 'workflow_host.sqlite3'}"


@dataclass(frozen=True)
class Settings:
    """Everything the host reads from its environment."""

    database_url: str
    secret_key: str
    token_hours: int = 12
    max_upload_bytes: int = 5 * 1024 * 1024
    secure_cookies: bool = False  # set SECURE_COOKIES=1 behind HTTPS
    pool_size: int = 10  # PostgreSQL connections kept open per process (DB_POOL_SIZE)
    pool_overflow: int = 20  # and opened beyond them under load (DB_POOL_OVERFLOW); see docs/deploy.md
    proxy_hops: int = 0  # trusted proxies in front that add X-Forwarded-For (PROXY_HOPS); 0: none, trust no header

    @classmethod
    def from_env(cls, instance_path: Path) -> Settings:
        return cls(
            database_url=os.environ.get("DATABASE_URL") or default_database_url(instance_path),
            secret_key=os.environ.get("SECRET_KEY") or _local_secret(instance_path),
            token_hours=int(os.environ.get("TOKEN_HOURS", "12")),
            secure_cookies=os.environ.get("SECURE_COOKIES", "") in ("1", "true", "yes"),
            pool_size=int(os.environ.get("DB_POOL_SIZE", "10")),
            pool_overflow=int(os.environ.get("DB_POOL_OVERFLOW", "20")),
            proxy_hops=int(os.environ.get("PROXY_HOPS", "0")),
        )


def _local_secret(instance_path: Path) -> str:
    # A per-installation secret kept beside the SQLite file, so sessions survive restarts.
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()
