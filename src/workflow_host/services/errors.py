"""Errors services raise; the web layer maps each to its HTTP status."""

from __future__ import annotations

from typing import Any

__all__ = [
    "BadRequest",
    "Conflict",
    "Forbidden",
    "Invalid",
    "NotFound",
    "ServiceError",
    "TokenExpired",
    "TooManyAttempts",
    "Unauthorized",
]


class ServiceError(Exception):
    """A request that cannot be carried out; nothing of it was kept."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class BadRequest(ServiceError):
    status = 400
    code = "bad_request"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class TokenExpired(Unauthorized):
    """A token past its lifetime or revoked: the client should sign in again."""

    code = "token_expired"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Invalid(ServiceError):
    status = 422
    code = "invalid"


class TooManyAttempts(ServiceError):
    status = 429
    code = "too_many_attempts"
