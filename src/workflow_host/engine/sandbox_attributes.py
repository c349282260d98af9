"""The scripts' attribute access (`_getattr_`): RestrictedPython's, with the methods of strings and lists whose
result can be far larger than their inputs measured first, and the date and time directives kept to those that
format alike in every process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from RestrictedPython.Guards import safer_getattr

from .errors import ScriptError
from .limits import MAX_SEQUENCE
from .sandbox_operators import size_check, too_big
from .sandbox_policy import charge
from .sandbox_text import guarded_str

__all__ = ["guarded_getattr"]

_FORBIDDEN_ATTRS = frozenset({"mro", "gi_frame", "gi_code", "cr_frame", "f_globals", "f_locals", "f_back"})


def guarded_getattr(obj: object, name: str, default: object = None) -> object:
    """The scripts' attribute access: forbidden names refused, growing methods guarded."""
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


def _string_method(obj: str | bytes, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """Guard the string methods whose result can be far larger than their inputs."""
    if name in ("ljust", "rjust", "center", "zfill"):
        return _width_guard(method)
    guard = _STRING_GUARDS.get(name)
    return guard(obj, method) if guard is not None else method


def _width_guard(method: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(width: int, *args: Any) -> Any:
        if isinstance(width, int) and width > MAX_SEQUENCE:
            raise too_big(f"{method.__name__}()")
        charge(width if isinstance(width, int) else 0)
        return method(width, *args)

    return guarded


def _expandtabs_guard(obj: str | bytes, method: Callable[..., Any]) -> Callable[..., Any]:
    def expandtabs(tabsize: int = 8) -> Any:
        charge(size_check("*", obj, max(tabsize, 1)))
        return method(tabsize)

    return expandtabs


def _replace_guard(obj: str | bytes, method: Callable[..., Any]) -> Callable[..., Any]:
    def replace(old: Any, new: Any, count: int = -1) -> Any:
        hits = obj.count(old) if old else len(obj) + 1
        size = len(obj) + hits * max(len(new) - len(old), 0)
        if size > MAX_SEQUENCE:
            raise too_big("replace()")
        charge(size)
        return method(old, new, count)

    return replace


def _join_guard(obj: str | bytes, method: Callable[..., Any]) -> Callable[..., Any]:
    def join(items: Any) -> Any:
        items = list(items)
        total = sum(len(i) for i in items if isinstance(i, str | bytes)) + len(obj) * len(items)
        if total > MAX_SEQUENCE:
            raise too_big("join()")
        charge(total)
        return method(items)

    return join


def _split_guard(obj: str | bytes, method: Callable[..., Any]) -> Callable[..., Any]:
    def split(*args: Any, **kwargs: Any) -> Any:
        charge(len(obj))
        return method(*args, **kwargs)

    return split


_STRING_GUARDS: dict[str, Callable[[str | bytes, Callable[..., Any]], Callable[..., Any]]] = {
    "expandtabs": _expandtabs_guard,
    "replace": _replace_guard,
    "join": _join_guard,
    "split": _split_guard,
    "rsplit": _split_guard,
    "splitlines": _split_guard,
}


def _list_method(obj: list[Any], name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    if name != "extend":
        return method

    def extend(items: Any) -> None:
        items = list(items)
        if len(obj) + len(items) > MAX_SEQUENCE:
            raise too_big("extend()")
        charge(len(items))
        method(items)

    return extend


def _unbound(kind: type, name: str) -> Callable[..., Any]:
    """`str.ljust(s, n)`: the method taken from the type, guarded as `s.ljust(n)` would be."""

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(self, kind):
            raise ScriptError(f"{kind.__name__}.{name}() needs a {kind.__name__}")
        return guarded_getattr(self, name)(*args, **kwargs)  # type: ignore[operator]

    return method


def _is_time_kind(obj: object) -> bool:
    return isinstance(obj, date | time) or (isinstance(obj, type) and issubclass(obj, date | time))


# strftime/strptime directives whose result is the same in every process: no locale (%a %b %c %p %x …) and no
# time zone of the machine (%s, %Z of a naive value); a replay elsewhere must format as the step did
_PORTABLE_DIRECTIVES = frozenset("YymdHIMSfjzwuUWGV%")


def _fixed_directives(method: Callable[..., Any]) -> Callable[..., Any]:
    def checked(*args: Any) -> Any:
        # the format is the last argument: d.strftime(fmt), date.strftime(d, fmt), datetime.strptime(text, fmt)
        for fmt in [a for a in args[-1:] if isinstance(a, str)]:
            _check_directives(fmt)
        return method(*args)

    return checked


def _check_directives(fmt: str) -> None:
    skip = False
    for part in fmt.split("%")[1:]:
        if skip:  # the second half of "%%"
            skip = False
            continue
        if not part:
            skip = True
            continue
        if part[0] not in _PORTABLE_DIRECTIVES:
            raise ScriptError(f"%{part[0]} depends on the server's language or time zone; use %Y %m %d %H %M %S")
