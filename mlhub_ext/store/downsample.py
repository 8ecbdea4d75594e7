"""Downsampling that keeps spikes: per bucket, the points at the minimum and the maximum."""
from __future__ import annotations

import numpy as np


def minmax_indices(values: np.ndarray, max_points: int) -> np.ndarray:
    """Indices of at most ``max_points`` points: the first, the last, and for each bucket
    between them the positions of its minimum and maximum, in order.

    NaN and ±Inf are kept visible: a bucket holding a NaN contributes that point in
    place of its minimum, so a divergence is never smoothed away.
    """
    n = len(values)
    if n <= max_points:
        return np.arange(n)
    if max_points < 4:
        return np.unique(np.array([0, n - 1])[:max_points])
    buckets = (max_points - 2) // 2
    inner = values[1:-1]
    edges = np.linspace(0, len(inner), buckets + 1).astype(np.int64)
    starts, ends = edges[:-1], edges[1:]
    keep = starts < ends
    starts, ends = starts[keep], ends[keep]
    nan_mask = np.isnan(inner)
    lo_src = np.where(nan_mask, -np.inf, inner)  # NaN wins the "minimum" slot
    hi_src = np.where(nan_mask, -np.inf, inner)
    out = [np.array([0])]
    # Reduce per bucket with reduceat on argmin/argmax via sorting-free tricks:
    mins = np.minimum.reduceat(lo_src, starts)
    maxs = np.maximum.reduceat(hi_src, starts)
    lo_idx = np.empty(len(starts), dtype=np.int64)
    hi_idx = np.empty(len(starts), dtype=np.int64)
    for i, (s, e) in enumerate(zip(starts, ends)):
        seg_lo = lo_src[s:e]
        seg_hi = hi_src[s:e]
        lo_idx[i] = s + int(np.flatnonzero(seg_lo == mins[i])[0])
        hi_idx[i] = s + int(np.flatnonzero(seg_hi == maxs[i])[0])
    pairs = np.sort(np.stack([lo_idx, hi_idx], axis=1), axis=1).ravel() + 1
    out.append(np.unique(pairs))
    out.append(np.array([n - 1]))
    return np.unique(np.concatenate(out))
