"""Downsampling that keeps spikes: per step bucket, the points at the minimum and the maximum.

The buckets split the whole step range ``[first step, last step]`` into equal parts, so the
reduced series covers every part of the run: two neighbouring points of the result are at
most about two buckets apart (``4 * range / max_points`` steps) unless the run logged
nothing in between.
"""
from __future__ import annotations

import numpy as np


def bucket_count(max_points: int) -> int:
    """How many buckets fit in ``max_points``: two points each, plus the first and the last."""
    return (max_points - 2) // 2


def step_buckets(steps: np.ndarray, buckets: int) -> np.ndarray:
    """The bucket of each step: ``(step - first) * buckets // (last - first + 1)``.

    ``steps`` must be sorted (int64). Exact integer arithmetic (no float rounding at bucket
    edges); Python integers take over where the product would overflow int64.
    """
    first = int(steps[0])
    span = int(steps[-1]) - first + 1
    offsets = steps - first
    if span * buckets < 2**63:
        return (offsets * buckets) // span
    return np.array([int(o) * buckets // span for o in offsets.tolist()], dtype=np.int64)


def minmax_indices(values: np.ndarray, max_points: int, steps: np.ndarray | None = None) -> np.ndarray:
    """Indices (ascending) of at most ``max_points`` points that keep the picture of a series.

    ``steps`` (sorted, same length as ``values``; default: the positions) are split into
    ``(max_points - 2) // 2`` buckets of equal width over ``[steps[0], steps[-1]]``. The
    result holds the first point, the last point and, for every bucket that holds points,
    the first point at its minimum and the first at its maximum. NaN is kept visible: a
    bucket holding a NaN contributes its first NaN in place of its minimum, so a divergence
    is never smoothed away. ``max_points`` below 4 leaves room for the first and last only.
    Fully vectorised: O(n) numpy work, no Python loop per bucket.
    """
    n = len(values)
    if n <= max_points:
        return np.arange(n)
    if max_points < 4:
        return np.array([0, n - 1])[:max_points]
    vals = np.asarray(values, dtype=np.float64)
    pos = np.arange(n, dtype=np.int64)
    bucket = step_buckets(np.asarray(steps if steps is not None else pos, dtype=np.int64),
                          bucket_count(max_points))
    starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
    sizes = np.diff(np.r_[starts, n])
    group = np.repeat(np.arange(len(starts)), sizes)
    nan = np.isnan(vals)
    # NaN ranks below everything: it never wins the maximum, and it takes the minimum slot
    key = np.where(nan, -np.inf, vals)
    lo = first_where(key == np.minimum.reduceat(key, starts)[group], group, len(starts))
    has_nan = np.logical_or.reduceat(nan, starts)
    lo = np.where(has_nan, first_where(nan, group, len(starts)), lo)
    hi = first_where((key == np.maximum.reduceat(key, starts)[group]) & ~nan, group, len(starts))
    hi = np.where(hi < 0, starts, hi)   # a bucket of NaN only: its first point
    return np.unique(np.concatenate([[0, n - 1], lo, hi]))


def first_where(mask: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
    """For each group, the first index where ``mask`` holds (-1 where it never does)."""
    out = np.full(groups, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    g = group[idx]
    first = np.r_[True, g[1:] != g[:-1]] if len(g) else np.zeros(0, dtype=bool)
    out[g[first]] = idx[first]
    return out


def bucket_bands(values: np.ndarray, picked: np.ndarray, max_points: int,
                 positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each picked index (from :func:`minmax_indices` with the same ``max_points`` and
    ``positions``), the minimum and the maximum of the bucket it lies in: the band a chart
    draws behind a downsampled line. NaN is left out of both (a bucket of NaN only gives NaN).
    """
    vals = np.asarray(values, dtype=np.float64)
    bucket = step_buckets(np.asarray(positions, dtype=np.int64), bucket_count(max(max_points, 4)))
    first = np.r_[True, bucket[1:] != bucket[:-1]]
    starts = np.flatnonzero(first)
    group = np.cumsum(first) - 1
    lo = np.fmin.reduceat(vals, starts)
    hi = np.fmax.reduceat(vals, starts)
    return lo[group[picked]], hi[group[picked]]
