"""API tokens and trusted devices: stored only as hashes, with expiry and revocation; failed sign-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime

__all__ = ["ApiToken", "LoginFailure", "TrustedDevice"]


class ApiToken(Base):
    __tablename__ = "api_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("user_account.username"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    """A failed sign-in: too many for one username from one source (or from all) in a short time and signing in
    waits (services.directory.authenticate)."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))  # the source: an IPv4 address or an IPv6 /64
    device: Mapped[str | None] = mapped_column(String(64))  # the trusted device it was tried from (its hash), if any
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class TrustedDevice(Base):
    """A browser a user signed in from on the sign-in page: its cookie holds a random id, of which only the SHA-256
    is kept. Its sign-ins for that user are counted per device instead of per address (services.devices)."""

    __tablename__ = "trusted_device"

    device_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("user_account.username"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
