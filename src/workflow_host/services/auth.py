"""API tokens: issue, resolve, revoke. Only a hash of each token is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session, contains_eager

from ..engine import now
from ..models import ApiToken, User
from .errors import TokenExpired, Unauthorized

__all__ = ["issue_token", "revoke_token", "user_for_token"]


# One statement, built once, for the token, its user and the user's roles: it runs before every API call.
_TOKEN_USER = (
    select(User, ApiToken.revoked_at, ApiToken.expires_at)
    .join(ApiToken, ApiToken.username == User.username)
    .outerjoin(User.roles)
    .options(contains_eager(User.roles))
    .where(ApiToken.token_hash == bindparam("digest"))
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Tokens past their end are kept this long (to tell "expired" from "unknown"), then deleted when the same user
# signs in again: every page sign-in issues one, and nothing else would ever remove them.
KEEP_ENDED = timedelta(days=7)


def issue_token(session: Session, user: User, hours: int) -> str:
    """A new bearer token for `user`, valid for `hours`; the user's tokens that ended long ago are deleted."""
    token = secrets.token_urlsafe(32)
    at = now()
    session.execute(delete(ApiToken).where(ApiToken.username == user.username, ApiToken.expires_at < at - KEEP_ENDED))
    session.add(
        ApiToken(
            token_hash=_digest(token), username=user.username, created_at=at, expires_at=at + timedelta(hours=hours)
        )
    )
    return token


def user_for_token(session: Session, token: str) -> User:
    """The user a valid token belongs to; Unauthorized otherwise."""
    found = session.execute(_TOKEN_USER, {"digest": _digest(token)}).unique().first()
    if found is None:
        raise Unauthorized("the token is not valid; get one from POST /api/v1/auth/token")
    if found.revoked_at is not None:
        raise TokenExpired("the token was revoked (signed out); get a new one from POST /api/v1/auth/token")
    if found.expires_at <= now():
        raise TokenExpired("the token has expired; get a new one from POST /api/v1/auth/token")
    user: User = found.User
    if not user.active:
        raise Unauthorized("the token's user is no longer active")
    return user


def revoke_token(session: Session, token: str) -> None:
    """Make a token unusable from now on."""
    row = session.get(ApiToken, _digest(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now()
