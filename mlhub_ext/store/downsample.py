"""Downsampling that keeps spikes: per bucket, the points at the minimum and the maximum."""
from __future__ import annotations

import numpy as np


def minmax_indices(values: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` points: the first, the last, and for each of
    ``(max_points - 2) // 2`` equal buckets between them the positions of its minimum
    and its maximum, in order.

    NaN is kept visible: a bucket holding a NaN contributes it in place of its minimum,
    so a divergence is never smoothed away. Fully vectorised (no Python loop per bucket).
    """
    n = len(values)
    if n <= max_points:
        return np.arange(n)
    if max_points < 4:
        return np.array([0, n - 1])[:max_points]
    inner = np.asarray(values[1:-1], dtype=np.float64)
    buckets = min((max_points - 2) // 2, len(inner))
    size = len(inner) // buckets
    main = inner[: buckets * size].reshape(buckets, size)
    nan = np.isnan(main)
    filled = np.where(nan, -np.inf, main)
    # a NaN takes the minimum slot of its bucket, so it always shows
    lo = np.where(nan.any(axis=1), np.argmax(nan, axis=1), np.argmin(filled, axis=1))
    hi = np.argmax(filled, axis=1)
    offsets = np.arange(buckets) * size
    picks = [offsets + lo, offsets + hi]
    rest = inner[buckets * size:]
    if len(rest):  # the remainder joins as one more small bucket's extremes
        base = buckets * size
        finite = np.where(np.isnan(rest), -np.inf, rest)
        picks.append(np.array([base + int(np.argmin(finite)), base + int(np.argmax(finite))]))
    idx = np.unique(np.concatenate(picks)) + 1
    out = np.concatenate([[0], idx, [n - 1]])
    if len(out) > max_points:  # the remainder bucket can overflow by its two points
        out = np.concatenate([out[: max_points - 1], [n - 1]])
    return out
