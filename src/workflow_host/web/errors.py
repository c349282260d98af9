"""Every error leaves as JSON {error, message} with its status; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from ..services.errors import ServiceError
from .i18n import _

__all__ = ["error_response", "init_app"]

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, **details: object) -> tuple[Response | str, int]:
    """JSON for the API; a page in the user's language for everything else."""
    if not request.path.startswith("/api/"):
        return _error_page(status, code, message), status
    body = {"error": code, "message": message, **details}
    return jsonify(body), status


def _error_page(status: int, code: str, message: str) -> str:
    titles = {
        400: _("The form has expired; reload the page and try again.")
        if message == "csrf"
        else _("The request was not understood."),
        403: _("You may not do this."),
        404: _("This page does not exist."),
        405: _("This page does not accept that request."),
        409: _("Someone else changed this a moment ago; reload and try again."),
        413: _("The upload is too large."),
        503: _("The database is busy; try again shortly."),
    }
    return render_template(
        "message.html", user=None, title=titles.get(status, _("Something went wrong; nothing was changed."))
    )


def _service_error(err: ServiceError) -> tuple[Response | str, int]:
    return error_response(err.status, err.code, err.message, **err.details)


def _http_error(err: HTTPException) -> tuple[Response | str, int]:
    code = (err.name or "error").lower().replace(" ", "_")
    return error_response(err.code or 500, code, err.description or err.name)


def _integrity_error(err: IntegrityError) -> tuple[Response | str, int]:
    # Two steps of one case raced past each other: the loser changed nothing.
    log.info("integrity conflict: %s", err.orig)
    return error_response(409, "conflict", "someone else changed this case a moment ago; reload and try again")


def _operational_error(err: OperationalError) -> tuple[Response | str, int]:
    log.warning("database unavailable: %s", err.orig)
    return error_response(503, "unavailable", "the database is busy or unavailable; try again shortly")


def _unexpected(err: Exception) -> tuple[Response | str, int]:
    log.exception("unexpected error")
    return error_response(500, "internal_error", "an unexpected error occurred; nothing was changed")


def init_app(app: Flask) -> None:
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(OperationalError, _operational_error)
    app.register_error_handler(Exception, _unexpected)
