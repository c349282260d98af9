"""Holiday calendar years loaded by an administrator from State Council notices."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base
from ._types import UtcDateTime

__all__ = ["CalendarDay", "CalendarYear"]


class CalendarYear(Base):
    """A year whose holidays and adjusted working days were loaded; it overrides the packaged calendar."""

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    loaded_by: Mapped[str | None] = mapped_column(String(64))


class CalendarDay(Base):
    """A statutory holiday (`holiday`) or an adjusted working day on a weekend (`workday`)."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_year.year"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
