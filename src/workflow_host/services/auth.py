"""API tokens: issue, resolve, revoke. Only a hash of each token is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from ..engine import now
from ..models import ApiToken, User
from .errors import Unauthorized

__all__ = ["issue_token", "revoke_token", "user_for_token"]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, hours: int) -> str:
    """A new bearer token for `user`, valid for `hours`."""
    token = secrets.token_urlsafe(32)
    at = now()
    session.add(
        ApiToken(
            token_hash=_digest(token), username=user.username, created_at=at, expires_at=at + timedelta(hours=hours)
        )
    )
    return token


def user_for_token(session: Session, token: str) -> User:
    """The user a valid token belongs to; Unauthorized otherwise."""
    row = session.get(ApiToken, _digest(token))
    if row is None or row.revoked_at is not None or row.expires_at <= now():
        raise Unauthorized("the token is invalid or has expired")
    user = session.get(User, row.username)
    if user is None or not user.active:
        raise Unauthorized("the token's user is no longer active")
    return user


def revoke_token(session: Session, token: str) -> None:
    """Make a token unusable from now on."""
    row = session.get(ApiToken, _digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now()
