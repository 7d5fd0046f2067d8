"""
Idle objects kept for reuse by key, bounded: the compiled training models of
an architecture (`engine/fit.py`) and the replay predictors of a model shape
(`engine/predict.py`) are both costly to make and cheap to keep, and both are
lent to one caller at a time.

`lent` also bounds how many of a key are out at once: in a burst, a caller
waits for one given back (a replay's frames take milliseconds) rather than
make another (a model built and its weight assignment compiled, holding the
interpreter's lock).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from contextlib import contextmanager


class Idle:
    """Idle objects by key; beyond `limit` in all (or `per_key` of one key) the least recently used go first."""

    def __init__(self, limit: int, per_key: int | None = None):
        self.limit, self.per_key = limit, per_key
        self._items: OrderedDict = OrderedDict()  # key → idle objects, the most recently given back last
        self._lock = threading.Lock()
        self._given_back = threading.Condition(self._lock)
        self._out: Counter = Counter()  # key → objects lent by `lent` and not yet given back
        self._held = threading.local()  # keys this thread holds through `lent` (it never waits for itself)

    def take(self, key):
        """The idle object of `key` given back last, or None."""
        with self._lock:
            return self._take(key)

    def _take(self, key):
        items = self._items.get(key)
        if not items:
            return None
        chosen = items.pop()
        if not items:
            del self._items[key]
        return chosen

    @contextmanager
    def lent(self, key, make, most: int | None = None, patience: float = 5.0):
        """An idle object of `key`, or a new one from `make()` if fewer than `most` of `key` are out, or else the
        first given back within `patience` seconds (after that a new one: a stuck holder delays, never blocks);
        given back afterwards. A thread that already holds one of `key` never waits."""
        held = self._held.__dict__.setdefault("keys", Counter())
        deadline = time.monotonic() + patience
        with self._given_back:
            item = self._take(key)
            while item is None and most is not None and self._out[key] >= most and not held[key] \
                    and self._given_back.wait(max(0.0, deadline - time.monotonic())):
                item = self._take(key)
            self._out[key] += 1
        held[key] += 1
        try:
            if item is None:
                item = make()
            yield item
        finally:
            held[key] -= 1
            with self._given_back:
                self._out[key] -= 1
                if not self._out[key]:
                    del self._out[key]
                if item is not None:
                    self._put(key, item)
                self._given_back.notify()

    def put(self, key, item) -> None:
        with self._lock:
            self._put(key, item)

    def _put(self, key, item) -> None:
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
