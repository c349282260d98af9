"""The scripts' builtins that differ from Python's (Decimal, map, filter, range, sum) and the hooks through which
they unpack (`_star_`) and write into (`_write_`) values: each bounded or counted against the run's budget."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import full_write_guard

from .errors import ScriptError
from .limits import MAX_DECIMAL_EXPONENT, MAX_RANGE, MAX_SEQUENCE
from .sandbox_operators import too_big
from .sandbox_policy import charge, tick

__all__ = [
    "guarded_decimal",
    "guarded_filter",
    "guarded_map",
    "guarded_range",
    "guarded_star",
    "guarded_sum",
    "guarded_write",
]


def _checked_decimal(result: Decimal) -> Decimal:
    if result.is_finite() and result and abs(result.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise ScriptError(f"Decimal exponent beyond ±{MAX_DECIMAL_EXPONENT} is not allowed")
    return result


class _DecimalKind(type):
    """Makes `Decimal` of the scripts behave as the class (isinstance, Decimal.from_float …) while every Decimal
    it makes stays within the exponents a script's arithmetic may reach."""

    def __call__(cls, value: Any = "0", context: Any = None) -> Decimal:
        return _checked_decimal(Decimal(value) if context is None else Decimal(value, context))

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Decimal)

    def __getattr__(cls, name: str) -> Any:
        return getattr(Decimal, name)


class guarded_decimal(metaclass=_DecimalKind):
    """Decimal(...) within limits.MAX_DECIMAL_EXPONENT: making Decimal('1e450000') is cheap, but printing it or
    turning it into an int takes minutes in C."""


def guarded_map(function: Callable[..., Any], *iterables: Any) -> Any:
    """map() that counts each item against the script's budget: map itself loops in C, uncounted."""
    for args in zip(*iterables, strict=False):
        tick()
        yield function(*args)


def guarded_filter(function: Callable[[Any], Any] | None, iterable: Any) -> Any:
    """filter() that counts each item against the script's budget."""
    for item in iterable:
        tick()
        if function(item) if function is not None else item:
            yield item


def guarded_range(*args: int) -> range:
    """range() of at most limits.MAX_RANGE items."""
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ScriptError(f"range() of more than {MAX_RANGE} items is not allowed")
    return result


def guarded_star(value: Any) -> Any:
    """A value unpacked into a display or a call (`[*a, *a]`): bounded and charged by its length, as `a + a` is."""
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        if len(value) > MAX_SEQUENCE:
            raise too_big("'*' unpacking")
        charge(len(value))
    return value


def guarded_sum(iterable: Any, start: Any = 0) -> Any:
    """sum() of numbers: summing lists (`sum(rows, [])`) builds each partial list anew inside one C call."""
    if isinstance(start, bool) or not isinstance(start, int | float | Decimal):
        raise ScriptError("sum() adds numbers; to join lists, use a loop with extend() or a comprehension")
    return sum(iterable, start)


class _ListWrites:
    """A list written by subscript (`a[i] = x`, `a[i:j] = items`): a slice assignment grows the list by what it is
    given, so that is bounded and charged as extend() is."""

    def __init__(self, target: list[Any]) -> None:
        self._target = target

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(key, slice):
            value = list(value)
            if len(self._target) + len(value) > MAX_SEQUENCE:
                raise too_big("slice assignment")
            charge(len(value))
        self._target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]


def guarded_write(obj: Any) -> Any:
    """The scripts' write guard (`_write_`): RestrictedPython's, with lists written through _ListWrites."""
    return _ListWrites(obj) if type(obj) is list else full_write_guard(obj)
