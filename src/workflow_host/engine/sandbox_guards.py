"""Run-time guards of the sandbox: operations and methods whose result could be far larger than their
inputs are refused before they run."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import safer_getattr

from .errors import ScriptError
from .limits import MAX_DECIMAL_EXPONENT, MAX_INT_BITS, MAX_RANGE, MAX_SEQUENCE
from .sandbox_policy import tick

__all__ = [
    "StableFrozenSet",
    "StableSet",
    "guarded_binop",
    "guarded_decimal",
    "guarded_filter",
    "guarded_getattr",
    "guarded_inplacevar",
    "guarded_map",
    "guarded_pow",
    "guarded_range",
    "stable",
]

_FORBIDDEN_ATTRS = frozenset({"mro", "gi_frame", "gi_code", "cr_frame", "f_globals", "f_locals", "f_back"})


def _too_big(what: str) -> ScriptError:
    return ScriptError(f"{what} would build a value of more than {MAX_SEQUENCE} items")


def _size_check(symbol: str, left: object, right: object) -> None:
    """Refuse an operation whose result would be huge, before it is computed."""
    sized = (str, bytes, list, tuple)
    if symbol == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, sized) and isinstance(n, int):
                if len(seq) * n > MAX_SEQUENCE:
                    raise _too_big("'*'")
                return
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise ScriptError("integer result too large")
    elif symbol == "+":
        if isinstance(left, sized) and isinstance(right, sized) and len(left) + len(right) > MAX_SEQUENCE:
            raise _too_big("'+'")
    elif symbol == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if left.bit_length() * right > MAX_INT_BITS:
                raise ScriptError("integer result too large")
    elif symbol == "<<" and isinstance(right, int) and right > MAX_INT_BITS:
        raise ScriptError("integer result too large")
    elif symbol == "%" and isinstance(left, str | bytes):
        spec = left.encode() if isinstance(left, str) else left
        if b"*" in spec:
            raise ScriptError("'%' formatting with '*' widths is not allowed; use f-strings")
        sizes = [n for pair in _PERCENT_SIZES.findall(spec) for n in pair if n]  # '%300000000d', '%.9999999f'
        if any(int(n) > MAX_SEQUENCE for n in sizes):
            raise _too_big("'%' formatting")


_PERCENT_SIZES = re.compile(rb"%(?:\([^)]*\))?[-+ #0]*([0-9]*)(?:\.([0-9]*))?")


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
    _size_check(symbol, left, right)
    return stable(_BINOPS[symbol](left, right))


def guarded_inplacevar(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise ScriptError(f"operator {op} is not allowed")
    _size_check(op[:-1], target, value)
    return stable(_INPLACE[op](target, value))


# Sets. A set of strings (or dates) iterates in an order that depends on the process's hash seed, which Python
# draws anew at every start: list({'a', 'b'}) can differ between the process that stepped a case and the one that
# replays it, and verification would report tampering that never happened. Scripts get sets that iterate in an
# order of their own (by type name, then repr), whatever the seed; the policy turns set displays and
# comprehensions into them, and the operators above turn the sets that `|`, `&`, `-` and `^` make.


def _order(item: object) -> tuple[str, str]:
    return type(item).__name__, repr(item)


class StableSet(set[Any]):
    """set() of the sandbox: iteration, repr() and pop() in an order that no hash seed changes."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        return iter(sorted(set.__iter__(self), key=_order))

    def __repr__(self) -> str:
        return "{" + ", ".join(map(repr, self)) + "}" if self else "set()"

    def pop(self) -> Any:
        if not self:
            raise KeyError("pop from an empty set")
        item = next(iter(self))
        self.discard(item)
        return item


class StableFrozenSet(frozenset[Any]):
    """frozenset() of the sandbox, ordered as StableSet."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        return iter(sorted(frozenset.__iter__(self), key=_order))

    def __repr__(self) -> str:
        return "frozenset({" + ", ".join(map(repr, self)) + "})" if self else "frozenset()"


def stable(value: Any) -> Any:
    """A set or frozenset an operation made, as its stable kind; any other value as it is."""
    kind = type(value)
    if kind is set:
        return StableSet(value)
    if kind is frozenset:
        return StableFrozenSet(value)
    return value


def _stable_methods(kind: type, base: type) -> None:
    """The methods that make a new set return the stable kind (set's own return a plain set)."""
    for name in ("copy", "union", "intersection", "difference", "symmetric_difference"):
        setattr(kind, name, _returning_stable(getattr(base, name)))
    for name in ("__or__", "__and__", "__sub__", "__xor__", "__ror__", "__rand__", "__rsub__", "__rxor__"):
        setattr(kind, name, _returning_stable(getattr(base, name)))


def _returning_stable(method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        return stable(method(*args))

    wrapper.__name__ = method.__name__
    return wrapper


_stable_methods(StableSet, set)
_stable_methods(StableFrozenSet, frozenset)


def guarded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    if mod is None:
        _size_check("**", base, exp)
        return operator.pow(base, exp)
    return pow(base, exp, mod)


def _width_guard(method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(width: int, *args: Any) -> Any:
        if isinstance(width, int) and width > MAX_SEQUENCE:
            raise _too_big(f"{method.__name__}()")
        return method(width, *args)

    return guarded


def _string_method(obj: str | bytes, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """Guard the string methods whose result can be far larger than their inputs."""
    if name in ("ljust", "rjust", "center", "zfill"):
        return _width_guard(method)
    if name == "expandtabs":

        def expandtabs(tabsize: int = 8) -> Any:
            _size_check("*", obj, max(tabsize, 1))
            return method(tabsize)

        return expandtabs
    if name == "replace":

        def replace(old: Any, new: Any, count: int = -1) -> Any:
            hits = obj.count(old) if old else len(obj) + 1
            if len(obj) + hits * max(len(new) - len(old), 0) > MAX_SEQUENCE:
                raise _too_big("replace()")
            return method(old, new, count)

        return replace
    if name == "join":

        def join(items: Any) -> Any:
            items = list(items)
            total = sum(len(i) for i in items if isinstance(i, str | bytes)) + len(obj) * len(items)
            if total > MAX_SEQUENCE:
                raise _too_big("join()")
            return method(items)

        return join
    return method


def _list_method(obj: list[Any], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    if name != "extend":
        return method

    def extend(items: Any) -> None:
        items = list(items)
        if len(obj) + len(items) > MAX_SEQUENCE:
            raise _too_big("extend()")
        method(items)

    return extend


def guarded_getattr(obj: object, name: str, default: object = None) -> object:
    if name in _FORBIDDEN_ATTRS:
        raise ScriptError(f"attribute '{name}' is not allowed")
    value = safer_getattr(obj, name, default)  # type: ignore[no-untyped-call]
    if isinstance(obj, str | bytes) and callable(value):
        return _string_method(obj, name, value)
    if isinstance(obj, list) and callable(value):
        return _list_method(obj, name, value)
    if obj in (str, bytes, list) and callable(value):
        return _unbound(obj, name)
    return value


def _unbound(kind: type, name: str) -> Callable[..., Any]:
    """`str.ljust(s, n)`: the method taken from the type, guarded as `s.ljust(n)` would be."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(self, kind):
            raise ScriptError(f"{kind.__name__}.{name}() needs a {kind.__name__}")
        return guarded_getattr(self, name)(*args, **kwargs)  # type: ignore[operator]

    return method


def guarded_decimal(value: Any = "0", context: Any = None) -> Decimal:
    """Decimal(...) within the exponents a script's arithmetic may reach (limits.MAX_DECIMAL_EXPONENT): making
    Decimal('1e450000') is cheap, but printing it or turning it into an int takes minutes in C."""
    result = Decimal(value) if context is None else Decimal(value, context)
    if result.is_finite() and result and abs(result.adjusted()) > MAX_DECIMAL_EXPONENT:
        raise ScriptError(f"Decimal exponent beyond ±{MAX_DECIMAL_EXPONENT} is not allowed")
    return result


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
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ScriptError(f"range() of more than {MAX_RANGE} items is not allowed")
    return result
