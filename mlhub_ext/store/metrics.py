"""Metric series storage: packed chunks per batch, aggregates per series, summary pages
(store/series_summary.py) kept up to date on append."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
from sqlalchemy import Connection, bindparam, insert, select, update

from ..core.entities import MetricInfo
from ..core.store import MetricBatch, SeriesData
from .downsample import first_where, minmax_indices
from .orm import ChunkRow, SeriesRow
from .series_summary import LEVELS, PAGE, kept_levels, levels_above, merge_keyed, page_records_of, \
    page_rows_of, pyramid_of, read_page_records, send_page_read, upsert_pages

_series = SeriesRow.__table__
_chunks = ChunkRow.__table__


def _nan_to_none(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


def _none_to_nan(v: float | None) -> float:
    return math.nan if v is None else float(v)


def append(conn: Connection, run_id: str, batches: Sequence[MetricBatch]) -> int:
    """Append the points of each batch as one chunk row, update the series rows and their
    summary pages; returns how many points were stored (:func:`append_many` for one run)."""
    return append_many(conn, [(run_id, batches)])[0]


def append_many(conn: Connection, appends: Sequence[tuple[str, Sequence[MetricBatch]]],
                locked: dict[tuple[str, str], Any] | None = None) -> list[int]:
    """Append ``(run_id, batches)`` of any number of runs (a group commit's posts) at once:
    each key of each run one chunk row, its series row and summary pages updated; returns the
    points stored for each entry of ``appends``, in order.

    A constant number of statements whatever the number of runs and metrics: one SELECT of
    the series rows (locked FOR UPDATE on PostgreSQL, in id order, so that concurrent appends
    to a series take turns on its summary pages), one multi-row INSERT of the new series, one
    UPDATE of the others, one INSERT of the chunks, one SELECT of the summary pages the new
    steps fall in (the last page of each level for a run logging in step order; none for new
    series) and one upsert of those pages. The series' aggregates are computed for all of
    them at once (reductions over the group's points, no Python loop per series): a group of
    64 posts of 5 metrics is 320 series.

    ``locked``: the series rows by ``(run, key)``, already selected and locked by the caller
    (:func:`lock_series_statement`, sent with its own statements); every key appended to must
    be among those looked up (a key absent from it is taken as a new series).
    """
    keys: list[tuple[str, str]] = []
    where: dict[tuple[str, str], int] = {}
    parts: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = []
    counts = []
    for run_id, batches in appends:
        n = 0
        for b in batches:   # the same key twice: one chunk, in the order given
            arrays = (np.asarray(b.steps, dtype="<i8"), np.asarray(b.values, dtype="<f8"),
                      np.asarray(b.timestamps, dtype="<f8"))
            n += len(arrays[0])
            if not len(arrays[0]):
                continue
            k = (run_id, b.key)
            i = where.get(k)
            if i is None:
                where[k] = len(keys)
                keys.append(k)
                parts.append([arrays])
            else:
                parts[i].append(arrays)
        counts.append(n)
    if not keys:
        return counts
    flat = [a for p in parts for a in p]
    steps, values, stamps = (np.concatenate([a[j] for a in flat]) for j in range(3))
    lens = np.array([sum(len(a[0]) for a in p) for p in parts], np.int64)
    ends = np.cumsum(lens)
    starts = ends - lens
    agg = _aggregates_many(steps, values, stamps, starts, lens)
    existing = _lock_series(conn, keys) if locked is None else locked
    old = [i for i, k in enumerate(keys) if k in existing]
    fresh = [{"run_id": keys[i][0], "key": keys[i][1], "count": int(lens[i]),
              **{f: _nan_to_none(float(agg[f][i])) if f.endswith(("value", "ts")) else int(agg[f][i])
                 for f in agg}}
             for i, k in enumerate(keys) if k not in existing]
    ids = np.zeros(len(keys), np.int64)
    for i in old:
        ids[i] = existing[keys[i]].id
    if fresh:
        for sid, run_id, key in conn.execute(_INSERT_SERIES, fresh):
            ids[where[(run_id, key)]] = sid
    update_lists = _series_update_lists([existing[keys[i]] for i in old], np.asarray(old, np.int64), agg, lens) \
        if old else None
    chunk_cols = (ids.tolist(), lens.tolist(), [steps[a:b].tobytes() for a, b in zip(starts, ends)],
                  [values[a:b].tobytes() for a, b in zip(starts, ends)],
                  [stamps[a:b].tobytes() for a, b in zip(starts, ends)],
                  agg["first_step"].tolist(), agg["last_step"].tolist())   # a chunk's step bounds
    before = {}
    for i in old:
        row = existing[keys[i]]
        before[i] = (int(row.first_step), int(row.last_step)) if row.first_step is not None else None
    plan = _SummaryPlan({int(ids[i]): (before.get(i), [steps[starts[i]:ends[i]], values[starts[i]:ends[i]],
                                                      stamps[starts[i]:ends[i]]])
                         for i in range(len(keys))})
    if conn.dialect.name == "postgresql":
        # The series UPDATE, the chunks' INSERT and the SELECT of the summary pages to merge
        # into depend on none of each other's answers: one round trip (psycopg's pipeline mode),
        # each statement with its rows bound as arrays.
        pg = conn.connection.driver_connection
        assert pg is not None
        with pg.pipeline():
            if update_lists is not None:
                pg.cursor().execute(_PG_UPDATE_SERIES, update_lists)
            pg.cursor().execute(_PG_INSERT_CHUNKS, chunk_cols)
            pages = send_page_read(pg.cursor(), plan.wanted) if plan.wanted else None
        plan.write(conn, page_records_of(pages.fetchall()) if pages is not None else None)
        return counts
    if update_lists is not None:
        names = [name for name, _ in _PG_SERIES_COLUMNS]
        conn.execute(_UPDATE_SERIES, [dict(zip(names, row)) for row in zip(*update_lists)])
    conn.execute(_INSERT_CHUNKS, [dict(zip(_PG_CHUNK_COLUMNS, row)) for row in zip(*chunk_cols)])
    plan.write(conn, read_page_records(conn, plan.wanted) if plan.wanted else None)
    return counts


def _aggregates_many(steps: np.ndarray, values: np.ndarray, stamps: np.ndarray, starts: np.ndarray,
                     lens: np.ndarray) -> dict[str, np.ndarray]:
    """Each series' row fields from its points (series ``i`` holds ``[starts[i], starts[i] +
    lens[i])``, none empty): its first point (lowest step, earliest logged among equals), last
    point (highest step, latest logged among equals), and its min and max with NaN left out
    (NaN where a series has only NaN)."""
    count = len(starts)
    grp = np.repeat(np.arange(count), lens)
    low = first_where(steps == np.minimum.reduceat(steps, starts)[grp], grp, count)
    at_max = np.flatnonzero(steps == np.maximum.reduceat(steps, starts)[grp])
    g = grp[at_max]
    high = at_max[np.r_[g[1:] != g[:-1], True]]   # each series' last index at its largest step
    with np.errstate(invalid="ignore"):
        vmin, vmax = np.fmin.reduceat(values, starts), np.fmax.reduceat(values, starts)
    return {"first_step": steps[low], "first_value": values[low], "first_ts": stamps[low],
            "last_step": steps[high], "last_value": values[high], "last_ts": stamps[high],
            "min_value": vmin, "max_value": vmax}


def _lock_series(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Any]:
    """The series rows of these ``(run, key)`` pairs that exist; on PostgreSQL locked FOR
    UPDATE in id order (one statement, the pairs bound as two arrays)."""
    if conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(_PG_LOCK_SERIES, ([r for r, _ in keys], [k for _, k in keys]))
    else:
        rows = conn.execute(select(_series).where(_series.c.run_id.in_(sorted({r for r, _ in keys})),
                                                  _series.c.key.in_(sorted({k for _, k in keys}))))
    return {(r.run_id, r.key): r for r in rows}


def lock_series_statement(pg: Any, keys: Sequence[tuple[str, str]]) -> Any:
    """Send the SELECT ... FOR UPDATE of the series rows of ``(run, key)`` pairs on a psycopg
    connection (in pipeline mode: not waited for); the cursor, whose rows (when fetched) have
    the columns as attributes, as :func:`append_many` takes them in ``locked``."""
    from psycopg.rows import namedtuple_row

    return pg.cursor(row_factory=namedtuple_row).execute(_PG_LOCK_SERIES, ([r for r, _ in keys],
                                                                           [k for _, k in keys]))


def _series_update_lists(rows: Sequence[Any], at: np.ndarray, agg: dict[str, np.ndarray],
                         lens: np.ndarray) -> tuple[list[Any], ...]:
    """Fold the new points' aggregates (``agg[f][at[i]]``, ``lens[at[i]]`` points) into the
    stored series rows ``rows[i]``, all at once: the columns of the UPDATE
    (``_PG_SERIES_COLUMNS``, rows in id order)."""
    def stored(name: str) -> np.ndarray:   # None as NaN
        return np.array([np.nan if getattr(r, name) is None else getattr(r, name) for r in rows], np.float64)

    new = {f: v[at] for f, v in agg.items()}
    last = np.array([r.last_step for r in rows], np.int64)
    has_first = np.array([r.first_step is not None for r in rows], bool)
    first = np.array([r.first_step or 0 for r in rows], np.int64)
    newer = new["last_step"] >= last
    earlier = ~has_first | (new["first_step"] < first)
    with np.errstate(invalid="ignore"):
        cols = {"sid": np.array([r.id for r in rows], np.int64),
                "n_count": np.array([r.count for r in rows], np.int64) + lens[at],
                "n_last_step": np.where(newer, new["last_step"], last),
                "n_last_value": np.where(newer, new["last_value"], stored("last_value")),
                "n_last_ts": np.where(newer, new["last_ts"], stored("last_ts")),
                "n_min_value": np.fmin(stored("min_value"), new["min_value"]),
                "n_max_value": np.fmax(stored("max_value"), new["max_value"]),
                "n_first_step": np.where(earlier, new["first_step"], first),
                "n_first_value": np.where(earlier, new["first_value"], stored("first_value")),
                "n_first_ts": np.where(earlier, new["first_ts"], stored("first_ts"))}
    order = np.argsort(cols["sid"])
    return tuple(cols[name][order].tolist() if kind is int else _nullable(cols[name][order])
                 for name, kind in _PG_SERIES_COLUMNS)


def _nullable(a: np.ndarray) -> list[float | None]:
    """A float column as a list, NaN as None (SQL NULL: what the series row keeps for none)."""
    out: list[float | None] = a.tolist()
    for i in np.flatnonzero(np.isnan(a)).tolist():
        out[i] = None
    return out


# built once: building a statement per append costs more than running it
_UPDATE_SERIES = update(_series).where(_series.c.id == bindparam("sid")).values(
    {c: bindparam(f"n_{c}") for c in ("count", "last_step", "last_value", "last_ts", "min_value", "max_value",
                                      "first_step", "first_value", "first_ts")})
_INSERT_SERIES = insert(_series).returning(_series.c.id, _series.c.run_id, _series.c.key)
_INSERT_CHUNKS = insert(_chunks)
# PostgreSQL: the rows' columns bound as arrays and unnested, one statement (not one per row).
_PG_SERIES_COLUMNS = (("sid", int), ("n_count", int), ("n_last_step", int), ("n_last_value", float),
                      ("n_last_ts", float), ("n_min_value", float), ("n_max_value", float), ("n_first_step", int),
                      ("n_first_value", float), ("n_first_ts", float))
_PG_UPDATE_SERIES = (
    "UPDATE metric_series AS s SET count = u.count, last_step = u.last_step, last_value = u.last_value, "
    "last_ts = u.last_ts, min_value = u.min_value, max_value = u.max_value, first_step = u.first_step, "
    "first_value = u.first_value, first_ts = u.first_ts "
    "FROM unnest(%b::integer[], %b::integer[], %b::bigint[], %b::float8[], %b::float8[], %b::float8[], "
    "%b::float8[], %b::bigint[], %b::float8[], %b::float8[]) "
    "AS u(id, count, last_step, last_value, last_ts, min_value, max_value, first_step, first_value, first_ts) "
    "WHERE s.id = u.id")
_PG_CHUNK_COLUMNS = ("series_id", "n", "steps", "values", "timestamps", "first_step", "last_step")
_PG_INSERT_CHUNKS = (
    'INSERT INTO metric_chunks (series_id, n, steps, "values", timestamps, first_step, last_step) '
    "SELECT * FROM unnest(%b::integer[], %b::integer[], %b::bytea[], %b::bytea[], %b::bytea[], %b::bigint[], "
    "%b::bigint[])")


_PG_LOCK_SERIES = (
    "SELECT s.id, s.run_id, s.key, s.count, s.last_step, s.last_value, s.last_ts, s.min_value, s.max_value, "
    "s.first_step, s.first_value, s.first_ts FROM metric_series AS s "
    "JOIN unnest(%b::varchar[], %b::varchar[]) AS w(run_id, key) ON s.run_id = w.run_id AND s.key = w.key "
    "ORDER BY s.id FOR UPDATE OF s")


class _SummaryPlan:
    """An append's merge into the summary pages, in two steps: built from the new points, it
    names the stored pages it needs (``wanted``: ``(series_id, level, page)``); :meth:`write`
    then takes their records (read by the caller, in whatever round trip suits it) and
    upserts the rewritten pages.

    ``new``: for each series, ``(first step, last step)`` before this append (None for a
    series without points before) and its new ``[steps, values, timestamps]``. Only the
    levels a series keeps are written (:func:`~.series_summary.kept_levels` of its largest
    step); a level it starts keeping with this append is built whole from the level below,
    all of whose pages are read for it."""

    def __init__(self, new: dict[int, tuple[tuple[int, int] | None, list[np.ndarray]]]) -> None:
        sids = self.sids = list(new)
        count = self.count = len(sids)
        arrays = [new[sid][1] for sid in sids]
        sidx = np.repeat(np.arange(count), [len(a[0]) for a in arrays])
        rec, major = pyramid_of(sidx, *(np.concatenate([a[i] for a in arrays]) for i in range(3)))
        before = [new[sid][0] for sid in sids]
        self.kept_before = np.array([kept_levels(b[1]) if b is not None else 0 for b in before], np.int64)
        self.kept_now = np.array([kept_levels(max(b[1] if b is not None else int(a[0].max()), int(a[0].max())))
                                  for b, a in zip(before, arrays)], np.int64)
        level, position = major // count, major % count
        live = level < self.kept_now[position]
        self.rec, self.major = rec[live], major[live]
        level, position = level[live], position[live]
        # pages to read: where the new records of a level kept before fall...
        keep = level < self.kept_before[position]
        wanted: set[tuple[int, int, int]] = set()
        if keep.any():
            m, page = self.major[keep], self.rec["bucket"][keep] // PAGE
            first = np.r_[True, (m[1:] != m[:-1]) | (page[1:] != page[:-1])]
            wanted = {(sids[i % count], i // count, p) for i, p in zip(m[first].tolist(), page[first].tolist())}
        # ...and every page of the top level kept before, where this append starts keeping more
        self.grows = [i for i in range(count) if 0 < self.kept_before[i] < self.kept_now[i]]
        for i in self.grows:
            b, (lo, hi) = int(self.kept_before[i]) - 1, before[i]  # type: ignore[misc]
            width = LEVELS[b] * PAGE
            wanted.update((sids[i], b, p) for p in range(lo // width, hi // width + 1))
        self.wanted = sorted(wanted)

    def write(self, conn: Connection, stored: tuple[np.ndarray, np.ndarray, np.ndarray] | None) -> None:
        """Merge the records of the ``wanted`` pages (as :func:`read_page_records` returns
        them; None when none were wanted) with the new ones and upsert the pages."""
        rec, major, count, sids = self.rec, self.major, self.count, self.sids
        if stored is not None and len(stored[0]):
            old, old_sid, old_level = stored
            order = np.argsort(np.asarray(sids, np.int64))
            old_pos = order[np.searchsorted(np.asarray(sids, np.int64)[order], old_sid)]
            old_major = old_level * count + old_pos
            if self.grows:
                base = self.kept_before - 1
                at_base = old_level == base[old_pos]
                built, built_major = levels_above(old[at_base], old_pos[at_base], base, self.kept_now, count)
                old, old_major = np.concatenate([old, built]), np.concatenate([old_major, built_major])
            rec, major = merge_keyed((old, old_major), (rec, major))
        upsert_pages(conn, page_rows_of(sids, rec, major))


def list_series(conn: Connection, run_id: str) -> list[MetricInfo]:
    rows = conn.execute(select(_series).where(_series.c.run_id == run_id).order_by(_series.c.key))
    return [
        MetricInfo(r.key, r.count, r.last_step, _none_to_nan(r.last_value),
                   _none_to_nan(r.min_value), _none_to_nan(r.max_value))
        for r in rows
    ]


def latest_values(conn: Connection, run_ids: Sequence[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {rid: {} for rid in run_ids}
    if not run_ids:
        return out
    rows = conn.execute(
        select(_series.c.run_id, _series.c.key, _series.c.last_value).where(_series.c.run_id.in_(list(run_ids)))
    )
    for rid, key, value in rows:
        out[rid][key] = _none_to_nan(value)
    return out


def read_series(conn: Connection, run_id: str, key: str, max_points: int | None) -> SeriesData | None:
    sid = conn.execute(
        select(_series.c.id).where(_series.c.run_id == run_id, _series.c.key == key)
    ).scalar_one_or_none()
    if sid is None:
        return None
    rows = conn.execute(
        select(_chunks.c.steps, _chunks.c["values"], _chunks.c.timestamps)
        .where(_chunks.c.series_id == sid).order_by(_chunks.c.id)
    ).all()
    steps = np.frombuffer(b"".join(r[0] for r in rows), dtype="<i8")
    values = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f8")
    stamps = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f8")
    if len(steps) > 1 and np.any(steps[1:] < steps[:-1]):
        order = np.argsort(steps, kind="stable")
        steps, values, stamps = steps[order], values[order], stamps[order]
    total = len(values)
    downsampled = False
    if max_points is not None and total > max_points:
        idx = minmax_indices(values, max_points, steps)
        steps, values, stamps = steps[idx], values[idx], stamps[idx]
        downsampled = True
    return SeriesData(key, steps, values, stamps, downsampled, total)
