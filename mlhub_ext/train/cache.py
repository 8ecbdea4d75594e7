"""Loaded models kept for serving, bounded by the size of their stored bytes.

Keys are whatever identifies a model version to the caller (e.g. ``(model_id, version)``).
Loading happens outside the lock, so a slow load does not block hits on other models.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

from .predict import load_model

DEFAULT_MAX_BYTES = 512 * 1024 * 1024


class ModelCache:
    """A least-recently-used cache of loaded models, at most ``max_bytes`` of artifacts."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, fetch: Callable[[], tuple[bytes, str]]) -> Any:
        """The model for ``key``; on a miss ``fetch()`` returns ``(model_bytes, model_type)``."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key][0]
            self.misses += 1
        blob, model_type = fetch()
        model = self.load(blob, model_type)
        with self._lock:
            self._items[key] = (model, len(blob))
            self._items.move_to_end(key)
            self._evict()
        return model

    def load(self, blob: bytes, model_type: str) -> Any:
        """A model object from stored bytes (subclasses decide what they trust)."""
        return load_model(blob, model_type)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    @property
    def size_bytes(self) -> int:
        return sum(size for _, size in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def _evict(self) -> None:
        # Always keep the newest entry, even if it alone exceeds the bound.
        while len(self._items) > 1 and self.size_bytes > self.max_bytes:
            self._items.popitem(last=False)
