"""A short-lived cache of valid API token records, so that authenticating a request does not
cost a database round trip every time (a logging client posts ten times a second).

Why it is safe:

- only *valid* records are kept (found, not revoked): an unknown token is looked up again on
  every request, so a token made on another replica works at once;
- a token's hash, user and scope never change after it is made, so a cached record can only
  be stale in two ways: it was revoked, or it expired. Expiry is checked on every request
  against the cached ``expires_at`` (exact, cached or not). Revocation through this process
  empties the cache at once; revocation through another replica (or ``mlhub token revoke``
  on the database) takes effect here within ``ttl_s`` seconds (default 60: ``MLHub.token_cache_ttl``),
  the bound the cache trades for the round trip; on PostgreSQL a revocation through any
  replica reaches the others at once (a ``tokens`` event over the stream's fan-out,
  services/fanout.py, empties their caches), so the TTL bounds only a revocation made on the
  database without a replica. JupyterHub's own ``HubAuth`` keeps a token's answer for 300 s
  (``cache_max_age``). At 5 s, 200 clients made 53 lookups a second, a sixth of the event
  loop's time.

Thread-safe: the event loop and the executor's threads authenticate at once.
"""
from __future__ import annotations

import random
import threading

from cachetools import TLRUCache

from .entities import ApiToken

#: Seconds a valid token's record is reused before it is read again (a revocation that no
#: replica announces takes effect within this).
TOKEN_CACHE_TTL_S = 60.0
TOKEN_CACHE_SIZE = 10_000


class TokenCache:
    """``{sha256 of the token: its record}`` for up to ``ttl_s`` seconds (0: nothing is kept)."""

    def __init__(self, ttl_s: float = TOKEN_CACHE_TTL_S, maxsize: int = TOKEN_CACHE_SIZE) -> None:
        self.ttl_s = float(ttl_s)
        # Each record is kept between half the TTL and the whole of it, at random: clients started
        # together would otherwise all be looked up again in the same moment, a stall of the
        # event loop as long as their lookups (the bound on a revocation elsewhere stays ttl_s).
        self._entries: TLRUCache[str, ApiToken] | None = (
            TLRUCache(maxsize, lambda _key, _rec, now: now + self.ttl_s * (0.5 + 0.5 * random.random()))
            if self.ttl_s > 0 else None)
        self._lock = threading.Lock()
        self._generation = 0   # bumped by clear(): a lookup begun before a revocation is not kept

    def generation(self) -> int:
        """Take this before reading a record from the store; pass it to :meth:`put`."""
        return self._generation

    def get(self, token_hash: str) -> ApiToken | None:
        if self._entries is None:
            return None
        with self._lock:
            return self._entries.get(token_hash)

    def put(self, token_hash: str, record: ApiToken, generation: int) -> None:
        """Keep a valid (found, unrevoked) record read from the store, unless the cache was
        cleared since ``generation`` was taken (the read may predate a revocation)."""
        if self._entries is None or record.revoked_at is not None:
            return
        with self._lock:
            if generation == self._generation:
                self._entries[token_hash] = record

    def clear(self) -> None:
        """Forget every record (a token was revoked through this process)."""
        if self._entries is None:
            return
        with self._lock:
            self._generation += 1
            self._entries.clear()
