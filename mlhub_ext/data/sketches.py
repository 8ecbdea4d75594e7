"""Bounded-memory summaries that are updated batch by batch and never revisit data.

- :class:`Moments`: count, mean and sum of squared deviations, merged with Chan et al.'s
  parallel form of Welford's update, so mean and std match a two-pass computation to
  floating-point rounding.
- :class:`Reservoir`: a uniform sample of at most ``capacity`` values (Vitter's
  algorithm R, vectorised, fixed seed). Holding every value while ``seen <= capacity``,
  it gives exact quantiles for small columns; beyond that a quantile's rank error has a
  standard deviation of ``sqrt(p(1-p)/capacity)`` (about 0.2 % of the rows for the
  median with the default 65 536), whatever the column's size.
- :class:`StreamingHistogram`: exact counts in at most ``bins`` equal-width bins whose
  width doubles (adjacent bins merge) whenever new values fall outside the covered
  range, so no first pass for the min/max is needed.
- :class:`DistinctCounter`: exact distinct count of 64-bit value hashes up to a cap,
  then a HyperLogLog with 2**14 registers (standard error about 0.8 %).
"""
from __future__ import annotations

import math

import numpy as np


def distinct_values(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of a 1-d array (sort-based: faster than np.unique's hashing here)."""
    if values.size < 2:
        return values
    ordered = np.sort(values, kind="stable")  # timsort: fast on merged sorted runs
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


class Moments:
    """Running count, mean and M2 (sum of squared deviations) of float values."""

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0

    def update(self, values: np.ndarray) -> None:
        """Add a batch of values (no NaN)."""
        m = int(values.size)
        if m == 0:
            return
        bmean = float(values.mean())
        bm2 = float(np.square(values - bmean).sum())
        total = self.n + m
        delta = bmean - self.mean
        self.mean += delta * m / total
        self.m2 += bm2 + delta * delta * self.n * m / total
        self.n = total

    def std(self, ddof: int = 1) -> float | None:
        """Standard deviation (``ddof=1`` as pandas), None when undefined."""
        if self.n - ddof <= 0:
            return None
        return math.sqrt(self.m2 / (self.n - ddof))


class Reservoir:
    """A uniform random sample of at most ``capacity`` values, seeded for reproducibility."""

    def __init__(self, capacity: int = 65_536, seed: int = 0) -> None:
        self.capacity = capacity
        self.buffer = np.empty(capacity, dtype=np.float64)
        self.size = 0
        self.seen = 0
        self._rng = np.random.default_rng(seed)

    @property
    def exact(self) -> bool:
        """True while the sample holds every value seen."""
        return self.seen <= self.capacity

    def update(self, values: np.ndarray) -> None:
        m = int(values.size)
        fill = min(self.capacity - self.size, m)
        if fill > 0:
            self.buffer[self.size:self.size + fill] = values[:fill]
            self.size += fill
        rest = values[fill:]
        if rest.size:
            # Algorithm R keeps item i (0-based) with probability capacity/(i+1), in a slot
            # chosen uniformly; later items overwrite earlier ones, as sequentially.
            index = np.arange(self.seen + fill, self.seen + m, dtype=np.float64)
            keep = self._rng.random(rest.size) * (index + 1) < self.capacity
            slots = self._rng.integers(0, self.capacity, int(keep.sum()))
            self.buffer[slots] = rest[keep]
        self.seen += m

    def quantiles(self, qs: list[float]) -> list[float] | None:
        """Quantiles with linear interpolation (pandas' default), None when empty."""
        if self.size == 0:
            return None
        return [float(v) for v in np.quantile(self.buffer[:self.size], qs)]


class StreamingHistogram:
    """Exact counts over equal-width bins anchored at the first value seen.

    Bin ``k`` covers ``[origin + k*w, origin + (k+1)*w)`` with ``w = base * 2**shift``.
    Values are binned as ``floor(floor((x - origin) / base) / 2**shift)`` so that merging
    bins later gives exactly the counts a direct binning would.
    """

    def __init__(self, bins: int = 20) -> None:
        self.bins = bins
        self.origin: float | None = None
        self.base = 1.0
        self.shift = 0
        self.lo = 0
        self.counts = np.zeros(0, dtype=np.int64)

    def update(self, values: np.ndarray) -> None:
        """Add finite values."""
        if values.size == 0:
            return
        if self.origin is None:
            vmin, vmax = float(values.min()), float(values.max())
            self.origin = vmin
            span = vmax - vmin
            scale = span if span > 0 else max(abs(vmin), 1.0)
            # Slightly wider than span/bins so the maximum lands in the last bin.
            self.base = scale / self.bins * (1 + 1e-9)
        raw = np.floor((values - self.origin) / self.base)
        idx = np.floor(raw / 2.0 ** self.shift)
        lo = int(idx.min()) if not self.counts.size else min(self.lo, int(idx.min()))
        hi = int(idx.max()) if not self.counts.size else max(self.lo + self.counts.size - 1, int(idx.max()))
        while hi - lo + 1 > self.bins:
            self._double()
            idx = np.floor(raw / 2.0 ** self.shift)
            lo, hi = lo // 2, hi // 2
        start = lo if not self.counts.size else min(lo, self.lo)
        merged = np.zeros(hi - start + 1, dtype=np.int64)
        if self.counts.size:
            merged[self.lo - start:self.lo - start + self.counts.size] += self.counts
        merged += np.bincount((idx - start).astype(np.int64), minlength=merged.size)
        self.lo, self.counts = start, merged

    def _double(self) -> None:
        self.shift += 1
        if self.counts.size:
            first = self.lo // 2
            last = (self.lo + self.counts.size - 1) // 2
            merged = np.zeros(last - first + 1, dtype=np.int64)
            np.add.at(merged, np.arange(self.lo, self.lo + self.counts.size) // 2 - first, self.counts)
            self.lo, self.counts = first, merged

    def result(self) -> dict[str, list[float] | list[int]] | None:
        """``{"edges": [...n+1], "counts": [...n]}``, or None when nothing was added."""
        if self.origin is None or not self.counts.size:
            return None
        width = self.base * 2.0 ** self.shift
        edges = [self.origin + (self.lo + i) * width for i in range(self.counts.size + 1)]
        return {"edges": edges, "counts": [int(c) for c in self.counts]}


class DistinctCounter:
    """Distinct count of uint64 hashes: exact up to ``cap``, then HyperLogLog."""

    P = 14

    def __init__(self, cap: int = 100_000) -> None:
        self.cap = cap
        # While exact: sorted distinct hashes, plus batches not yet merged (merging once per
        # ``cap`` new hashes keeps the cost linear in the data).
        self._exact: np.ndarray | None = np.zeros(0, dtype=np.uint64)
        self._pending: list[np.ndarray] = []
        self._pending_size = 0
        self._registers: np.ndarray | None = None

    @property
    def exact(self) -> bool:
        self._merge()
        return self._exact is not None

    def update(self, hashes: np.ndarray) -> None:
        if hashes.size == 0:
            return
        hashes = hashes.astype(np.uint64, copy=False)
        if self._exact is None:
            self._add_hll(hashes)
            return
        self._pending.append(hashes)
        self._pending_size += hashes.size
        if self._pending_size >= self.cap:
            self._merge()

    def _merge(self) -> None:
        if self._exact is None or not self._pending:
            return
        self._exact = distinct_values(np.concatenate([self._exact, *self._pending]))
        self._pending, self._pending_size = [], 0
        if self._exact.size > self.cap:
            hashes, self._exact = self._exact, None
            self._registers = np.zeros(1 << self.P, dtype=np.uint8)
            self._add_hll(hashes)

    def _add_hll(self, hashes: np.ndarray) -> None:
        assert self._registers is not None
        index = (hashes >> np.uint64(64 - self.P)).astype(np.int64)
        rest = (hashes << np.uint64(self.P)) >> np.uint64(11)  # top 53 bits: exact as float
        with np.errstate(divide="ignore"):
            rank = np.where(rest > 0, 53 - np.floor(np.log2(rest.astype(np.float64))), 51)
        np.maximum.at(self._registers, index, rank.astype(np.uint8))

    def count(self) -> int:
        self._merge()
        if self._exact is not None:
            return int(self._exact.size)
        assert self._registers is not None
        m = float(1 << self.P)
        alpha = 0.7213 / (1 + 1.079 / m)
        estimate = alpha * m * m / float(np.sum(np.exp2(-self._registers.astype(np.float64))))
        zeros = int(np.count_nonzero(self._registers == 0))
        if estimate <= 2.5 * m and zeros:
            estimate = m * math.log(m / zeros)
        return int(round(estimate))
