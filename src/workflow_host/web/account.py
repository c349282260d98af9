"""Signing in and out, and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from ..services.devices import remember_device
from ..services.directory import authenticate
from ..services.errors import TooManyAttempts
from .device_cookie import sent_device_ids, set_device_cookie
from .i18n import LANGUAGES, _
from .signin import check_csrf, csrf_token, host, safe_next, sign_in_user, sign_out

__all__ = ["bp"]

bp = Blueprint("account", __name__)


@bp.before_app_request
def _csrf() -> None:
    check_csrf()


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token}


@bp.get("/")
def index() -> Response:
    return redirect(url_for("inbox.inbox"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error, status = None, 200
    if request.method == "POST":
        try:
            signed_in = _sign_in(request.form.get("username", "").strip(), request.form.get("password", ""))
            if signed_in is not None:
                return signed_in
            error, status = _("Wrong username or password."), 401
        except TooManyAttempts:
            error, status = _("Too many failed sign-ins for this user; try again in 15 minutes."), 429
    return render_template("login.html", user=None, error=error, next=request.args.get("next", "")), status


def _sign_in(username: str, password: str) -> Response | None:
    """The redirect that signs the user in (and trusts this browser for them), or None for wrong credentials."""
    if not username or not password:
        return None
    devices = sent_device_ids()
    with host().database.transaction() as db:
        user = authenticate(db, username, password, request.remote_addr, devices)
        if user is None:
            return None
        sign_in_user(db, user)
        kept = remember_device(db, user.username, devices)
    return set_device_cookie(redirect(safe_next(request.args.get("next"))), kept)


@bp.get("/logout")
def confirm_logout() -> str:
    """Signing out is a POST (another site cannot sign a user out with a link); this page asks for it."""
    return render_template("logout.html", user=None)


@bp.post("/logout")
def logout() -> Response:
    with host().database.transaction() as db:
        sign_out(db)
    flash(_("You have signed out."), "info")
    return redirect(url_for("account.login"))


@bp.get("/lang/<code>")
def language(code: str) -> Response:
    if code in LANGUAGES:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")))
