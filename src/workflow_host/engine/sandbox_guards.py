"""Run-time guards of the sandbox: operations and methods whose result could be far larger than their
inputs are refused before they run."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from datetime import date, time
from decimal import Decimal
from typing import Any

from RestrictedPython.Guards import full_write_guard, safer_getattr

from .errors import ScriptError
from .limits import MAX_DECIMAL_EXPONENT, MAX_INT_BITS, MAX_RANGE, MAX_SEQUENCE
from .sandbox_policy import charge, tick
from .sandbox_text import checked_format, guarded_str

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
    "guarded_star",
    "guarded_sum",
    "guarded_write",
    "stable",
]

_FORBIDDEN_ATTRS = frozenset({"mro", "gi_frame", "gi_code", "cr_frame", "f_globals", "f_locals", "f_back"})


def _too_big(what: str) -> ScriptError:
    return ScriptError(f"{what} would build a value of more than {MAX_SEQUENCE} items")


def _size_check(symbol: str, left: object, right: object) -> int:
    """Refuse an operation whose result would be huge, before it is computed; return the items it builds."""
    sized = (str, bytes, list, tuple)
    if symbol == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, sized) and isinstance(n, int):
                if len(seq) * n > MAX_SEQUENCE:
                    raise _too_big("'*'")
                return len(seq) * max(n, 0)
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise ScriptError("integer result too large")
    elif symbol == "+":
        if isinstance(left, sized) and isinstance(right, sized):
            if len(left) + len(right) > MAX_SEQUENCE:
                raise _too_big("'+'")
            return len(left) + len(right)
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
        if any(size > MAX_SEQUENCE for size in _percent_sizes(spec)):  # '%300000000d', '%.9999999f'
            raise _too_big("'%' formatting")
        template = left if isinstance(left, str) else left.decode("latin-1")
        values: Iterable[object] = (right,)  # '%s' % d prints all of d
        if isinstance(right, dict) and "%(" in template:
            values = right.values()
        elif isinstance(right, tuple):
            values = right
        checked_format(template, values, "'%' formatting")
    return 0


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
        if i < end and spec[i] == 0x28:  # (
            depth, i = 1, i + 1
            while i < end and depth:
                depth += {0x28: 1, 0x29: -1}.get(spec[i], 0)
                i += 1
        while i < end and spec[i] in b"-+ #0":
            i += 1
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
    charge(_size_check(symbol, left, right))
    return stable(_BINOPS[symbol](left, right))


def guarded_inplacevar(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise ScriptError(f"operator {op} is not allowed")
    built = _size_check(op[:-1], target, value)
    if op == "+=" and isinstance(target, list):  # extends the list in place: only the new items are built
        built = len(value) if isinstance(value, list | tuple | str) else 0
    charge(built)
    return stable(_INPLACE[op](target, value))


# Sets. A set of strings (or dates) iterates in an order that depends on the process's hash seed, which Python
# draws anew at every start: list({'a', 'b'}) can differ between the process that stepped a case and the one that
# replays it, and verification would report tampering that never happened. Scripts get sets that iterate in an
# order of their own (by type name, then repr), whatever the seed; the policy turns set displays and
# comprehensions into them, and the operators above turn the sets that `|`, `&`, `-` and `^` make.


def _order(item: object) -> tuple[str, str]:
    tick()  # sorting a large set is work the script asked for: it counts against the budget
    return type(item).__name__, repr(item)


def _ordered(items: Iterator[Any]) -> list[tuple[tuple[str, str], Any]]:
    """(order key, item) by key; each item's repr is made once, so nested sets cost what their size is."""
    return sorted(((_order(item), item) for item in items), key=operator.itemgetter(0))


class StableSet(set[Any]):
    """set() of the sandbox: iteration, repr() and pop() in an order that no hash seed changes."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        return iter([item for _key, item in _ordered(set.__iter__(self))])

    def __repr__(self) -> str:
        return "{" + ", ".join(key[1] for key, _item in _ordered(set.__iter__(self))) + "}" if self else "set()"

    def pop(self) -> Any:
        if not self:
            raise KeyError("pop from an empty set")
        item = min(set.__iter__(self), key=_order)
        self.discard(item)
        return item


class StableFrozenSet(frozenset[Any]):
    """frozenset() of the sandbox, ordered as StableSet."""

    __slots__ = ()

    def __iter__(self) -> Iterator[Any]:
        return iter([item for _key, item in _ordered(frozenset.__iter__(self))])

    def __repr__(self) -> str:
        if not self:
            return "frozenset()"
        return "frozenset({" + ", ".join(key[1] for key, _item in _ordered(frozenset.__iter__(self))) + "})"


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
        charge(_size_check("**", base, exp))
        return operator.pow(base, exp)
    return pow(base, exp, mod)


def _width_guard(method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(width: int, *args: Any) -> Any:
        if isinstance(width, int) and width > MAX_SEQUENCE:
            raise _too_big(f"{method.__name__}()")
        charge(width if isinstance(width, int) else 0)
        return method(width, *args)

    return guarded


def _string_method(obj: str | bytes, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """Guard the string methods whose result can be far larger than their inputs."""
    if name in ("ljust", "rjust", "center", "zfill"):
        return _width_guard(method)
    if name == "expandtabs":

        def expandtabs(tabsize: int = 8) -> Any:
            charge(_size_check("*", obj, max(tabsize, 1)))
            return method(tabsize)

        return expandtabs
    if name == "replace":

        def replace(old: Any, new: Any, count: int = -1) -> Any:
            hits = obj.count(old) if old else len(obj) + 1
            size = len(obj) + hits * max(len(new) - len(old), 0)
            if size > MAX_SEQUENCE:
                raise _too_big("replace()")
            charge(size)
            return method(old, new, count)

        return replace
    if name == "join":

        def join(items: Any) -> Any:
            items = list(items)
            total = sum(len(i) for i in items if isinstance(i, str | bytes)) + len(obj) * len(items)
            if total > MAX_SEQUENCE:
                raise _too_big("join()")
            charge(total)
            return method(items)

        return join
    if name in ("split", "rsplit", "splitlines"):

        def split(*args: Any, **kwargs: Any) -> Any:
            charge(len(obj))
            return method(*args, **kwargs)

        return split
    return method


def _list_method(obj: list[Any], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    if name != "extend":
        return method

    def extend(items: Any) -> None:
        items = list(items)
        if len(obj) + len(items) > MAX_SEQUENCE:
            raise _too_big("extend()")
        charge(len(items))
        method(items)

    return extend


def guarded_getattr(obj: object, name: str, default: object = None) -> object:
    if name in _FORBIDDEN_ATTRS:
        raise ScriptError(f"attribute '{name}' is not allowed")
    if obj is guarded_str:  # the scripts' `str`: its methods are guarded as the type's are
        obj = str
    value = safer_getattr(obj, name, default)  # type: ignore[no-untyped-call]
    if isinstance(obj, str | bytes) and callable(value):
        return _string_method(obj, name, value)
    if isinstance(obj, list) and callable(value):
        return _list_method(obj, name, value)
    if obj in (str, bytes) and name in ("maketrans", "fromhex"):
        return value  # static and class methods: their results are no larger than what they are given
    if obj in (str, bytes, list) and callable(value):
        return _unbound(obj, name)
    if name in ("strftime", "strptime") and callable(value) and _is_time_kind(obj):
        return _fixed_directives(value)
    return value


def _is_time_kind(obj: object) -> bool:
    return isinstance(obj, date | time) or (isinstance(obj, type) and issubclass(obj, date | time))


# strftime/strptime directives whose result is the same in every process: no locale (%a %b %c %p %x …) and no
# time zone of the machine (%s, %Z of a naive value); a replay elsewhere must format as the step did
_PORTABLE_DIRECTIVES = frozenset("YymdHIMSfjzwuUWGV%")


def _fixed_directives(method: Callable[..., Any]) -> Callable[..., Any]:
    def checked(*args: Any) -> Any:
        # the format is the last argument: d.strftime(fmt), date.strftime(d, fmt), datetime.strptime(text, fmt)
        for fmt in [a for a in args[-1:] if isinstance(a, str)]:
            directives = fmt.split("%")[1:]
            skip = False
            for part in directives:
                if skip:  # the second half of "%%"
                    skip = False
                    continue
                if not part:
                    skip = True
                    continue
                if part[0] not in _PORTABLE_DIRECTIVES:
                    raise ScriptError(
                        f"%{part[0]} depends on the server's language or time zone; use %Y %m %d %H %M %S"
                    )
        return method(*args)

    return checked


def _unbound(kind: type, name: str) -> Callable[..., Any]:
    """`str.ljust(s, n)`: the method taken from the type, guarded as `s.ljust(n)` would be."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(self, kind):
            raise ScriptError(f"{kind.__name__}.{name}() needs a {kind.__name__}")
        return guarded_getattr(self, name)(*args, **kwargs)  # type: ignore[operator]

    return method


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
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise ScriptError(f"range() of more than {MAX_RANGE} items is not allowed")
    return result


def guarded_star(value: Any) -> Any:
    """A value unpacked into a display or a call (`[*a, *a]`): bounded and charged by its length, as `a + a` is."""
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset):
        if len(value) > MAX_SEQUENCE:
            raise _too_big("'*' unpacking")
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
                raise _too_big("slice assignment")
            charge(len(value))
        self._target[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._target[key]


def guarded_write(obj: Any) -> Any:
    """The scripts' write guard (`_write_`): RestrictedPython's, with lists written through _ListWrites."""
    return _ListWrites(obj) if type(obj) is list else full_write_guard(obj)
