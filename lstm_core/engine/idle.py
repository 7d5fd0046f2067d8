"""
Idle objects kept for reuse by key, bounded: the compiled training models of
an architecture (`engine/fit.py`) and the predictors of a model shape
(`engine/predict.py`) are both costly to make and cheap to keep, and both are
lent to one caller at a time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class Idle:
    """Idle objects by key; beyond `limit` in all (or `per_key` of one key) the least recently used go first."""

    def __init__(self, limit: int, per_key: int | None = None):
        self.limit, self.per_key = limit, per_key
        self._items: OrderedDict = OrderedDict()  # key → idle objects, the most recently given back last
        self._lock = threading.Lock()

    def take(self, key, prefer=None):
        """An idle object of `key` (the latest given back for which `prefer` is true, if any), or None."""
        with self._lock:
            items = self._items.get(key)
            if not items:
                return None
            chosen = next((item for item in reversed(items) if prefer is not None and prefer(item)), items[-1])
            items.remove(chosen)
            if not items:
                del self._items[key]
            return chosen

    def put(self, key, item) -> None:
        with self._lock:
            items = self._items.setdefault(key, [])
            items.append(item)
            if self.per_key is not None:
                del items[:-self.per_key]
            self._items.move_to_end(key)
            while sum(len(kept) for kept in self._items.values()) > self.limit:
                oldest = next(iter(self._items))
                self._items[oldest].pop(0)
                if not self._items[oldest]:
                    del self._items[oldest]

    def of(self, key) -> list:
        with self._lock:
            return list(self._items.get(key, []))

    def all(self) -> list:
        with self._lock:
            return [item for items in self._items.values() for item in items]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
