"""Password hashes: argon2id for every new one; werkzeug's older pbkdf2/scrypt hashes still verify and are
replaced by argon2id at the next successful sign-in."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash

__all__ = ["hash_password", "is_known_hash", "needs_rehash", "verify_nobody", "verify_password"]

# OWASP's Password Storage Cheat Sheet minimum for argon2id: 19 MiB, 2 passes, 1 lane (~50 ms here).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
_ARGON2 = "$argon2"
_WERKZEUG = ("pbkdf2:", "scrypt:")


def hash_password(password: str) -> str:
    """A new argon2id hash of `password`."""
    return _HASHER.hash(password)


def is_known_hash(stored: str) -> bool:
    """Whether `stored` is a hash this module can check (argon2, or werkzeug's pbkdf2/scrypt)."""
    return stored.startswith((_ARGON2, *_WERKZEUG))


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash, whichever of the known kinds it is."""
    if stored.startswith(_ARGON2):
        try:
            return _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
    if stored.startswith(_WERKZEUG):
        return check_password_hash(stored, password)
    return False


def needs_rehash(stored: str) -> bool:
    """True for a werkzeug hash, or an argon2 hash made with other parameters than today's."""
    return not stored.startswith(_ARGON2) or _HASHER.check_needs_rehash(stored)


@cache
def _nobody() -> str:
    return hash_password("nobody has this password")


def verify_nobody(password: str) -> None:
    """Spend the time a check would take, so that an unknown username answers as slowly as a known one."""
    verify_password(_nobody(), password)
