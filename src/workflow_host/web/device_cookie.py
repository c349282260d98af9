"""The device cookie of the sign-in page (services.devices): sent only to /login, never readable by scripts."""

from __future__ import annotations

from flask import current_app, request, url_for
from werkzeug.wrappers import Response

from ..services.devices import DEVICE_LIFETIME, device_ids

__all__ = ["COOKIE", "sent_device_ids", "set_device_cookie"]

COOKIE = "device"


def sent_device_ids() -> list[str]:
    """The device ids the browser sent with this request."""
    return device_ids(request.cookies.get(COOKIE))


def set_device_cookie(response: Response, ids: list[str]) -> Response:
    """`response` with the browser's device cookie set to `ids`, for DEVICE_LIFETIME."""
    response.set_cookie(
        COOKIE,
        ".".join(ids),
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        path=url_for("account.login"),  # under a prefix the app is mounted at, too
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
    )
    return response
