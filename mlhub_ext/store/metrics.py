"""Metric series storage: packed chunks per batch, aggregates per series, summary pages
(store/series_summary.py) kept up to date on append."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
from sqlalchemy import Connection, bindparam, insert, select, update

from ..core.entities import MetricInfo
from ..core.store import MetricBatch, SeriesData
from .downsample import minmax_indices
from .orm import ChunkRow, SeriesRow
from .series_summary import LEVELS, PAGE, first_index, kept_levels, last_index, levels_above, merge_keyed, \
    page_rows_of, pyramid_of, read_page_records, upsert_pages

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


def append_many(conn: Connection, appends: Sequence[tuple[str, Sequence[MetricBatch]]]) -> list[int]:
    """Append ``(run_id, batches)`` of any number of runs (a group commit's posts) at once:
    each key of each run one chunk row, its series row and summary pages updated; returns the
    points stored for each entry of ``appends``, in order.

    A constant number of statements whatever the number of runs and metrics: one SELECT of
    the series rows (locked FOR UPDATE on PostgreSQL, in id order, so that concurrent appends
    to a series take turns on its summary pages), one multi-row INSERT of the new series, one
    executemany UPDATE of the others, one executemany INSERT of the chunks, one SELECT of the
    summary pages the new steps fall in (the last page of each level for a run logging in step
    order; none for new series) and one executemany upsert of those pages.
    """
    merged: dict[tuple[str, str], list[np.ndarray]] = {}
    counts = []
    for run_id, batches in appends:
        n = 0
        for b in batches:   # the same key twice: one chunk, in the order given
            arrays = [np.asarray(b.steps, dtype="<i8"), np.asarray(b.values, dtype="<f8"),
                      np.asarray(b.timestamps, dtype="<f8")]
            n += len(arrays[0])
            k = (run_id, b.key)
            if k in merged:
                merged[k] = [np.concatenate([x, y]) for x, y in zip(merged[k], arrays)]
            else:
                merged[k] = arrays
        counts.append(n)
    points = {k: v for k, v in merged.items() if len(v[0])}
    if not points:
        return counts
    run_ids = sorted({r for r, _ in points})
    query = select(_series).where(_series.c.run_id.in_(run_ids), _series.c.key.in_(sorted({k for _, k in points})))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    existing = {(r.run_id, r.key): r for r in conn.execute(query.order_by(_series.c.id))}
    fresh, changed, ids = [], [], {}
    for rk, (steps, values, stamps) in points.items():
        agg = _aggregates(steps, values, stamps)
        row = existing.get(rk)
        if row is None:
            fresh.append({"run_id": rk[0], "key": rk[1], "count": len(steps), **agg})
            continue
        ids[rk] = row.id
        newer = agg["last_step"] >= row.last_step
        earlier = row.first_step is None or agg["first_step"] < row.first_step
        changed.append({
            "sid": row.id, "n_count": row.count + len(steps),
            "n_last_step": agg["last_step"] if newer else row.last_step,
            "n_last_value": agg["last_value"] if newer else row.last_value,
            "n_last_ts": agg["last_ts"] if newer else row.last_ts,
            "n_min_value": _merge(row.min_value, agg["min_value"], min),
            "n_max_value": _merge(row.max_value, agg["max_value"], max),
            "n_first_step": agg["first_step"] if earlier else row.first_step,
            "n_first_value": agg["first_value"] if earlier else row.first_value,
            "n_first_ts": agg["first_ts"] if earlier else row.first_ts})
    if fresh:
        for sid, run_id, key in conn.execute(_INSERT_SERIES, fresh):
            ids[(run_id, key)] = sid
    chunks = [{"series_id": ids[k], "n": len(s), "steps": s.tobytes(), "values": v.tobytes(), "timestamps": t.tobytes(),
               "first_step": int(s.min()), "last_step": int(s.max())} for k, (s, v, t) in points.items()]
    changed.sort(key=lambda c: c["sid"])
    if conn.dialect.name == "postgresql":   # one statement each, the columns bound as arrays
        if changed:
            conn.exec_driver_sql(_PG_UPDATE_SERIES, tuple(
                [None if c[name] is None else kind(c[name]) for c in changed]   # one type per array (binary)
                for name, kind in _PG_SERIES_COLUMNS))
        conn.exec_driver_sql(_PG_INSERT_CHUNKS, tuple([c[f] for c in chunks] for f in _PG_CHUNK_COLUMNS))
    else:
        if changed:
            conn.execute(_UPDATE_SERIES, changed)
        conn.execute(_INSERT_CHUNKS, chunks)
    _append_summaries(conn, {ids[k]: ((int(existing[k].first_step), int(existing[k].last_step))
                                      if k in existing and existing[k].first_step is not None else None, p)
                             for k, p in points.items()})
    return counts


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


def _aggregates(steps: np.ndarray, values: np.ndarray, stamps: np.ndarray) -> dict[str, Any]:
    """A batch's series-row fields: its first and last point, its min and max (NaN left out)."""
    finite = values[~np.isnan(values)]
    first, last = first_index(steps), last_index(steps)
    return {"first_step": int(steps[first]), "first_value": _nan_to_none(float(values[first])),
            "first_ts": float(stamps[first]), "last_step": int(steps[last]),
            "last_value": _nan_to_none(float(values[last])), "last_ts": float(stamps[last]),
            "min_value": float(finite.min()) if len(finite) else None,
            "max_value": float(finite.max()) if len(finite) else None}


def _append_summaries(conn: Connection, new: dict[int, tuple[tuple[int, int] | None, list[np.ndarray]]]) -> None:
    """Merge the new points into the summary pages they fall in, every series and level at
    once: one SELECT of those pages (for series that had points before: ``(first step, last
    step)`` before this append, else None) and one upsert of the rewritten pages. Only the
    levels a series keeps are written (:func:`~.series_summary.kept_levels` of its largest
    step); a level it starts keeping with this append is built whole from the level below, all
    of whose pages are read for it."""
    sids = list(new)
    count = len(sids)
    arrays = [new[sid][1] for sid in sids]
    sidx = np.repeat(np.arange(count), [len(a[0]) for a in arrays])
    rec, major = pyramid_of(sidx, *(np.concatenate([a[i] for a in arrays]) for i in range(3)))
    before = [new[sid][0] for sid in sids]
    kept_before = np.array([kept_levels(b[1]) if b is not None else 0 for b in before], np.int64)
    kept_now = np.array([kept_levels(max(b[1] if b is not None else int(a[0].max()), int(a[0].max())))
                         for b, a in zip(before, arrays)], np.int64)
    level, position = major // count, major % count
    live = level < kept_now[position]
    rec, major, level, position = rec[live], major[live], level[live], position[live]
    # pages to read: where the new records of a level kept before fall...
    keep = level < kept_before[position]
    wanted: set[tuple[int, int, int]] = set()
    if keep.any():
        m, page = major[keep], rec["bucket"][keep] // PAGE
        first = np.r_[True, (m[1:] != m[:-1]) | (page[1:] != page[:-1])]
        wanted = {(sids[i % count], i // count, p) for i, p in zip(m[first].tolist(), page[first].tolist())}
    # ...and every page of the top level kept before, where this append starts keeping more
    grows = [i for i in range(count) if 0 < kept_before[i] < kept_now[i]]
    for i in grows:
        b, (lo, hi) = int(kept_before[i]) - 1, before[i]  # type: ignore[misc]
        width = LEVELS[b] * PAGE
        wanted.update((sids[i], b, p) for p in range(lo // width, hi // width + 1))
    if wanted:
        old, old_sid, old_level = read_page_records(conn, sorted(wanted))
        if len(old):
            order = np.argsort(np.asarray(sids, np.int64))
            old_pos = order[np.searchsorted(np.asarray(sids, np.int64)[order], old_sid)]
            old_major = old_level * count + old_pos
            if grows:
                base = kept_before - 1
                at_base = old_level == base[old_pos]
                built, built_major = levels_above(old[at_base], old_pos[at_base], base, kept_now, count)
                old, old_major = np.concatenate([old, built]), np.concatenate([old_major, built_major])
            rec, major = merge_keyed((old, old_major), (rec, major))
    upsert_pages(conn, page_rows_of(sids, rec, major))


def _merge(a: float | None, b: float | None, fn):  # type: ignore[no-untyped-def]
    if a is None:
        return b
    if b is None:
        return a
    return fn(a, b)


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
