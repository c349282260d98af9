"""Signing in to the pages: a session cookie naming the user, a CSRF token checked on every POST."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, session, url_for
from sqlalchemy.orm import Session

from ..host import Host
from ..models import User
from ..services import auth
from ..services.errors import BadRequest, Unauthorized
from .reading import NOBODY, read_view

__all__ = [
    "check_csrf",
    "csrf_token",
    "host",
    "safe_next",
    "sign_in_user",
    "sign_out",
    "signed_in",
    "signed_in_read",
]

P = ParamSpec("P")


def host() -> Host:
    return current_app.extensions["workflow_host"]  # type: ignore[no-any-return]


def csrf_token() -> str:
    """The session's CSRF token, made on first use; every page form sends it back."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Refuse a POST whose form does not carry this session's token."""
    if request.method != "POST" or request.path.startswith("/api/"):
        return  # the API authenticates each call with a bearer token, not a cookie
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise BadRequest("csrf")


def safe_next(target: str | None) -> str:
    """A redirect target only when it is a path on this site (no scheme, no host, no control characters that
    would break the Location header); else the inbox."""
    if not target or not target.isprintable() or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("inbox.inbox")
    parts = urlsplit(target)
    return url_for("inbox.inbox") if parts.scheme or parts.netloc else target


def sign_in_user(db: Session, user: User) -> None:
    """A fresh session for `user` (a new CSRF token, nothing carried over from before signing in). The cookie
    carries a server-side token, so that signing out, or the token's expiry, ends the session even for a copy
    of the cookie."""
    lang = session.get("lang")
    session.clear()
    session["token"] = auth.issue_token(db, user, host().settings.token_hours)
    session["csrf"] = secrets.token_urlsafe(32)
    if lang:
        session["lang"] = lang
    session.permanent = True


def sign_out(db: Session) -> None:
    """End the session: its token is revoked and the cookie emptied (the language choice stays)."""
    token = session.get("token")
    if isinstance(token, str):
        auth.revoke_token(db, token)
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _session_user(db: Session) -> User | None:
    token = session.get("token")
    if not isinstance(token, str):
        return None
    try:
        return auth.user_for_token(db, token)
    except Unauthorized:
        return None


def signed_in(view: Callable[Concatenate[Session, User, P], Any]) -> Callable[P, Any]:
    """Run a page in one transaction with the signed-in user; to /login when nobody is signed in."""
    return _with_user(view, read_only=False)


def signed_in_read(view: Callable[Concatenate[Session, User, P], Any]) -> Callable[P, Any]:
    """As `signed_in`, for a page that never writes (web.reading: on SQLite it reads beside a step instead of
    queuing behind it, and a write in it fails; an auditor's reading of a case is recorded before it)."""
    return _with_user(view, read_only=True)


def _in(db: Session, view: Callable[..., Any], user: User, *args: Any, **kwargs: Any) -> Any:
    """Run a page's view with its transaction kept as `g.db` for what the page's templates look up (people's
    names), so a page holds one database connection, not two."""
    g.db = db
    try:
        return view(db, user, *args, **kwargs)
    finally:
        g.pop("db", None)


def _with_user(view: Callable[Concatenate[Session, User, P], Any], read_only: bool) -> Callable[P, Any]:
    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        database = host().database
        if "token" in session:
            if read_only:
                answer = read_view(database, _session_user, lambda db, user: _in(db, view, user, *args, **kwargs))
                if answer is not NOBODY:
                    return answer
            else:
                with database.transaction() as db:
                    user = _session_user(db)
                    if user is not None:
                        return _in(db, view, user, *args, **kwargs)
        session.pop("token", None)
        target = request.full_path if request.method == "GET" else request.path
        return redirect(url_for("account.login", next=target.rstrip("?")))

    return wrapper
