"""Citizen identity numbers of the People's Republic of China (居民身份证号码, GB 11643-1999): 17 digits (the
address code, the date of birth, the sequence code) and a check character computed by ISO 7064 MOD 11-2."""

from __future__ import annotations

from datetime import date

__all__ = ["IdNumberInvalid", "check_digit", "id_number_problem", "is_id_number"]

DIGITS = "0123456789"
# The weight of position i (1 to 17, from the left) is 2^(18-i) mod 11; the check character is the one whose
# value makes the weighted sum of all 18 equal 1 mod 11 (X stands for 10).
WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
CHECK = "10X98765432"  # by the weighted sum of the first 17 digits mod 11


class IdNumberInvalid(ValueError):
    """Why a text is not an identity number: `characters`, `length`, `birth_date` or `check_digit`."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"not a citizen identity number ({reason.replace('_', ' ')})")
        self.reason = reason


def check_digit(first_17: str) -> str:
    """The check character of the first 17 digits of an identity number."""
    return CHECK[sum(int(d) * w for d, w in zip(first_17, WEIGHTS, strict=True)) % 11]


def id_number_problem(text: str) -> str | None:
    """What is wrong with `text` as an identity number, first the thing a person sees first; None when valid."""
    if any(c not in DIGITS for c in text[:-1]) or (text and text[-1] not in DIGITS + "X"):
        return "characters"
    if len(text) != 18:
        return "length"
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return "birth_date"
    if check_digit(text[:17]) != text[17]:
        return "check_digit"
    return None


def is_id_number(value: object) -> bool:
    """A format check for JSON Schema ("id-number"): raises IdNumberInvalid with the reason; other types pass."""
    if not isinstance(value, str):
        return True  # "type" judges other values
    problem = id_number_problem(value)
    if problem is not None:
        raise IdNumberInvalid(problem)
    return True
