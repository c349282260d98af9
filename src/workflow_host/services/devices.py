"""Trusted devices (OWASP's "device cookies"): a browser that signed in as a user gets a random id in a long-lived
cookie, and its later sign-ins for that user are throttled per device, not by the failures from every address, so
a guesser spread over many addresses cannot lock the real user out of their own browser.

The ids live server-side, as SHA-256 hashes, rather than in an HMAC-signed cookie: a row can be deleted (the
password changed), a disabled user's rows stop counting at once, and whoever learns the app's SECRET_KEY still
cannot make a device for anyone (a signed cookie would let them escape the lockout for every user)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..engine import now
from ..models import TrustedDevice, User

__all__ = ["DEVICE_LIFETIME", "device_ids", "forget_devices", "remember_device", "trusted_device"]

DEVICE_LIFETIME = timedelta(days=180)
KEPT = 4  # devices one browser remembers: people who share a desk each keep theirs
_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def _digest(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()


def device_ids(cookie: str | None) -> list[str]:
    """The device ids a browser's cookie holds (separated by dots), at most KEPT; anything malformed is skipped."""
    return [part for part in (cookie or "").split(".") if _ID.fullmatch(part)][:KEPT]


def _live(session: Session, ids: Sequence[str]) -> dict[str, TrustedDevice]:
    """The devices of `ids` that have not expired and whose user is active, by id."""
    by_hash = {_digest(device_id): device_id for device_id in ids}
    if not by_hash:
        return {}
    rows = session.scalars(
        select(TrustedDevice)
        .join(User, User.username == TrustedDevice.username)
        .where(TrustedDevice.device_hash.in_(by_hash), TrustedDevice.expires_at > now(), User.active.is_(True))
    )
    return {by_hash[row.device_hash]: row for row in rows}


def trusted_device(session: Session, username: str, ids: Sequence[str]) -> str | None:
    """The hash of the device among `ids` that `username` signed in from, or None: a forged, expired or revoked id,
    or one another user signed in with, counts for nothing."""
    return next((row.device_hash for row in _live(session, ids).values() if row.username == username), None)


def remember_device(session: Session, username: str, ids: Sequence[str]) -> list[str]:
    """The ids the browser keeps after `username` signed in with it: a new one for this user first (the one it had
    is replaced, so a copy of the old cookie stops helping), then the other users' that are still live."""
    at = now()
    live = _live(session, ids)
    mine = [row.device_hash for row in live.values() if row.username == username]
    ended = TrustedDevice.expires_at <= at
    session.execute(delete(TrustedDevice).where(TrustedDevice.username == username, ended))
    if mine:
        session.execute(delete(TrustedDevice).where(TrustedDevice.device_hash.in_(mine)))
    device_id = secrets.token_urlsafe(32)
    session.add(
        TrustedDevice(device_hash=_digest(device_id), username=username, issued_at=at, expires_at=at + DEVICE_LIFETIME)
    )
    others = [other for other, row in live.items() if row.username != username]
    return [device_id, *others][:KEPT]


def forget_devices(session: Session, username: str) -> None:
    """No browser is trusted for `username` any more (their password changed)."""
    session.execute(delete(TrustedDevice).where(TrustedDevice.username == username))
