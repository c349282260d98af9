"""Live instances kept between steps, so the next step of a case in this process skips the load.

An instance is taken out while a step works on it (no two threads share one) and put back only after
that step's transaction committed, under the key of the revision it was saved as; the database stays
the only source of truth, and a key that no longer matches the stored revision is simply never asked for.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

__all__ = ["LiveCache"]

T = TypeVar("T")


class LiveCache(Generic[T]):
    """A small thread-safe LRU of live objects; `take` removes what it returns."""

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: Hashable) -> T | None:
        with self._lock:
            return self._items.pop(key, None)

    def put(self, key: Hashable, item: T) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
