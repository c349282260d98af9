"""The sandbox's arithmetic: `*`, `+`, `**`, `<<` and `%` (and their in-place forms) whose result would be far
larger than their inputs are refused before they run, and what they build is charged to the run's budget."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .errors import ScriptError
from .limits import MAX_INT_BITS, MAX_SEQUENCE
from .sandbox_policy import charge
from .sandbox_sets import stable
from .sandbox_text import checked_format

__all__ = ["guarded_binop", "guarded_inplacevar", "guarded_pow", "size_check", "too_big"]

_SIZED = (str, bytes, list, tuple)


def too_big(what: str) -> ScriptError:
    """The error of one operation that would build more than limits.MAX_SEQUENCE items."""
    return ScriptError(f"{what} would build a value of more than {MAX_SEQUENCE} items")


def size_check(symbol: str, left: object, right: object) -> int:
    """Refuse an operation whose result would be huge, before it is computed; return the items it builds."""
    if symbol == "*":
        return _product_size(left, right)
    if symbol == "+":
        return _sum_size(left, right)
    if symbol == "**":
        _check_power(left, right)
    elif symbol == "<<" and isinstance(right, int) and right > MAX_INT_BITS:
        raise ScriptError("integer result too large")
    elif symbol == "%" and isinstance(left, str | bytes):
        _check_percent(left, right)
    return 0


def _product_size(left: object, right: object) -> int:
    for seq, n in ((left, right), (right, left)):
        if isinstance(seq, _SIZED) and isinstance(n, int):
            if len(seq) * n > MAX_SEQUENCE:
                raise too_big("'*'")
            return len(seq) * max(n, 0)
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise ScriptError("integer result too large")
    return 0


def _sum_size(left: object, right: object) -> int:
    if isinstance(left, _SIZED) and isinstance(right, _SIZED):
        if len(left) + len(right) > MAX_SEQUENCE:
            raise too_big("'+'")
        return len(left) + len(right)
    return 0


def _check_power(base: object, exp: object) -> None:
    if isinstance(base, int) and isinstance(exp, int) and exp > 0 and abs(base) > 1:
        if base.bit_length() * exp > MAX_INT_BITS:
            raise ScriptError("integer result too large")


def _check_percent(left: str | bytes, right: object) -> None:
    spec = left.encode() if isinstance(left, str) else left
    if b"*" in spec:
        raise ScriptError("'%' formatting with '*' widths is not allowed; use f-strings")
    if any(size > MAX_SEQUENCE for size in _percent_sizes(spec)):  # '%300000000d', '%.9999999f'
        raise too_big("'%' formatting")
    template = left if isinstance(left, str) else left.decode("latin-1")
    values: Iterable[object] = (right,)  # '%s' % d prints all of d
    if isinstance(right, dict) and "%(" in template:
        values = right.values()
    elif isinstance(right, tuple):
        values = right
    checked_format(template, values, "'%' formatting")


def _percent_sizes(spec: bytes) -> Iterator[int]:
    """The widths and precisions of a '%' format, read as Python reads them: a mapping key may nest parentheses
    ('%((k)v)9d' has the key '(k)v'), '%%' is a literal percent sign."""
    i, end = 0, len(spec)
    while i < end:
        if spec[i] != 0x25:  # %
            i += 1
            continue
        i += 1
        if i < end and spec[i] == 0x25:
            i += 1
            continue
        i = _after_flags(spec, _after_key(spec, i))
        for part in range(2):  # the width, then the precision after a dot
            start = i
            while i < end and 0x30 <= spec[i] <= 0x39:
                i += 1
            if i > start:
                yield int(spec[start:i])
            if part == 0 and i < end and spec[i] == 0x2E:  # .
                i += 1
            else:
                break


def _after_key(spec: bytes, i: int) -> int:
    """The position after a field's mapping key '(…)' starting at i, or i when it has none."""
    if i >= len(spec) or spec[i] != 0x28:  # (
        return i
    depth, i = 1, i + 1
    while i < len(spec) and depth:
        depth += {0x28: 1, 0x29: -1}.get(spec[i], 0)
        i += 1
    return i


def _after_flags(spec: bytes, i: int) -> int:
    while i < len(spec) and spec[i] in b"-+ #0":
        i += 1
    return i


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "<<": operator.lshift,
    "+": operator.add,
    "%": operator.mod,
    "|": operator.or_,
    "&": operator.and_,
    "-": operator.sub,
    "^": operator.xor,
}
_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "&=": operator.iand,
    "|=": operator.ior,
    "^=": operator.ixor,
}


def guarded_binop(symbol: str, left: Any, right: Any) -> Any:
    """The scripts' binary operator hook (`_binop_`): measured, charged, and a set it makes kept stable."""
    charge(size_check(symbol, left, right))
    return stable(_BINOPS[symbol](left, right))


def guarded_inplacevar(op: str, target: Any, value: Any) -> Any:
    """The scripts' in-place operator hook (`_inplacevar_`), measured as its binary operator is."""
    if op not in _INPLACE:
        raise ScriptError(f"operator {op} is not allowed")
    built = size_check(op[:-1], target, value)
    if op == "+=" and isinstance(target, list):  # extends the list in place: only the new items are built
        built = len(value) if isinstance(value, list | tuple | str) else 0
    charge(built)
    return stable(_INPLACE[op](target, value))


def guarded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    """pow() of the scripts: without a modulus, measured as `**` is."""
    if mod is None:
        charge(size_check("**", base, exp))
        return operator.pow(base, exp)
    return pow(base, exp, mod)
