"""Loaded models kept for serving, bounded by the size of their stored bytes.

Keys are whatever identifies a model version to the caller (e.g. ``(model_id, version)``).
Loading happens outside the lock, so a slow load does not block hits on other models.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Hashable

from cachetools import LRUCache

from .predict import load_model

DEFAULT_MAX_BYTES = 512 * 1024 * 1024


class ModelCache:
    """A least-recently-used cache of loaded models, at most ``max_bytes`` of artifacts.

    A model whose bytes alone exceed the bound is still kept, alone, until the next one
    comes (rather than loaded again on every call).
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        bound = max(1, max_bytes)
        # Entries are (model, stored bytes). One over the bound weighs the bound, so it
        # evicts everything else and is evicted by the next; cachetools would refuse it.
        self._items: LRUCache[Hashable, tuple[Any, int]] = LRUCache(
            bound, getsizeof=lambda entry: max(1, min(entry[1], bound)))
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, fetch: Callable[[], tuple[bytes, str]]) -> Any:
        """The model for ``key``; on a miss ``fetch()`` returns ``(model_bytes, model_type)``."""
        with self._lock:
            entry = self._items.get(key)    # a hit becomes the most recently used
            if entry is not None:
                self.hits += 1
                return entry[0]
            self.misses += 1
        blob, model_type = fetch()
        model = self.load(blob, model_type)
        with self._lock:
            self._items[key] = (model, len(blob))
            self._evict()
        return model

    def _evict(self) -> None:
        """Called under the lock after each insert, once the least recently used models that
        no longer fit are gone (a subclass drops what it keeps next to them)."""

    def load(self, blob: bytes, model_type: str) -> Any:
        """A model object from stored bytes (subclasses decide what they trust)."""
        return load_model(blob, model_type)

    def discard(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    @property
    def size_bytes(self) -> int:
        """The stored bytes of the models held now."""
        with self._lock:
            return sum(size for _, size in self._items.values())

    def __len__(self) -> int:
        return len(self._items)
