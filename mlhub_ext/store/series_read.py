"""Batched series reads (``POST /metrics/query``): from the stored summaries where they can
answer, else from only the raw chunks that overlap the asked range.

**The raw path** (few points in range, a narrow zoom, a time-axis range, or a series without a
summary) decodes the chunks whose ``[first_step, last_step]`` overlaps the range and reduces
them with store/downsample.py: exactly the documented downsampling.

**The summary path** (more than :data:`RAW_POINTS` points in range and at least
``MIN_FILL * buckets`` buckets of 16 steps in it) reads one level of the series' pyramid
(store/series_summary.py): the coarsest level with at least ``MIN_FILL`` summary buckets per
query bucket of the raw path, so that it reads between ``MIN_FILL`` and ``4 * MIN_FILL``
records per query bucket instead of every point. What it answers:
- exact: the first and the last point in range (from the series row, or, where the range
  cuts into the series, from the raw chunks of the two outermost non-empty summary buckets at
  each cut); every returned point is a logged point with its own step, value and time; the
  global minimum and maximum in range and every NaN bucket are kept; ``total``, ``last_step``;
- per query bucket, its first point at the minimum (or its first NaN) and at the maximum, and
  the band (min, max with NaN left out) of the bucket: exact for its buckets, which are the raw
  path's buckets with their edges moved to the nearest summary-bucket edge (each summary
  bucket goes to the query bucket its first step falls in; where the level is coarser than
  the raw path's buckets, fewer buckets, down to ``MIN_FILL`` of them: the answer then holds
  fewer than ``max_points`` points). Every point in range lies within the band of its bucket.
- on a time axis (``x`` = wall | relative, no ``min_x``/``max_x``) the buckets are of equal
  steps rather than of equal time (the raw path's are of equal time when the times increase
  with the steps): the same where a run logs at a steady rate. A time-axis range reads raw.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, or_, select

from ..core.run_table import SeriesAnswer, SeriesRequest
from .downsample import bucket_bands, bucket_count, minmax_indices
from .orm import ChunkRow, SeriesRow, SummaryRow
from .series_summary import LEVELS, PAGE, combine, point_records, unpack

_series, _chunks, _pages = SeriesRow.__table__, ChunkRow.__table__, SummaryRow.__table__

RAW_POINTS = 4_000   # at most this many points in range (estimated): read them raw
MIN_FILL = 0.5       # summary buckets per query bucket at the least (the answer's resolution)
IN_LIST = 2_000      # ids per IN (...)


@dataclass
class _Plan:
    row: Any
    kind: str            # "empty" | "raw" | "summary"
    lo: int | None = None   # asked step range (inclusive; None: open)
    hi: int | None = None
    level: int = 0


def query_series(c: Connection, request: SeriesRequest, prefer: str | None = None) -> list[SeriesAnswer]:
    """Every asked series of the asked runs, reduced as asked (see the module docstring).
    ``prefer`` ("raw" | "summary") forces a path where it can answer (tests compare them)."""
    cond = _series.c.run_id.in_(request.runs)
    if not request.patterns:
        cond = and_(cond, _series.c.key.in_(request.keys))
    found = c.execute(select(_series).where(cond)).all()
    if request.patterns:
        wanted = set(request.keys)
        found = [r for r in found if r.key in wanted or any(p.fullmatch(r.key) for p in request.patterns)]
    order = {r: i for i, r in enumerate(request.runs)}
    found.sort(key=lambda r: (order[r.run_id], r.key))
    plans = [_plan(request, r, prefer) for r in found]
    raw = _read_raw(c, [p for p in plans if p.kind == "raw"])
    summaries = _read_summaries(c, request, [p for p in plans if p.kind == "summary"])
    out = []
    for p in plans:
        if p.kind == "summary":
            out.append(summaries[p.row.id])
        else:
            out.append(_reduce(request, p.row, raw.get(p.row.id, [])))
    return out


def _plan(request: SeriesRequest, row: Any, prefer: str | None) -> _Plan:
    after = request.after_step.get(row.run_id, {}).get(row.key)
    lo = request.min_step if after is None else max(after + 1, request.min_step or 0)
    hi = request.max_step
    if request.x == "step":
        if request.min_x is not None:
            lo = max(lo or 0, math.ceil(request.min_x))
        if request.max_x is not None:
            hi = math.floor(request.max_x) if hi is None else min(hi, math.floor(request.max_x))
    elif request.min_x is not None or request.max_x is not None:
        return _Plan(row, "raw", lo, hi)   # a time range: by the points' own times
    if row.first_step is None:   # no summary (yet): raw
        return _Plan(row, "raw", lo, hi)
    first, last = int(row.first_step), int(row.last_step)
    a, b = max(first, lo if lo is not None else first), min(last, hi if hi is not None else last)
    if a > b or row.count == 0:
        return _Plan(row, "empty", lo, hi)
    span = b - a + 1
    points = row.count * span / (last - first + 1)
    buckets = bucket_count(request.max_points)
    level = _level(span, buckets)
    if prefer == "raw" or level is None or buckets < 2 or points <= request.max_points:
        return _Plan(row, "raw", lo, hi)
    if prefer != "summary" and (points <= RAW_POINTS or points <= 2 * span / LEVELS[level]):
        return _Plan(row, "raw", lo, hi)
    return _Plan(row, "summary", lo, hi, level)


def _level(span: int, buckets: int) -> int | None:
    """The coarsest level with at least ``MIN_FILL`` summary buckets per query bucket."""
    for j in range(len(LEVELS) - 1, -1, -1):
        if span / LEVELS[j] >= MIN_FILL * buckets:
            return j
    return None


# the raw path
def _read_raw(c: Connection, plans: list[_Plan]) -> dict[int, list[Any]]:
    """The chunks of these series that overlap the union of their ranges, in logged order."""
    parts: dict[int, list[Any]] = {p.row.id: [] for p in plans}
    if not plans:
        return parts
    los = [p.lo for p in plans]
    his = [p.hi for p in plans]
    lo = None if any(v is None for v in los) else min(v for v in los if v is not None)
    hi = None if any(v is None for v in his) else max(v for v in his if v is not None)
    ids = list(parts)
    for start in range(0, len(ids), IN_LIST):
        stmt = select(_chunks.c.series_id, _chunks.c.steps, _chunks.c["values"], _chunks.c.timestamps) \
            .where(_chunks.c.series_id.in_(ids[start:start + IN_LIST]))
        if lo is not None:
            stmt = stmt.where(or_(_chunks.c.last_step.is_(None), _chunks.c.last_step >= lo))
        if hi is not None:
            stmt = stmt.where(or_(_chunks.c.first_step.is_(None), _chunks.c.first_step <= hi))
        for sid, steps, values, stamps in c.execute(stmt.order_by(_chunks.c.id)):
            parts[sid].append((steps, values, stamps))
    return parts


def _reduce(request: SeriesRequest, row: Any, parts: list[Any]) -> SeriesAnswer:
    """The raw path for one series: its points in range, downsampled when more than asked."""
    run, key, total = row.run_id, row.key, int(row.count)
    steps = np.frombuffer(b"".join(p[0] for p in parts), dtype="<i8")
    values = np.frombuffer(b"".join(p[1] for p in parts), dtype="<f8")
    stamps = np.frombuffer(b"".join(p[2] for p in parts), dtype="<f8")
    n = len(steps)
    if n > 1 and np.any(steps[1:] < steps[:-1]):
        order = np.argsort(steps, kind="stable")
        steps, values, stamps = steps[order], values[order], stamps[order]
    keep = None
    after = request.after_step.get(run, {}).get(key)
    lo = request.min_step if after is None else max(after + 1, request.min_step or 0)
    if lo is not None:
        keep = steps >= lo
    if request.max_step is not None:
        keep = steps <= request.max_step if keep is None else keep & (steps <= request.max_step)
    if request.min_x is not None or request.max_x is not None:
        x = steps.astype(np.float64) if request.x == "step" else \
            stamps - (request.starts.get(run, 0.0) if request.x == "relative" else 0.0)
        inside = np.ones(n, dtype=bool)
        if request.min_x is not None:
            inside &= x >= request.min_x
        if request.max_x is not None:
            inside &= x <= request.max_x
        keep = inside if keep is None else keep & inside
    if keep is not None:
        steps, values, stamps = steps[keep], values[keep], stamps[keep]
    answer = SeriesAnswer(run, key, steps, values, stamps, False, total, int(row.last_step))
    if len(steps) > request.max_points:
        positions = steps
        if request.x != "step":
            micro = np.round(stamps * 1e6)
            if np.all(np.isfinite(micro)) and np.all(micro[1:] >= micro[:-1]):
                positions = micro.astype(np.int64)   # buckets of equal time on a time axis
        idx = minmax_indices(values, request.max_points, positions)
        answer.band_min, answer.band_max = bucket_bands(values, idx, request.max_points, positions)
        answer.steps, answer.values, answer.timestamps = steps[idx], values[idx], stamps[idx]
        answer.downsampled = True
    return answer


# the summary path
def _read_summaries(c: Connection, request: SeriesRequest, plans: list[_Plan]) -> dict[int, SeriesAnswer]:
    """Answers of the summary path: one SELECT of pages per level used, then one SELECT of the
    raw chunks at the cuts (where a range cuts into series)."""
    if not plans:
        return {}
    records: dict[int, np.ndarray] = {}
    for level in sorted({p.level for p in plans}):
        group = [p for p in plans if p.level == level]
        width = LEVELS[level] * PAGE
        lo_page = min((p.lo or 0) // width for p in group)
        his = [p.hi for p in group]
        hi_page = None if any(h is None for h in his) else max(h for h in his if h is not None) // width
        got: dict[int, list[np.ndarray]] = {p.row.id: [] for p in group}
        cols = [_pages.c.series_id, _pages.c.data] + ([_pages.c.stamps] if request.timestamps else [])
        ids = list(got)
        for start in range(0, len(ids), IN_LIST):
            stmt = select(*cols).where(_pages.c.series_id.in_(ids[start:start + IN_LIST]), _pages.c.level == level,
                                       _pages.c.page >= lo_page)
            if hi_page is not None:
                stmt = stmt.where(_pages.c.page <= hi_page)
            for row in c.execute(stmt.order_by(_pages.c.series_id, _pages.c.page)):
                got[row[0]].append(unpack(row[1], row[2] if request.timestamps else None))
        for p in group:
            rec = np.concatenate(got[p.row.id]) if got[p.row.id] else _empty_records()
            records[p.row.id] = _clip_records(rec, LEVELS[level], p)
    edges = {p.row.id: _edge_ranges(records[p.row.id], LEVELS[p.level], p) for p in plans}
    raw = _read_edges(c, edges)
    return {p.row.id: _from_summary(request, p, records[p.row.id], edges[p.row.id], raw.get(p.row.id))
            for p in plans}


def _empty_records() -> np.ndarray:
    return point_records(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))


def _clip_records(rec: np.ndarray, width: int, p: _Plan) -> np.ndarray:
    """The records of the buckets that overlap the plan's range."""
    keep = np.ones(len(rec), dtype=bool)
    if p.lo is not None:
        keep &= (rec["bucket"] + 1) * width - 1 >= p.lo
    if p.hi is not None:
        keep &= rec["bucket"] * width <= p.hi
    return rec[keep]


def _edge_ranges(rec: np.ndarray, width: int, p: _Plan) -> list[tuple[int, int]]:
    """The step ranges to read raw at the cuts: at a cut inside the series, the two outermost
    non-empty summary buckets on its side (the first one may hold no point in range; then the
    second holds the first point in range), from the cut."""
    out = []
    row = p.row
    if p.lo is not None and p.lo > row.first_step and len(rec):
        b = rec["bucket"][:2]
        out.append((max(p.lo, int(b[0]) * width), int(b[-1] + 1) * width - 1))
    if p.hi is not None and p.hi < row.last_step and len(rec):
        b = rec["bucket"][-2:]
        out.append((int(b[0]) * width, min(p.hi, int(b[-1] + 1) * width - 1)))
    return out


def _read_edges(c: Connection, edges: dict[int, list[tuple[int, int]]]) -> dict[int, tuple[np.ndarray, ...]]:
    """The raw points of each series inside its edge ranges (one SELECT per IN list: the
    chunks overlapping the union of the low cuts' ranges or of the high cuts')."""
    wanted = {sid: r for sid, r in edges.items() if r}
    if not wanted:
        return {}
    ranges = [rg for r in wanted.values() for rg in r]
    # Low and high cuts: two windows (the ranges cluster around the two cuts of the request).
    mid = sorted(a for a, _ in ranges)[len(ranges) // 2]
    low = [rg for rg in ranges if rg[0] < mid] or ranges
    high = [rg for rg in ranges if rg[0] >= mid] or ranges
    windows = [(min(a for a, _ in w), max(b for _, b in w)) for w in (low, high)]
    cond = or_(*[and_(_chunks.c.first_step <= b, _chunks.c.last_step >= a) for a, b in windows])
    parts: dict[int, list[Any]] = {sid: [] for sid in wanted}
    ids = list(wanted)
    for start in range(0, len(ids), IN_LIST):
        stmt = select(_chunks.c.series_id, _chunks.c.steps, _chunks.c["values"], _chunks.c.timestamps) \
            .where(_chunks.c.series_id.in_(ids[start:start + IN_LIST]), cond).order_by(_chunks.c.id)
        for sid, steps, values, stamps in c.execute(stmt):
            parts[sid].append((steps, values, stamps))
    out = {}
    for sid, got in parts.items():
        steps = np.frombuffer(b"".join(p[0] for p in got), dtype="<i8")
        values = np.frombuffer(b"".join(p[1] for p in got), dtype="<f8")
        stamps = np.frombuffer(b"".join(p[2] for p in got), dtype="<f8")
        inside = np.zeros(len(steps), dtype=bool)
        for a, b in wanted[sid]:
            inside |= (steps >= a) & (steps <= b)
        out[sid] = (steps[inside], values[inside], stamps[inside])   # logged order kept
    return out


def _from_summary(request: SeriesRequest, p: _Plan, rec: np.ndarray, edges: list[tuple[int, int]],
                  raw: tuple[np.ndarray, ...] | None) -> SeriesAnswer:
    row, width = p.row, LEVELS[p.level]
    answer = SeriesAnswer(row.run_id, row.key, np.zeros(0, np.int64), np.zeros(0), np.zeros(0), True,
                          int(row.count), int(row.last_step))
    if raw is not None and len(raw[0]):
        # The summary buckets the raw reads cover are replaced by exact records of their points in range.
        covered = np.zeros(len(rec), dtype=bool)
        for a, b in edges:
            covered |= (rec["bucket"] >= a // width) & (rec["bucket"] <= b // width)
        steps, values, stamps = raw
        keep = np.ones(len(steps), dtype=bool)
        if p.lo is not None:
            keep &= steps >= p.lo
        if p.hi is not None:
            keep &= steps <= p.hi
        steps, values, stamps = steps[keep], values[keep], stamps[keep]
        exact = combine(point_records(steps, values, stamps), steps // width)
        rec = np.concatenate([rec[~covered], exact])
        rec = rec[np.argsort(rec["bucket"], kind="stable")]
    elif edges:
        covered = np.zeros(len(rec), dtype=bool)
        for a, b in edges:
            covered |= (rec["bucket"] >= a // width) & (rec["bucket"] <= b // width)
        rec = rec[~covered]   # the cut buckets hold no point in range
        steps = values = stamps = np.zeros(0)
    else:
        steps = values = stamps = np.zeros(0)
    if not len(rec):
        answer.downsampled = False
        return answer
    # the ends: the series row where the range reaches them, else the raw points at the cut
    if p.lo is None or p.lo <= row.first_step:
        first = (int(row.first_step), _nan(row.first_value), _nan(row.first_ts))
    else:
        i = int(np.argmin(steps))   # lowest step, earliest logged
        first = (int(steps[i]), float(values[i]), float(stamps[i]))
    if p.hi is None or p.hi >= row.last_step:
        last = (int(row.last_step), _nan(row.last_value), _nan(row.last_ts))
    else:
        i = len(steps) - 1 - int(np.argmax(steps[::-1]))
        last = (int(steps[i]), float(values[i]), float(stamps[i]))
    buckets = bucket_count(request.max_points)
    span = last[0] - first[0] + 1
    starts = np.clip(rec["bucket"] * width, first[0], last[0])
    group = _grid(starts, first[0], span, buckets)
    merged = combine(rec, group)
    with np.errstate(invalid="ignore"):
        band_hi = merged["hi_value"]
    pts_step = np.concatenate([[first[0], last[0]], merged["lo_step"], merged["hi_step"]]).astype(np.int64)
    pts_value = np.concatenate([[first[1], last[1]], merged["lo_value"], merged["hi_value"]])
    pts_ts = np.concatenate([[first[2], last[2]], merged["lo_ts"], merged["hi_ts"]])
    pts_group = np.concatenate([_grid(np.clip(np.array([first[0], last[0]]) // width * width, first[0], last[0]),
                                      first[0], span, buckets), merged["bucket"], merged["bucket"]])
    # one point once: same step, value and time (NaN compared by its bits)
    table = np.zeros(len(pts_step), dtype=[("s", "<i8"), ("v", "<u8"), ("t", "<u8")])
    table["s"], table["v"], table["t"] = pts_step, pts_value.view("<u8"), pts_ts.view("<u8")
    _, idx = np.unique(table, return_index=True)
    # by step; at a step logged more than once the first point leads and the last closes
    rank = np.ones(len(pts_step), dtype=np.int64)
    rank[0], rank[1] = 0, 2
    idx = idx[np.lexsort((rank[idx], pts_step[idx]))]
    pos = np.searchsorted(merged["bucket"], pts_group[idx])
    answer.steps, answer.values, answer.timestamps = pts_step[idx], pts_value[idx], pts_ts[idx]
    answer.band_min, answer.band_max = merged["band_lo"][pos], band_hi[pos]
    return answer


def _grid(positions: np.ndarray, first: int, span: int, buckets: int) -> np.ndarray:
    """The query bucket of each position: ``(position - first) * buckets // span``, exact."""
    offsets = np.asarray(positions, dtype=np.int64) - first
    if span * buckets < 2**63:
        return (offsets * buckets) // span
    return np.array([int(o) * buckets // span for o in offsets.tolist()], dtype=np.int64)


def _nan(v: float | None) -> float:
    return math.nan if v is None else float(v)
