"""Downsampled series cover the whole step range: a property test against a brute-force
reference, on the function and through the store (SQLite and PostgreSQL)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mlhub_ext.core.store import MetricBatch
from mlhub_ext.store.downsample import minmax_indices


@dataclass
class Series:
    steps: np.ndarray   # sorted int64
    values: np.ndarray  # float64 with spikes, NaN and ±Inf


@st.composite
def series(draw: st.DrawFn, max_len: int = 10**6) -> Series:
    """A series of any length built with numpy from a few drawn numbers (cheap at 10⁶ points).

    Steps are consecutive or random strides (gaps of up to ``stride`` steps, plus a few
    long jumps); values are a noisy curve with drawn spikes, NaN and infinities.
    """
    magnitude = draw(st.integers(0, len(str(max_len)) - 1))   # lengths spread over every size
    n = draw(st.integers(max(1, 10 ** magnitude // 10), min(max_len, 10 ** magnitude)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    start = draw(st.integers(0, 10**6))
    stride = draw(st.sampled_from([1, 1, 3, 1000]))
    gaps = np.ones(n, dtype=np.int64) if stride == 1 else rng.integers(1, stride + 1, n)
    for _ in range(draw(st.integers(0, 3))):   # long jumps: the run logged nothing for a while
        gaps[rng.integers(0, n)] += draw(st.integers(1, 10**9))
    gaps[0] = 0
    steps = start + np.cumsum(gaps)
    values = np.cumsum(rng.normal(size=n)) + rng.normal(size=n)
    specials = [1e9, -1e9, math.nan, math.inf, -math.inf, 0.0]
    for _ in range(draw(st.integers(0, 6))):   # spikes and non-finite values
        values[rng.integers(0, n)] = draw(st.sampled_from(specials))
    if draw(st.booleans()):                     # flat stretches make ties
        a = int(rng.integers(0, n))
        values[a:a + int(rng.integers(1, 500))] = 0.5
    return Series(steps.astype(np.int64), values)


def _million() -> Series:
    """A full-size run: 10⁶ points, a jump past 2³² steps, spikes and a NaN."""
    rng = np.random.default_rng(7)
    steps = np.arange(10**6, dtype=np.int64)
    steps[600_000:] += 5_000_000_000
    values = np.cumsum(rng.normal(size=10**6))
    values[[10, 400_000, 999_998]] = [1e9, -1e9, math.nan]
    return Series(steps, values)


MILLION = _million()
ISSUE = Series(np.arange(2000, dtype=np.int64), np.sin(np.arange(2000) / 7.0))


def reference(steps: list[int], values: list[float], max_points: int) -> list[int]:
    """Brute force, one point at a time: what the downsampling promises."""
    n = len(values)
    if n <= max_points:
        return list(range(n))
    if max_points < 4:
        return [0, n - 1][:max_points]
    buckets = (max_points - 2) // 2
    first, span = steps[0], steps[-1] - steps[0] + 1
    members: dict[int, list[int]] = {}
    for i, s in enumerate(steps):
        members.setdefault((s - first) * buckets // span, []).append(i)
    keep = {0, n - 1}
    for idxs in members.values():
        nans = [i for i in idxs if math.isnan(values[i])]
        numbers = [i for i in idxs if not math.isnan(values[i])]
        keep.add(nans[0] if nans else min(numbers, key=lambda i: (values[i], i)))
        keep.add(max(numbers, key=lambda i: (values[i], -i)) if numbers else idxs[0])
    return sorted(keep)


def check_reduced(s: Series, max_points: int, idx: np.ndarray) -> None:
    """The promises, stated directly (the reference could share a mistake with the code)."""
    n = len(s.values)
    assert len(idx) <= max_points
    assert list(idx) == sorted(set(idx.tolist()))
    if n == 0:
        return
    assert idx[0] == 0 and idx[-1] == n - 1, "the first and the last point are kept"
    if n <= max_points or max_points < 4:
        return
    buckets = (max_points - 2) // 2
    width = (int(s.steps[-1]) - int(s.steps[0]) + 1) / buckets
    # Two neighbouring kept points are less than two buckets apart, plus the longest
    # stretch the run itself left empty between them.
    for a, b in zip(idx[:-1].tolist(), idx[1:].tolist()):
        longest = int(np.max(np.diff(s.steps[a:b + 1])))
        assert s.steps[b] - s.steps[a] < 2 * width + longest, (a, b)


@settings(max_examples=60, deadline=None)
@given(series(), st.integers(4, 5000))
@example(MILLION, 1000)
@example(ISSUE, 1600)
@example(ISSUE, 1200)
def test_minmax_matches_the_brute_force_reference(s: Series, max_points: int) -> None:
    idx = minmax_indices(s.values, max_points, s.steps)
    assert idx.tolist() == reference(s.steps.tolist(), s.values.tolist(), max_points)
    check_reduced(s, max_points, idx)


@pytest.mark.parametrize("max_points", [1600, 1200, 50, 4])
def test_the_reported_case_covers_the_end(max_points: int) -> None:
    # before the fix: 1598 → 1999 with max_points=1600 and 1797 → 1999 with 1200
    steps = np.arange(2000)
    idx = minmax_indices(np.sin(steps / 7.0), max_points, steps)
    assert len(idx) <= max_points and idx[0] == 0 and idx[-1] == 1999
    assert np.diff(steps[idx]).max() <= 4 * 2000 / max_points + 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=series(), max_points=st.integers(4, 3000))
@example(s=MILLION, max_points=2000)
@example(s=ISSUE, max_points=1600)
def test_store_downsampling_matches_the_reference(registry, s: Series, max_points: int) -> None:
    """Stored in bulk (chunks of up to 400 000 points), read back downsampled, on both databases."""
    run = registry.create_run("alice", "p")
    rng = np.random.default_rng(len(s.values))
    stamps = np.full(len(s.values), 1.7e9)
    cuts = np.unique(np.r_[0, np.sort(rng.integers(0, len(s.values), 2)),
                           np.arange(0, len(s.values), 400_000), len(s.values)])
    batches = [MetricBatch("m", s.steps[a:b], s.values[a:b], stamps[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
    for batch in batches[::-1]:   # out of order: the store sorts by step
        registry.store.append_metrics(run.id, None, [batch])
    got = registry.get_series("alice", run.id, "m", max_points=max_points)
    expected = reference(s.steps.tolist(), s.values.tolist(), max_points)
    assert got.total == len(s.values) and got.downsampled == (len(s.values) > max_points)
    assert np.asarray(got.steps).tolist() == s.steps[expected].tolist()
    np.testing.assert_array_equal(np.asarray(got.values), s.values[expected])
    check_reduced(s, max_points, np.asarray(expected))
