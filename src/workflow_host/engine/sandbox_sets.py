"""Sets of the sandbox, which iterate in the same order in every process.

A set of strings (or dates) iterates in an order that depends on the process's hash seed, which Python draws anew
at every start: list({'a', 'b'}) can differ between the process that stepped a case and the one that replays it,
and verification would report tampering that never happened. Scripts get sets that iterate in an order of their
own (by type name, then repr), whatever the seed; the policy turns set displays and comprehensions into them, and
the guarded operators turn the sets that `|`, `&`, `-` and `^` make.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from typing import Any

from .sandbox_policy import tick

__all__ = ["StableFrozenSet", "StableSet", "stable"]


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
