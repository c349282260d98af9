"""How a value prints in a document: every value is a ready string, and a value the case does not hold yet is
`BLANK`, a line to fill in by hand, never "None"; dates in Chinese, long text as paragraphs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ..engine import LOCAL_TZ

__all__ = [
    "BLANK",
    "CELL_BLANK",
    "as_dict",
    "as_list",
    "cell",
    "chinese_date",
    "chinese_datetime",
    "paragraphs",
    "text",
]

BLANK = "＿＿＿＿＿＿"  # full-width: a line may break inside it, as between Chinese characters
# in a table cell the cell is the space to write in: a blank that fits the narrowest column left blank (页数,
# 14 mm of 五号 text) keeps the row one line high, where six characters wrapped onto three lines
CELL_BLANK = "＿＿"


def cell(value: Any) -> Any:
    """A value as a table cell prints it (the templates' `cell` filter): a blank line is a short one."""
    return CELL_BLANK if value == BLANK else value


def text(value: Any) -> str:
    """A value as it is printed: the text, or a blank line to fill in."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return BLANK
    return str(value).strip()


def paragraphs(value: Any) -> list[str]:
    """Long text as paragraphs (one per non-empty line); a blank line when there is none."""
    lines = [line.strip() for line in str(value or "").splitlines() if line.strip()]
    return lines or [BLANK]


def chinese_date(value: Any) -> str:
    """`2026-11-28` → `2026年11月28日`; anything that is not a date → a blank line."""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return BLANK
    if not isinstance(value, date):
        return BLANK
    return f"{value.year}年{value.month}月{value.day}日"


def chinese_datetime(value: Any) -> str:
    """`2026-11-03T09:30:00+08:00` → `2026年11月3日9时30分` (Beijing time); a date alone → the date."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return chinese_date(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TZ)
    return f"{chinese_date(moment.date())}{moment.hour}时{moment.minute:02d}分"


def as_dict(value: Any) -> dict[str, Any]:
    """The value when it is an object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """The value when it is a list, else an empty one."""
    return value if isinstance(value, list) else []
