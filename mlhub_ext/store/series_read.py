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
- except, exact to a level-0 bucket (16 steps) at the edges, where a query bucket spans at
  least :data:`FINE_EDGES` level-0 buckets (a level-0 bucket is then at most a quarter of a
  pixel for a chart that asks a point per pixel, as the lab does): an edge that cuts into
  the series moves inward to the nearest level-0 bucket edge, and the cut summary buckets
  come from the level-0 records instead of the raw chunks (no chunk is read; not for a series
  asked with ``after_step``, whose points a client merges after its cursor). The answer is
  then all the above for the points of the whole level-0 buckets in range (at most 15 steps
  at each cut edge are left out, never a point outside the range added), except that its
  first (last) point is a point of the first (last) non-empty level-0 bucket there, not
  necessarily the first (last) of them;
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
from .series_summary import DATA, LEVELS, PAGE, STAMPS, kept_levels, lo_hi_in_order

_series, _chunks, _pages = SeriesRow.__table__, ChunkRow.__table__, SummaryRow.__table__

RAW_POINTS = 4_000   # at most this many points in range (estimated): read them raw
MIN_FILL = 0.5       # summary buckets per query bucket at the least (the answer's resolution)
IN_LIST = 2_000      # ids per IN (...)
FINE_EDGES = 8       # finest summary buckets per query bucket from which the cuts are read from level 0


@dataclass
class _Plan:
    row: Any
    kind: str            # "empty" | "raw" | "summary"
    lo: int | None = None   # asked step range (inclusive; None: open)
    hi: int | None = None
    level: int = 0
    fine_edges: bool = False   # the cuts from level 0 (edges rounded inward to its buckets), not raw


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
    if level is not None:   # a series keeps only its levels with enough buckets (series_summary.kept_levels)
        level = min(level, kept_levels(last) - 1)
    if prefer == "raw" or level is None or buckets < 2 or points <= request.max_points:
        return _Plan(row, "raw", lo, hi)
    if prefer != "summary" and (points <= RAW_POINTS or points <= 2 * span / LEVELS[level]):
        return _Plan(row, "raw", lo, hi)
    if span < FINE_EDGES * LEVELS[0] * buckets or after is not None:
        return _Plan(row, "summary", lo, hi, level)
    # A query bucket spans FINE_EDGES level-0 buckets or more: a cut edge moves inward to a
    # level-0 bucket edge, and the cut buckets come from level 0 instead of the raw chunks.
    # (Not after a live cursor: the points after it are merged into what a client holds.)
    w = LEVELS[0]
    lo = -(-lo // w) * w if lo is not None and lo > first else lo
    hi = (hi + 1) // w * w - 1 if hi is not None and hi < last else hi
    return _Plan(row, "summary", lo, hi, level, fine_edges=True)


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
    rows: list[Any] = []
    for start in range(0, len(ids), IN_LIST):
        # No ORDER BY: SQLite would sort the rows, blobs and all, in a temporary b-tree.
        stmt = select(_chunks.c.id, _chunks.c.series_id, _chunks.c.steps, _chunks.c["values"], _chunks.c.timestamps) \
            .where(_chunks.c.series_id.in_(ids[start:start + IN_LIST]))
        # (every writer sets the bounds, and migration 0012 set them on older chunks)
        if lo is not None:
            stmt = stmt.where(_chunks.c.last_step >= lo)
        if hi is not None:
            stmt = stmt.where(_chunks.c.first_step <= hi)
        rows.extend(c.execute(stmt))
    rows.sort(key=lambda r: r[0])   # logged order
    for _, sid, steps, values, stamps in rows:
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
_NONE = np.iinfo(np.int64).max   # an open upper end of a range


def _read_summaries(c: Connection, request: SeriesRequest, plans: list[_Plan]) -> dict[int, SeriesAnswer]:
    """Answers of the summary path, per level used: one SELECT of pages, one SELECT of the raw
    chunks at the cuts (where a range cuts into series); the work on them is vectorised over
    all the series of a level at once (no numpy call per series)."""
    out: dict[int, SeriesAnswer] = {}
    for level in sorted({p.level for p in plans}):
        out.update(_summary_level(c, request, [p for p in plans if p.level == level], level))
    return out


def _summary_level(c: Connection, request: SeriesRequest, plans: list[_Plan], level: int) -> dict[int, SeriesAnswer]:
    plans = sorted(plans, key=lambda p: p.row.id)   # the pages come by series id, then page
    width, count = LEVELS[level], len(plans)
    index = {p.row.id: i for i, p in enumerate(plans)}
    lo = np.array([p.lo if p.lo is not None else -1 for p in plans], dtype=np.int64)
    hi = np.array([p.hi if p.hi is not None else _NONE for p in plans], dtype=np.int64)
    row_first = np.array([int(p.row.first_step) for p in plans], dtype=np.int64)
    row_last = np.array([int(p.row.last_step) for p in plans], dtype=np.int64)
    cols, sidx = _pages_of(c, request, plans, index, level, lo, hi)
    # the buckets that overlap each series' range, by (series, bucket)
    keep = ((cols["bucket"] + 1) * width - 1 >= lo[sidx]) & (cols["bucket"] * width <= hi[sidx])
    if not keep.all():
        cols, sidx = {k: v[keep] for k, v in cols.items()}, sidx[keep]
    # at a cut inside a series: the two outermost non-empty buckets on its side, read raw
    series = np.arange(count)
    starts, ends = np.searchsorted(sidx, series, "left"), np.searchsorted(sidx, series, "right")
    has = ends > starts
    low_cut, high_cut = has & (lo > row_first), has & (hi < row_last)
    bucket = cols["bucket"]
    la, lb = np.full(count, -1, np.int64), np.full(count, -2, np.int64)   # -1 > -2: no range
    ha, hb = la.copy(), lb.copy()
    i0 = starts[low_cut]
    i1 = np.minimum(i0 + 1, ends[low_cut] - 1)
    la[low_cut] = np.maximum(lo[low_cut], bucket[i0] * width)
    lb[low_cut] = (bucket[i1] + 1) * width - 1
    j1 = ends[high_cut] - 1
    j0 = np.maximum(j1 - 1, starts[high_cut])
    ha[high_cut] = bucket[j0] * width
    hb[high_cut] = np.minimum(hi[high_cut], (bucket[j1] + 1) * width - 1)
    # the cut ranges read raw, and those read from level 0 (plans with fine edges)
    fine = np.array([p.fine_edges for p in plans], dtype=bool)
    raw_cuts = [np.where(fine, none, v) for v, none in ((la, -1), (lb, -2), (ha, -1), (hb, -2))]
    fine_cuts = [np.where(fine, v, none) for v, none in ((la, -1), (lb, -2), (ha, -1), (hb, -2))]
    psid, ps, pv, pt = _read_edges(c, plans, index, *raw_cuts, request.timestamps)
    inside = (ps >= lo[psid]) & (ps <= hi[psid]) & (((ps >= la[psid]) & (ps <= lb[psid])) |
                                                   ((ps >= ha[psid]) & (ps <= hb[psid])))
    psid, ps, pv, pt = psid[inside], ps[inside], pv[inside], pt[inside]
    if len(ps) > 1 and not np.all((psid[1:] > psid[:-1]) | ((psid[1:] == psid[:-1]) & (ps[1:] >= ps[:-1]))):
        o = np.lexsort((np.arange(len(ps)), ps, psid))   # by series, step, then logged order
        psid, ps, pv, pt = psid[o], ps[o], pv[o], pt[o]
    # the records at the cuts, by series and step: the raw points (a record each), or the
    # level-0 records of whole level-0 buckets in range (series with fine edges)
    cut_cols = {"pos": ps, "lo_step": ps, "hi_step": ps, "lo_value": pv, "hi_value": pv, "band_lo": pv,
                "lo_ts": pt, "hi_ts": pt}
    csid = psid
    if (fine & (low_cut | high_cut)).any():
        f_cols, fsid = _fine_edges(c, request, plans, index, *fine_cuts, lo, hi, row_first, row_last)
        if len(fsid):
            f_cols["pos"] = f_cols.pop("bucket") * LEVELS[0]
            both = np.r_[csid, fsid]
            o = np.argsort(both, kind="stable")   # a series' records come from one of the two
            cut_cols = {k: np.r_[v, f_cols[k]][o] for k, v in cut_cols.items()}
            csid = both[o]
    if low_cut.any() or high_cut.any():
        # the cut buckets' summaries are replaced by exact records of their points in range
        covered = ((bucket >= la[sidx] // width) & (bucket <= lb[sidx] // width)) | \
                  ((bucket >= ha[sidx] // width) & (bucket <= hb[sidx] // width))
        pb = cut_cols["pos"] // width
        new_group = np.r_[True, (csid[1:] != csid[:-1]) | (pb[1:] != pb[:-1])] if len(pb) else np.zeros(0, bool)
        exact, esidx = _combine_sorted({**cut_cols, "bucket": pb}, np.cumsum(new_group), csid)
        part = np.r_[np.ones(int((~covered).sum()), np.int64),
                     np.where(exact["bucket"] * width <= lb[esidx], 0, 2)]   # before, amid, after the rest
        both = np.r_[sidx[~covered], esidx]
        order = np.argsort(both * 3 + part, kind="stable")
        cols = {k: np.r_[v[~covered], exact[k]][order] for k, v in cols.items()}
        sidx = both[order]
    alive = np.zeros(count, dtype=bool)
    alive[sidx] = True
    # the ends: the series row where the range reaches them, else the first (last) point of
    # the records at the cut: exact from raw points; from level 0, its first (last) record's
    f_step, f_value, f_ts = row_first.copy(), _col(plans, "first_value"), _col(plans, "first_ts")
    l_step, l_value, l_ts = row_last.copy(), _col(plans, "last_value"), _col(plans, "last_ts")
    if len(csid):
        firsts = np.flatnonzero(np.r_[True, csid[1:] != csid[:-1]])
        lasts = np.flatnonzero(np.r_[csid[1:] != csid[:-1], True])
        got_low = low_cut[csid[firsts]]
        i, at = firsts[got_low], csid[firsts][got_low]
        use_hi = cut_cols["hi_step"][i] < cut_cols["lo_step"][i]
        f_step[at], f_value[at], f_ts[at] = (np.where(use_hi, cut_cols["hi_" + f][i], cut_cols["lo_" + f][i])
                                             for f in ("step", "value", "ts"))
        got_high = high_cut[csid[lasts]]
        i, at = lasts[got_high], csid[lasts][got_high]
        use_lo = cut_cols["lo_step"][i] > cut_cols["hi_step"][i]
        l_step[at], l_value[at], l_ts[at] = (np.where(use_lo, cut_cols["lo_" + f][i], cut_cols["hi_" + f][i])
                                             for f in ("step", "value", "ts"))
    # the query buckets: the raw path's, each summary bucket in the one its first step falls in
    buckets = bucket_count(request.max_points)
    span = l_step - f_step + 1
    group = _grid(np.clip(cols["bucket"] * width, f_step[sidx], l_step[sidx]), f_step[sidx], span[sidx], buckets)
    m, g_sidx = _combine_sorted(cols, sidx * buckets + group, sidx)
    return _assemble(plans, m, g_sidx, alive, (f_step, f_value, f_ts), (l_step, l_value, l_ts))


def _combine_sorted(cols: dict[str, np.ndarray], key: np.ndarray,
                    sidx: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Merge records whose ``key`` is equal (``key`` non-decreasing, records in step order):
    per group the first NaN or else the first minimum, the first maximum (NaN left out; a
    group of NaN only: its first record's), the band's minimum. No sort: reductions at the
    group starts. Returns the merged columns and each group's series."""
    n = len(key)
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if n else np.zeros(0, np.int64)
    if len(starts) == n:
        return cols, sidx
    low, high = lo_hi_in_order(cols, starts, n)
    out = {f: cols[f][low] for f in ("lo_step", "lo_value", "lo_ts")}
    out.update({f: cols[f][high] for f in ("hi_step", "hi_value", "hi_ts")})
    with np.errstate(invalid="ignore"):
        out["band_lo"] = np.fmin.reduceat(cols["band_lo"], starts)
    out["bucket"] = cols["bucket"][starts]
    return out, sidx[starts]


def _assemble(plans: list[_Plan], m: dict[str, np.ndarray], g_sidx: np.ndarray, alive: np.ndarray,
              first: tuple[np.ndarray, ...], last: tuple[np.ndarray, ...]) -> dict[int, SeriesAnswer]:
    """The answers: per series its first point, each group's two points in step order (one
    where they are the same point), its last point; each with its group's band. Positions are
    computed, not sorted: groups come by series and step."""
    count = len(plans)
    series = np.arange(count)
    g_start = np.searchsorted(g_sidx, series, "left")
    g_end = np.searchsorted(g_sidx, series, "right")
    fp = {"step": first[0], "value": first[1], "ts": first[2]}
    lp = {"step": last[0], "value": last[1], "ts": last[2]}
    fg, lg = np.minimum(g_start, len(g_sidx) - 1), np.maximum(g_end - 1, 0)   # each series' first and last group
    pick = lambda d, i: {f: v[i] for f, v in d.items()}  # noqa: E731
    swap = m["hi_step"] < m["lo_step"]
    if alive.any():
        # two points at one step: the series' first point goes first, its last point last
        on = np.flatnonzero(alive)
        lo_p, hi_p = ({f: m[side + f] for f in ("step", "value", "ts")} for side in ("lo_", "hi_"))
        tie = m["hi_step"] == m["lo_step"]
        swap[fg[on][tie[fg[on]] & _same(pick(fp, on), pick(hi_p, fg[on]))]] = True
        swap[lg[on][tie[lg[on]] & _same(pick(lp, on), pick(lo_p, lg[on]))]] = True
    a = {f: np.where(swap, m["hi_" + f], m["lo_" + f]) for f in ("step", "value", "ts")}
    b = {f: np.where(swap, m["lo_" + f], m["hi_" + f]) for f in ("step", "value", "ts")}
    keep_b = ~_same(a, b)
    band_lo, band_hi = m["band_lo"], m["hi_value"]
    if len(g_sidx):
        keep_f = alive & ~_same(fp, pick(a, fg)) & ~_same(fp, pick(b, fg))
        keep_l = alive & ~_same(lp, pick(a, lg)) & ~_same(lp, pick(b, lg)) & ~(_same(lp, fp) & keep_f)
    else:
        keep_f = keep_l = np.zeros(count, dtype=bool)
    per_group = 1 + keep_b.astype(np.int64)
    group_sum = np.r_[0, np.cumsum(per_group)]
    n_series = keep_f.astype(np.int64) + keep_l.astype(np.int64) + (group_sum[g_end] - group_sum[g_start])
    offset = np.r_[0, np.cumsum(n_series)]
    total = int(offset[-1])
    out_step = np.zeros(total, np.int64)
    out_value, out_ts = np.zeros(total), np.zeros(total)
    out_lo, out_hi = np.zeros(total), np.zeros(total)
    pos_a = offset[g_sidx] + keep_f.astype(np.int64)[g_sidx] + group_sum[:-1] - group_sum[g_start][g_sidx]
    for pos, d, mask in ((pos_a, a, slice(None)), (pos_a + 1, b, keep_b)):
        out_step[pos[mask]], out_value[pos[mask]], out_ts[pos[mask]] = d["step"][mask], d["value"][mask], d["ts"][mask]
        out_lo[pos[mask]], out_hi[pos[mask]] = band_lo[mask], band_hi[mask]
    for pos, d, mask, g in ((offset[:-1], fp, keep_f, fg), (offset[1:] - 1, lp, keep_l, lg)):
        out_step[pos[mask]], out_value[pos[mask]], out_ts[pos[mask]] = d["step"][mask], d["value"][mask], d["ts"][mask]
        out_lo[pos[mask]], out_hi[pos[mask]] = band_lo[g[mask]], band_hi[g[mask]]
    out = {}
    for i, p in enumerate(plans):
        sl = slice(int(offset[i]), int(offset[i + 1]))
        answer = SeriesAnswer(p.row.run_id, p.row.key, out_step[sl], out_value[sl], out_ts[sl], bool(alive[i]),
                              int(p.row.count), int(p.row.last_step))
        if alive[i]:
            answer.band_min, answer.band_max = out_lo[sl], out_hi[sl]
        out[p.row.id] = answer
    return out


def _same(x: dict[str, np.ndarray], y: dict[str, np.ndarray]) -> np.ndarray:
    """Elementwise: the same point (step, value and time; NaN equal to NaN)."""
    def eq(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (u == v) | (np.isnan(u) & np.isnan(v))
    return (x["step"] == y["step"]) & eq(x["value"], y["value"]) & eq(x["ts"], y["ts"])


def _col(plans: list[_Plan], name: str) -> np.ndarray:
    return np.array([_nan(getattr(p.row, name)) for p in plans], dtype=np.float64)


def _pages_of(c: Connection, request: SeriesRequest, plans: list[_Plan], index: dict[int, int], level: int,
              lo: np.ndarray, hi: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The stored records of these series (``plans`` sorted by series id) at ``level`` in the
    pages their ranges touch, as columns, and each record's series (its position in
    ``plans``); by (series, bucket), as the SELECT orders them."""
    width = LEVELS[level] * PAGE
    lo_page = int(max(int(lo.min()), 0)) // width
    hi_page = None if (hi == _NONE).any() else int(hi.max()) // width
    return _read_pages(c, list(index), index, level, [(lo_page, hi_page)], request.timestamps)


def _fine_edges(c: Connection, request: SeriesRequest, plans: list[_Plan], index: dict[int, int],
                la: np.ndarray, lb: np.ndarray, ha: np.ndarray, hb: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                first: np.ndarray, last: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The level-0 records of the whole level-0 buckets in the cut ranges ``[la, lb]`` and
    ``[ha, hb]`` that lie in each series' range ``[lo, hi]`` (the plan moved a cut edge to a
    level-0 bucket edge; a side the range does not cut, ``lo <= first`` or ``hi >= last``,
    holds no point outside it), as columns by (series, bucket), and each record's series."""
    low, high = lb >= la, hb >= ha
    cut = np.flatnonzero(low | high)
    w = LEVELS[0]
    windows = []
    if low.any():
        windows.append((int(la[low].min()) // (w * PAGE), int(lb[low].max()) // (w * PAGE)))
    if high.any():
        windows.append((int(ha[high].min()) // (w * PAGE), int(hb[high].max()) // (w * PAGE)))
    cols, sidx = _read_pages(c, [plans[i].row.id for i in cut.tolist()], index, 0, windows, request.timestamps)
    start = cols["bucket"] * w
    end = start + (w - 1)
    keep = (((start >= la[sidx]) & (end <= lb[sidx])) | ((start >= ha[sidx]) & (end <= hb[sidx]))) & \
        ((start >= lo[sidx]) | (lo[sidx] <= first[sidx])) & ((end <= hi[sidx]) | (hi[sidx] >= last[sidx]))
    return {k: v[keep] for k, v in cols.items()}, sidx[keep]


def _read_pages(c: Connection, ids: list[int], index: dict[int, int], level: int,
                windows: list[tuple[int, int | None]], timestamps: bool) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The stored records at ``level`` of the series ``ids`` (ascending) in the pages of any
    of ``windows`` (first and last page; None: open), as columns by (series, bucket), and each
    record's series (``index`` of its id). Times NaN without ``timestamps`` (left unread)."""
    datas: list[bytes] = []
    stamps: list[bytes] = []
    owners: list[int] = []
    cols = [_pages.c.series_id, _pages.c.data] + ([_pages.c.stamps] if timestamps else [])
    ranges = [and_(_pages.c.page >= a, _pages.c.page <= b) if b is not None else _pages.c.page >= a
              for a, b in windows]
    for start in range(0, len(ids), IN_LIST):
        stmt = select(*cols).where(_pages.c.series_id.in_(ids[start:start + IN_LIST]), _pages.c.level == level,
                                   ranges[0] if len(ranges) == 1 else or_(*ranges))
        for row in c.execute(stmt.order_by(_pages.c.series_id, _pages.c.page)):
            owners.append(index[row[0]])
            datas.append(row[1])
            if timestamps:
                stamps.append(row[2])
    data = np.frombuffer(b"".join(datas), dtype=DATA)
    out = {f: np.ascontiguousarray(data[f]).astype(np.int64 if f.endswith(("step", "bucket")) else np.float64)
           for f in ("bucket", "lo_step", "lo_value", "hi_step", "hi_value", "band_lo")}
    if timestamps:
        st = np.frombuffer(b"".join(stamps), dtype=STAMPS)
        out["lo_ts"], out["hi_ts"] = np.ascontiguousarray(st["lo_ts"]), np.ascontiguousarray(st["hi_ts"])
    else:
        out["lo_ts"] = out["hi_ts"] = np.full(len(data), np.nan)
    sidx = np.repeat(np.array(owners, dtype=np.int64), [len(d) // DATA.itemsize for d in datas])
    return out, sidx


def _read_edges(c: Connection, plans: list[_Plan], index: dict[int, int], la: np.ndarray, lb: np.ndarray,
                ha: np.ndarray, hb: np.ndarray, timestamps: bool = True) -> tuple[np.ndarray, ...]:
    """The raw points of the chunks that overlap the series' cut ranges ``[la, lb]`` and
    ``[ha, hb]`` (one SELECT per IN list: the chunks overlapping the union of the low ranges
    or of the high ones), as ``(series, steps, values, times)``, by series (``plans`` sorted
    by series id), in logged order within each. Without ``timestamps`` the times blob is left
    unread (a third of the bytes) and the times are NaN."""
    low, high = lb >= la, hb >= ha
    cut = np.flatnonzero(low | high)
    empty = np.zeros(0, np.int64)
    if not len(cut):
        return empty, empty, np.zeros(0), np.zeros(0)
    windows = []
    if low.any():
        windows.append(and_(_chunks.c.first_step <= int(lb[low].max()), _chunks.c.last_step >= int(la[low].min())))
    if high.any():
        windows.append(and_(_chunks.c.first_step <= int(hb[high].max()), _chunks.c.last_step >= int(ha[high].min())))
    ids = [plans[i].row.id for i in cut.tolist()]
    rows: list[Any] = []
    for start in range(0, len(ids), IN_LIST):
        # No ORDER BY: SQLite would sort the rows, blobs and all, in a temporary b-tree.
        rows.extend(c.execute(select(_chunks.c.id, _chunks.c.series_id, _chunks.c.steps, _chunks.c["values"],
                                     *([_chunks.c.timestamps] if timestamps else []))
                              .where(_chunks.c.series_id.in_(ids[start:start + IN_LIST]), or_(*windows))))
    rows.sort(key=lambda r: (index[r[1]], r[0]))   # by series, then logged order
    ps = np.frombuffer(b"".join(r[2] for r in rows), dtype="<i8")
    psid = np.repeat(np.array([index[r[1]] for r in rows], dtype=np.int64), [len(r[2]) // 8 for r in rows])
    times = np.frombuffer(b"".join(r[4] for r in rows), dtype="<f8") if timestamps else np.full(len(ps), np.nan)
    return psid, ps, np.frombuffer(b"".join(r[3] for r in rows), dtype="<f8"), times


def _grid(positions: np.ndarray, first: np.ndarray, span: np.ndarray, buckets: int) -> np.ndarray:
    """The query bucket of each position: ``(position - first) * buckets // span`` (per element),
    exact: Python integers take over where the product would overflow int64."""
    offsets = np.asarray(positions, dtype=np.int64) - first
    if not len(offsets) or int(np.max(span)) * buckets < 2**63:
        return (offsets * buckets) // span
    return np.array([int(o) * buckets // int(s) for o, s in zip(offsets.tolist(), np.asarray(span).tolist())],
                    dtype=np.int64)


def _nan(v: float | None) -> float:
    return math.nan if v is None else float(v)
