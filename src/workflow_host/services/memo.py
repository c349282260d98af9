"""A small map for values that cannot go stale because they are keyed by what they are made of (a version's
content hash): a version's specs, catalogue and forms are read and parsed once per process."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Memo"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """Thread-safe, at most `capacity` entries; the oldest goes first."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: dict[K, V] = {}
        self._lock = threading.Lock()

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        """The value kept for `key`; made and kept when absent (an error from `make` keeps nothing)."""
        found = self._items.get(key)
        if found is None:
            found = make()  # outside the lock: two threads may both make it, and either copy is right
            with self._lock:
                if len(self._items) >= self._capacity:
                    self._items.pop(next(iter(self._items)))
                self._items[key] = found
        return found
