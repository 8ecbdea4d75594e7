"""The series aggregates append_many computes for a whole group at once, against each series'
points taken one by one."""
from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mlhub_ext.store.metrics import _aggregates_many

point = st.tuples(st.integers(0, 6), st.one_of(st.floats(-5, 5), st.just(math.nan)))
series = st.lists(point, min_size=1, max_size=12)


def _naive(points: list[tuple[int, float]], stamps: list[float]) -> dict[str, float]:
    first = min(range(len(points)), key=lambda i: (points[i][0], i))           # lowest step, earliest logged
    last = max(range(len(points)), key=lambda i: (points[i][0], i))            # highest step, latest logged
    finite = [v for _, v in points if not math.isnan(v)]
    return {"first_step": points[first][0], "first_value": points[first][1], "first_ts": stamps[first],
            "last_step": points[last][0], "last_value": points[last][1], "last_ts": stamps[last],
            "min_value": min(finite) if finite else math.nan, "max_value": max(finite) if finite else math.nan}


@settings(max_examples=200, deadline=None)
@given(st.lists(series, min_size=1, max_size=6))
def test_aggregates_of_a_group_match_each_series_alone(group: list[list[tuple[int, float]]]) -> None:
    steps = np.array([s for pts in group for s, _ in pts], np.int64)
    values = np.array([v for pts in group for _, v in pts], np.float64)
    stamps = np.arange(len(steps), dtype=np.float64) + 0.5
    lens = np.array([len(pts) for pts in group], np.int64)
    starts = np.cumsum(lens) - lens
    got = _aggregates_many(steps, values, stamps, starts, lens)
    for i, pts in enumerate(group):
        want = _naive(pts, stamps[starts[i]:starts[i] + lens[i]].tolist())
        for field, value in want.items():
            assert float(got[field][i]) == value or (math.isnan(value) and math.isnan(got[field][i])), (field, i)
