"""Stored series summaries (store/series_summary.py, store/series_read.py) on SQLite and
PostgreSQL: the summary path draws the same picture as the raw path on random series (out of
order, NaN and infinities, appends across page boundaries, zooms), the pages kept up on append
equal pages rebuilt from scratch, the migration backfills them, and an append is a constant
number of statements whatever the number of metrics."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from alembic import command
from hypothesis import HealthCheck, example, given, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from sqlalchemy import event, select

from mlhub_ext.core.run_table import parse_series_request
from mlhub_ext.core.store import MetricBatch
from mlhub_ext.store import open_registry, series_read
from mlhub_ext.store.orm import ChunkRow, SeriesRow, SummaryRow
from mlhub_ext.store.schema import alembic_config, upgrade
from mlhub_ext.store.series_summary import LEVELS, PAGE, rebuild, unpack


@dataclass
class Logged:
    steps: np.ndarray
    values: np.ndarray
    stamps: np.ndarray
    cuts: list[int]          # batch boundaries
    reverse: bool            # batches appended last first


@st.composite
def logged(draw: st.DrawFn) -> Logged:
    """A series of 2,000-40,000 points (so that level 0 spans several 64-bucket pages), with
    strides, jumps, spikes, NaN and infinities, duplicate steps, appended in several batches,
    in order or out of order."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(2_000, 40_000))
    stride = draw(st.sampled_from([1, 1, 2, 7]))
    gaps = np.ones(n, dtype=np.int64) if stride == 1 else rng.integers(0, stride + 1, n)   # 0: a step logged twice
    for _ in range(draw(st.integers(0, 2))):
        gaps[rng.integers(0, n)] += draw(st.integers(1, 10**7))
    gaps[0] = 0
    steps = draw(st.integers(0, 5000)) + np.cumsum(gaps)
    values = np.cumsum(rng.normal(size=n))
    for _ in range(draw(st.integers(0, 5))):
        values[rng.integers(0, n)] = draw(st.sampled_from([1e9, -1e9, math.nan, math.inf, -math.inf]))
    stamps = 1.7e9 + np.arange(n) * 0.1
    k = draw(st.integers(1, 12))
    cuts = sorted({0, n, *rng.integers(1, n, k - 1).tolist()})
    shuffle = draw(st.booleans())
    if shuffle:   # some points of a later batch land in earlier pages
        i = rng.integers(0, n, 50)
        j = rng.integers(0, n, 50)
        steps[i], steps[j] = steps[j].copy(), steps[i].copy()
    return Logged(steps.astype(np.int64), values, stamps, cuts, draw(st.booleans()))


def store(registry, s: Logged) -> str:  # type: ignore[no-untyped-def]
    run = registry.create_run("alice", "p")
    batches = [MetricBatch("m", s.steps[a:b], s.values[a:b], s.stamps[a:b]) for a, b in zip(s.cuts[:-1], s.cuts[1:])]
    for batch in (batches[::-1] if s.reverse else batches):
        registry.store.append_metrics(run.id, None, [batch])
    return run.id


def answer(registry, run_id: str, body: dict, prefer: str):  # type: ignore[no-untyped-def]
    request = parse_series_request({"runs": [run_id], "keys": ["m"], **body})
    request.starts = {run_id: 0.0}
    with registry.store._read() as c:
        plan = series_read._plan(request, c.execute(select(SeriesRow.__table__)
                                                    .where(SeriesRow.__table__.c.run_id == run_id)).one(), prefer)
        return plan.kind, series_read.query_series(c, request, prefer=prefer)[0]


def same_point(a: tuple, b: tuple) -> bool:
    return a[0] == b[0] and (a[1] == b[1] or (math.isnan(a[1]) and math.isnan(b[1]))) and a[2] == b[2]


def check_picture(raw_all, got, max_points: int,  # type: ignore[no-untyped-def]
                  edges: tuple[int, int] = (1, 1)) -> None:
    """``got`` draws the picture of the points ``raw_all`` (every point in range, sorted by step).
    ``edges``: the first (last) point is the same point, or, where that side's figure is a
    bucket width ``w > 1``, a point in the same ``w``-step bucket (``step // w``) as it."""
    steps, values, stamps = (np.asarray(raw_all.steps), np.asarray(raw_all.values), np.asarray(raw_all.timestamps))
    g_steps, g_values, g_stamps = np.asarray(got.steps), np.asarray(got.values), np.asarray(got.timestamps)
    assert len(g_steps) <= max_points and np.all(np.diff(g_steps) >= 0)
    assert got.total == raw_all.total and got.last_step == raw_all.last_step
    if not len(steps):
        assert not len(g_steps)
        return
    ends = lambda s, v, t: ((int(s[0]), float(v[0]), float(t[0])), (int(s[-1]), float(v[-1]), float(t[-1])))  # noqa: E731
    (f1, l1), (f2, l2) = ends(steps, values, stamps), ends(g_steps, g_values, g_stamps)
    for want, have, w in ((f1, f2, edges[0]), (l1, l2, edges[1])):
        if w == 1:
            assert same_point(want, have), "the same first and last point"
        else:
            assert want[0] // w == have[0] // w, f"the first (last) point in its {w}-step bucket"
    logged = {(int(s), float(v) if not math.isnan(v) else "nan", float(t)) for s, v, t in zip(steps, values, stamps)}
    for s, v, t in zip(g_steps, g_values, g_stamps):
        assert (int(s), float(v) if not math.isnan(v) else "nan", float(t)) in logged, "every point was logged"
    finite = values[~np.isnan(values)]
    assert np.isnan(values).any() == np.isnan(g_values).any(), "NaN stays visible"
    if not got.downsampled:
        return
    lo, hi = np.asarray(got.band_min), np.asarray(got.band_max)
    if len(finite):   # in the band always; as a point where no NaN took its bucket's minimum slot
        assert np.nanmin(lo) == finite.min() and np.nanmax(hi) == finite.max(), "the global min and max are kept"
        assert finite.max() in g_values
        assert finite.min() in g_values or np.isnan(g_values).any()
    ok = ~np.isnan(g_values)
    assert np.all(lo[ok] <= g_values[ok]) and np.all(g_values[ok] <= hi[ok])
    # every logged point lies within the band of the picked points on either side of it
    right = np.clip(np.searchsorted(g_steps, steps, side="left"), 0, len(g_steps) - 1)
    left = np.clip(np.searchsorted(g_steps, steps, side="right") - 1, 0, len(g_steps) - 1)
    with np.errstate(invalid="ignore"):
        band_lo, band_hi = np.fmin(lo[left], lo[right]), np.fmax(hi[left], hi[right])
    num = ~np.isnan(values)
    assert np.all(band_lo[num] <= values[num]) and np.all(values[num] <= band_hi[num])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(s=logged(), max_points=st.integers(6, 1200), zoom=st.tuples(st.floats(0, 1), st.floats(0, 1)),
       whole=st.booleans())
@example(s=Logged(np.arange(30_000, dtype=np.int64), np.sin(np.arange(30_000) / 50.0),
                  1.7e9 + np.arange(30_000) * 0.1, [0, 10_000, 30_000], False),
         max_points=1000, zoom=(0.33, 0.66), whole=False)
@example(s=Logged(np.arange(30_000, dtype=np.int64), np.sin(np.arange(30_000) / 50.0),
                  1.7e9 + np.arange(30_000) * 0.1, [0, 10_000, 30_000], False),
         max_points=100, zoom=(0.33, 0.66), whole=False)   # level-0 edges, both cuts off a bucket edge
@example(s=Logged(np.r_[np.arange(9_900), 9_899, np.arange(9_900, 30_000)].astype(np.int64),
                  np.r_[np.zeros(9_899), 10.0, -10.0, np.zeros(20_100)],
                  1.7e9 + np.arange(30_001) * 0.1, [0, 30_001], False),
         max_points=1000, zoom=(0.33, 0.66), whole=False)   # the cut's first step logged twice: +10, then -10
def test_summary_and_raw_draw_the_same_picture(registry, s: Logged, max_points: int, zoom, whole: bool) -> None:  # type: ignore[no-untyped-def]
    """The summary path draws the raw path's picture of the range; where a query bucket spans
    at least 8 level-0 buckets (16 steps: a quarter of a pixel at a point per pixel; the
    store's ``series_read.FINE_EDGES``), exact to a level-0 bucket at the edges the range cuts
    into the series: the picture of the points from the first to the last whole level-0
    bucket in range, its first (last) point one in the same level-0 bucket as the first
    (last) point there. Elsewhere the ends are exact."""
    run_id = store(registry, s)
    body: dict = {"max_points": max_points}
    first, last = int(s.steps.min()), int(s.steps.max())
    if not whole:
        a, b = sorted(zoom)
        body.update(min_step=first + int(a * (last - first)), max_step=first + int(b * (last - first)))
    kind, got = answer(registry, run_id, body, "summary")
    lo, hi = max(first, body.get("min_step", first)), min(last, body.get("max_step", last))
    span = hi - lo + 1
    buckets = (max_points - 2) // 2
    w = LEVELS[0]
    fine = kind == "summary" and span >= 8 * w * buckets
    edges = (w if fine and lo > first else 1, w if fine and hi < last else 1)
    inner = dict(body)   # the range rounded inward to level-0 bucket edges where the edges are fine
    if edges[0] > 1:
        inner["min_step"] = -(-lo // w) * w
    if edges[1] > 1:
        inner["max_step"] = (hi + 1) // w * w - 1
    hypothesis_event(f"path: {kind}" + (", level-0 edges" if fine and edges != (1, 1) else ""))
    _, every = answer(registry, run_id, {**inner, "max_points": 100_000}, "raw")
    _, raw = answer(registry, run_id, body, "raw")
    _, every_raw = answer(registry, run_id, {**body, "max_points": 100_000}, "raw")
    check_picture(every_raw, raw, max_points)   # the reference path keeps the promises checked
    check_picture(every, got, max_points, edges)
    estimate = len(s.steps) * span / (last - first + 1)   # points in range, as the plan estimates them
    if estimate > 2 * max_points and len(every_raw.steps) > 2 * max_points and buckets >= 2 and \
            span / 16 >= 0.5 * buckets:
        assert kind == "summary" and got.downsampled   # else too narrow for level 0: raw, as documented


def stored_pages(registry, run_id: str) -> dict:  # type: ignore[no-untyped-def]
    pages = SummaryRow.__table__
    series = SeriesRow.__table__
    with registry.store._read() as c:
        sid = c.execute(select(series.c.id).where(series.c.run_id == run_id)).scalar_one()
        rows = c.execute(select(pages).where(pages.c.series_id == sid)).all()
        head = c.execute(select(series.c.first_step, series.c.first_value, series.c.first_ts, series.c.last_ts)
                         .where(series.c.id == sid)).one()
    return {"head": tuple(head), **{(r.level, r.page): (r.n, unpack(r.data, r.stamps).tobytes()) for r in rows}}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(s=logged())
def test_pages_kept_on_append_equal_pages_rebuilt(registry, s: Logged) -> None:  # type: ignore[no-untyped-def]
    run_id = store(registry, s)
    kept = stored_pages(registry, run_id)
    assert any(key[0] == 0 and key[1] > 0 for key in kept if key != "head"), "several pages at level 0"
    with registry.store.write_engine.begin() as c:
        sid = c.execute(select(SeriesRow.__table__.c.id).where(SeriesRow.__table__.c.run_id == run_id)).scalar_one()
        rebuild(c, [sid], slice_points=3000)   # small slices: the merge across slices is exercised too
    assert stored_pages(registry, run_id) == kept
    assert sum(val[0] for key, val in kept.items() if key != "head" and key[0] == 0) == \
        len(np.unique(s.steps // LEVELS[0]))


def count_statements(registry, metrics: int) -> int:  # type: ignore[no-untyped-def]
    run = registry.create_run("alice", "p")
    engine = registry.store.write_engine
    seen: list[str] = []

    def note(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    def log(offset: int) -> None:
        registry.store.append_metrics(run.id, None, [
            MetricBatch(f"m{i}", list(range(offset, offset + 100)), [float(i)] * 100, [1.7e9] * 100)
            for i in range(metrics)])

    log(0)
    event.listen(engine, "before_cursor_execute", note)
    try:
        log(100)        # existing series: select, update, chunks, pages (select + upsert)
        before = len(seen)
        registry.store.append_metrics(run.id, None, [MetricBatch(f"new{i}", [0], [1.0], [1.7e9])
                                                     for i in range(metrics)])   # new series
        return before * 1000 + (len(seen) - before)
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_append_is_a_constant_number_of_statements(registry) -> None:  # type: ignore[no-untyped-def]
    one, many = count_statements(registry, 1), count_statements(registry, 60)
    assert one == many, (one, many)
    assert one // 1000 <= 8 and one % 1000 <= 8


def test_migration_backfills_summaries(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'old.db'}"
    reg = open_registry(url)
    rng = np.random.default_rng(3)
    runs = []
    for r in range(3):
        run = reg.create_run("alice", "p")
        for a in range(0, 9000, 1000):
            steps = np.arange(a, a + 1000)
            reg.store.append_metrics(run.id, None, [MetricBatch("m", steps, rng.normal(size=1000), 1.7e9 + steps)])
        runs.append(run.id)
    before = [stored_pages(reg, r) for r in runs]
    reg.store.close()
    command.downgrade(alembic_config(url), "0011")
    upgrade(url)
    reg = open_registry(url)
    assert [stored_pages(reg, r) for r in runs] == before
    with reg.store._read() as c:
        chunks = c.execute(select(ChunkRow.__table__.c.steps, ChunkRow.__table__.c.first_step,
                                  ChunkRow.__table__.c.last_step)).all()
    assert chunks and all(np.frombuffer(s, "<i8").min() == f and np.frombuffer(s, "<i8").max() == la
                          for s, f, la in chunks)
    kind, got = answer(reg, runs[0], {"max_points": 100}, "summary")
    _, every = answer(reg, runs[0], {"max_points": 100_000}, "raw")
    assert kind == "summary"
    check_picture(every, got, 100)
    reg.store.close()


def test_range_reads_skip_chunks_outside_it(registry) -> None:  # type: ignore[no-untyped-def]
    run = registry.create_run("alice", "p")
    for a in range(0, 100_000, 1000):
        steps = np.arange(a, a + 1000)
        registry.store.append_metrics(run.id, None, [MetricBatch("m", steps, np.cos(steps / 100.0), 1.7e9 + steps)])
    request = parse_series_request({"runs": [run.id], "keys": ["m"], "min_step": 40_500, "max_step": 40_700})
    request.starts = {run.id: 0.0}
    with registry.store._read() as c:
        row = c.execute(select(SeriesRow.__table__).where(SeriesRow.__table__.c.run_id == run.id)).one()
        plan = series_read._plan(request, row, None)
        parts = series_read._read_raw(c, [plan])
        got = series_read.query_series(c, request)[0]
    assert plan.kind == "raw" and len(parts[row.id]) == 1   # the one chunk of 40,000-40,999
    assert np.asarray(got.steps).tolist() == list(range(40_500, 40_701)) and not got.downsampled
    seen: list[int] = []

    def note(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if "metric_chunks" in statement:
            seen.append(1)

    engine = registry.store.read_engine

    def query(**body: Any) -> Any:
        """The series ``m`` as ``body`` asks for it, with the chunk reads noted in ``seen``."""
        seen.clear()
        request = parse_series_request({"runs": [run.id], "keys": ["m"], **body})
        request.starts = {run.id: 0.0}
        event.listen(engine, "after_cursor_execute", note)
        try:
            with registry.store._read() as c:
                return series_read.query_series(c, request)[0]
        finally:
            event.remove(engine, "after_cursor_execute", note)

    # the overview of 100,000 points comes from the summary: no chunk read at all
    got = query(max_points=1000)
    assert got.downsampled and not seen and got.steps[0] == 0 and got.steps[-1] == 99_999
    assert PAGE * LEVELS[0] < 100_000
    # a zoom: at 381 points over 33,333 steps (176 steps a query bucket, 11 level-0 buckets) the
    # cuts come from level 0, no chunk read, edges moved inward to multiples of 16; at 1,000
    # points (67 steps a query bucket) from the raw chunks at the cuts, the ends exact
    for points, chunks_read, ends in ((381, False, (30_016, 63_327)), (1000, True, (30_001, 63_333))):
        got = query(max_points=points, min_x=30_000.5, max_x=63_333.5)
        assert got.downsampled and bool(seen) == chunks_read, points
        assert ends[0] <= got.steps[0] < ends[0] + (16 if not chunks_read else 1)
        assert ends[1] - (16 if not chunks_read else 1) < got.steps[-1] <= ends[1]
    # after a live cursor the edge stays exact whatever the resolution: a client merges those
    # points after the last one it holds
    request = parse_series_request({"runs": [run.id], "keys": ["m"], "max_points": 381,
                                    "after_step": {run.id: {"m": 30_000}}})
    request.starts = {run.id: 0.0}
    with registry.store._read() as c:
        got = series_read.query_series(c, request)[0]
    assert got.downsampled and got.steps[0] == 30_001 and got.steps[-1] == 99_999


def test_a_series_keeps_the_levels_with_enough_buckets_and_starts_one_whole(registry) -> None:  # type: ignore[no-untyped-def]
    """Level j > 0 is written once the largest step reaches KEEP_FROM_BUCKETS buckets of it:
    4,095 steps keep level 0 alone; the append that crosses 4,096 builds level 1 whole (the
    pages a rebuild from the raw points makes), and a read asking for few points, which would
    have picked a coarser level, reads the coarsest kept one and still draws every point."""
    from mlhub_ext.store.series_summary import KEEP_FROM_BUCKETS, kept_levels

    assert kept_levels(KEEP_FROM_BUCKETS * LEVELS[1] - 1) == 1 and kept_levels(KEEP_FROM_BUCKETS * LEVELS[1]) == 2
    assert kept_levels(10**12) == len(LEVELS)
    run = registry.create_run("alice", "p")
    steps = np.arange(6_000, dtype=np.int64)
    values = np.sin(steps / 40.0)
    values[1234] = 50.0
    for a in range(0, 6_000, 500):
        registry.store.append_metrics(run.id, None, [MetricBatch("m", steps[a:a + 500], values[a:a + 500],
                                                                  1.7e9 + steps[a:a + 500] * 0.1)])
        levels = {key[0] for key in stored_pages(registry, run.id) if key != "head"}
        assert levels == ({0} if a + 499 < 4_096 else {0, 1}), (a, levels)
    kept = stored_pages(registry, run.id)
    with registry.store.write_engine.begin() as c:
        sid = c.execute(select(SeriesRow.__table__.c.id).where(SeriesRow.__table__.c.run_id == run.id)).scalar_one()
        rebuild(c, [sid])
    assert stored_pages(registry, run.id) == kept
    kind, got = answer(registry, run.id, {"max_points": 8}, prefer="summary")
    assert kind == "summary" and len(got.steps) <= 8 and 50.0 in list(got.values)
    raw = answer(registry, run.id, {"max_points": 100_000}, prefer="raw")[1]
    check_picture(raw, got, 8)
