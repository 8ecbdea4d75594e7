"""Per-user rate limiting of write requests (a token bucket per user)."""
from __future__ import annotations

import math
import threading
import time

from ..core.errors import ErrorCode, MLHubError, quoted


class RateLimiter:
    """``rate`` writes per second sustained, bursts up to ``burst``; ``rate <= 0`` disables it."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, user: str) -> None:
        """Take one token for ``user`` or raise ``rate_limited`` with a Retry-After in seconds."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(user, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens < 1.0:
                wait = math.ceil((1.0 - tokens) / self.rate)
                self._buckets[user] = (tokens, now)
                raise MLHubError(ErrorCode.RATE_LIMITED,
                                 f"too many write requests from {quoted(user)}; retry in {wait} s", retry_after=wait)
            self._buckets[user] = (tokens - 1.0, now)
