"""Guards for turning values into text in the sandbox: str(), repr(), f-strings and '%' (RestrictedPython
refuses str.format() itself).

A list may hold the same megabyte string a thousand times (`[s] * 1000` is a thousand items); its text is a
gigabyte, built by one call that no loop tick interrupts. Each of these is measured first, by walking the
value as its text would (stopping as soon as it is too long), refused past limits.MAX_SEQUENCE characters,
and charged to the run's count of items built.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any, cast

from .errors import ScriptError
from .limits import MAX_SEQUENCE
from .sandbox_policy import charge

__all__ = ["checked_format", "formatted_size", "guarded_fmt", "guarded_repr", "guarded_str", "text_size"]


def text_size(value: object, limit: int = MAX_SEQUENCE) -> int:
    """The length of repr(value) (and of str and format), or limit + 1 once it is known to be longer: an upper
    bound, except that repr escapes unprintable characters (up to 10 for one), so such text may come out up to ten
    times longer, still bounded. A container held twice is counted twice, as its text repeats; one that holds itself
    counts until the limit."""
    total = 0
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        total += _own_size(item)
        if isinstance(item, _CONTAINERS):
            children: Iterable[Any] = (
                (v for pair in item.items() for v in pair) if isinstance(item, dict) else cast(Iterable[Any], item)
            )
            for child in children:
                total += 2  # a separator, a space
                stack.append(child)
                if total > limit:
                    return limit + 1
        if total > limit:
            return limit + 1
    return total


_VIEWS: tuple[type, ...] = (type({}.keys()), type({}.values()), type({}.items()))
_CONTAINERS: tuple[type, ...] = (list, tuple, set, frozenset, dict, *_VIEWS)  # a dict's views print every item too


def _own_size(item: object) -> int:
    if isinstance(item, str):
        return len(item) + 2
    if isinstance(item, bytes | bytearray):
        return 4 * len(item) + 3
    if isinstance(item, bool) or item is None:
        return 5
    if isinstance(item, int):
        return item.bit_length() // 3 + 2
    if isinstance(item, Decimal):
        digits = item.as_tuple()
        return len(digits.digits) + (abs(digits.exponent) if isinstance(digits.exponent, int) else 0) + 12
    if isinstance(item, float | complex | date | time | timedelta):
        return 64
    if isinstance(item, _CONTAINERS):
        return 16
    return 200  # what else a script can reach (a function, a range, a map) prints as a short tag


def formatted_size(template: str, values: Iterable[object]) -> int:
    """An upper bound of the text of `template` with each of its '%' fields replaced by the longest value."""
    longest = max((text_size(v) for v in values), default=0)
    fields = template.count("%")
    return len(template) + fields * longest


def _checked(size: int, what: str) -> None:
    if size > MAX_SEQUENCE:
        raise ScriptError(f"{what} would build a text of more than {MAX_SEQUENCE} characters")
    charge(size)


class _StrKind(type):
    """Makes `str` of the scripts behave as the type (isinstance, str.upper …) while str(value) is measured
    first."""

    def __call__(cls, *args: Any, **kwargs: Any) -> str:
        value = args[0] if args else kwargs.get("object", "")  # str(x) and str(object=x)
        if not isinstance(value, str):
            _checked(text_size(value), "str()")
        return str(*args, **kwargs)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, str)

    def __subclasscheck__(cls, subclass: Any) -> bool:
        return issubclass(subclass, str)

    def __getattr__(cls, name: str) -> Any:
        return getattr(str, name)


class guarded_str(metaclass=_StrKind):
    """str(value) whose text is measured before it is built."""


def guarded_repr(value: object) -> str:
    _checked(text_size(value), "repr()")
    return repr(value)


def guarded_fmt(value: object) -> object:
    """The value of one f-string field, measured (the policy wraps every `{value}` of an f-string in this)."""
    _checked(len(value) if isinstance(value, str) else text_size(value), "an f-string")
    return value


def checked_format(template: str, values: Iterable[object], what: str) -> None:
    """Measure `template % values` before it is built."""
    _checked(formatted_size(template, values), what)
