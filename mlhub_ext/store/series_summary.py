"""Stored multi-resolution summaries of metric series (a pyramid), so that an overview or a
zoom of a long series reads a few hundred summary buckets instead of every point.

Level ``j`` splits the steps into buckets of :data:`LEVELS`\\ ``[j]`` steps (16, 64, 256, ...:
16 * 4**j); bucket ``b`` holds the steps ``[b * W, (b + 1) * W)``. Only buckets that hold points
are stored, :data:`PAGE` consecutive bucket slots to a row of ``metric_summaries`` (page
``b // PAGE``), as two packed little-endian blobs: ``data`` (:data:`DATA`: the bucket, its
point count, the point at its minimum, the point at its maximum, the numeric minimum) and
``stamps`` (:data:`STAMPS`: the wall times of those two points), so that a step-axis read that
needs no times leaves them unread.

A bucket record keeps what the downsampling keeps of a bucket (store/downsample.py):
- ``lo``: the first NaN of the bucket if it holds one (NaN stays visible), else the first point
  at its minimum (first = lowest step, then earliest logged);
- ``hi``: the first point at its maximum, NaN left out (a bucket of NaN only: its first point);
- ``band_lo``: the minimum with NaN left out (NaN for a bucket of NaN only); the band's maximum
  is ``hi``'s value. The NaN flag is ``lo``'s value being NaN.
Records merge associatively (:func:`combine`), so appends update only the pages their steps
fall in (the last page of each level for a run that logs in step order) and levels are built
from the level below. The first and last point of a whole series live in its series row.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
from sqlalchemy import Connection, bindparam, delete, insert, select, update

from .downsample import first_where
from .orm import ChunkRow, SeriesRow, SummaryRow

LEVELS: tuple[int, ...] = tuple(16 * 4**j for j in range(8))   # bucket widths in steps: 16 .. 262,144
PAGE = 64                                                      # bucket slots per stored row
#: A level above 0 is kept from the moment a series' largest step reaches this many of its
#: buckets (:func:`kept_levels`).
KEEP_FROM_BUCKETS = 64


def kept_levels(max_step: int) -> int:
    """How many levels, from level 0, a series whose largest step is ``max_step`` keeps:
    level ``j > 0`` once ``max_step >= KEEP_FROM_BUCKETS * LEVELS[j]``.

    Why: every append rewrites the last page of each kept level, and a level whose buckets
    are few is never the one a read picks (store/series_read.py picks the coarsest level with
    at least half a summary bucket per query bucket, so level ``j`` serves a read of ``B``
    query buckets only if the range spans ``B / 2`` of its buckets: a read of 128 buckets or
    more, 256 points, never needs a level this rule leaves out). A series of 6,000 steps keeps
    2 levels instead of 8, and its appends write a quarter of the pages. A read that asks for
    fewer points reads the coarsest kept level instead (at most 256 of its buckets, 4 pages).
    A level starts being kept whole: the append that crosses its threshold builds it from the
    level below (:func:`levels_above`)."""
    n = 1
    while n < len(LEVELS) and max_step >= KEEP_FROM_BUCKETS * LEVELS[n]:
        n += 1
    return n

DATA = np.dtype([("bucket", "<i8"), ("count", "<u4"), ("lo_step", "<i8"), ("lo_value", "<f8"),
                 ("hi_step", "<i8"), ("hi_value", "<f8"), ("band_lo", "<f8")])
STAMPS = np.dtype([("lo_ts", "<f8"), ("hi_ts", "<f8")])
RECORD = np.dtype(DATA.descr + STAMPS.descr)   # a record in memory: both blobs' fields

_series = SeriesRow.__table__
_chunks = ChunkRow.__table__
_pages = SummaryRow.__table__


def point_records(steps: np.ndarray, values: np.ndarray, stamps: np.ndarray) -> np.ndarray:
    """One record per point (count 1, lo = hi = the point), in the given order."""
    rec = np.zeros(len(steps), dtype=RECORD)
    rec["count"] = 1
    rec["lo_step"] = rec["hi_step"] = steps
    rec["lo_value"] = rec["hi_value"] = rec["band_lo"] = values
    rec["lo_ts"] = rec["hi_ts"] = stamps
    return rec


def combine(rec: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Merge records by ``group`` (int64, one per record; any order): one record per group,
    ``bucket`` = the group, sorted by it. Ties (same value, same step) go to the record that
    comes first in ``rec``: pass older records first so that the earlier logged point wins, as
    the stable sort of the raw read does. Vectorised: reductions at the group starts where the
    records already come by group and step (appends in step order), else three lexsorts.
    """
    if len(rec) == 0:
        return np.zeros(0, dtype=RECORD)
    if _in_order(rec, group):
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        low, high = lo_hi_in_order(rec, starts, len(rec))
        buckets = group[starts]
        counts = np.add.reduceat(rec["count"].astype(np.int64), starts)
        with np.errstate(invalid="ignore"):
            band = np.fmin.reduceat(rec["band_lo"], starts)
    else:
        order = np.arange(len(rec))
        lo_nan = np.isnan(rec["lo_value"])
        lo_key = np.where(lo_nan, 0.0, rec["lo_value"])
        # lo: a NaN first (lowest step), else the lowest value, then the lowest step, then the earliest
        o_lo = np.lexsort((order, rec["lo_step"], lo_key, ~lo_nan, group))
        hi_nan = np.isnan(rec["hi_value"])
        hi_key = np.where(hi_nan, 0.0, -rec["hi_value"])
        # hi: a number first (the highest), then the lowest step, then the earliest
        o_hi = np.lexsort((order, rec["hi_step"], hi_key, hi_nan, group))
        g_sorted = group[o_lo]
        starts = np.flatnonzero(np.r_[True, g_sorted[1:] != g_sorted[:-1]])
        low, high = o_lo[starts], o_hi[starts]
        buckets = g_sorted[starts]
        counts = np.add.reduceat(rec["count"][o_lo].astype(np.int64), starts)
        with np.errstate(invalid="ignore"):
            band = np.fmin.reduceat(rec["band_lo"][o_lo], starts)
    out = np.zeros(len(starts), dtype=RECORD)
    out["bucket"], out["count"], out["band_lo"] = buckets, counts, band
    for f in ("lo_step", "lo_value", "lo_ts"):
        out[f] = rec[f][low]
    for f in ("hi_step", "hi_value", "hi_ts"):
        out[f] = rec[f][high]
    return out


def _in_order(rec: Any, group: np.ndarray) -> bool:
    """Whether records come by group and, within a group, by step (so the first record at an
    extreme is the one a sort by (value, step, order) would pick)."""
    if len(group) < 2:
        return True
    same = group[1:] == group[:-1]
    return bool(np.all(group[1:] >= group[:-1]) and np.all((rec["lo_step"][1:] >= rec["lo_step"][:-1]) | ~same)
                and np.all((rec["hi_step"][1:] >= rec["hi_step"][:-1]) | ~same))


def lo_hi_in_order(rec: Any, starts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """For records by group and step (groups starting at ``starts``): the index of each
    group's lo (the first NaN, else the first minimum) and hi (the first maximum, NaN left
    out; a group of NaN only: its first record). Reductions, no sort."""
    groups = len(starts)
    grp = np.repeat(np.arange(groups), np.diff(np.r_[starts, n]))
    lo_v, hi_v = rec["lo_value"], rec["hi_value"]
    nan = np.isnan(lo_v)
    k = np.where(nan, np.inf, lo_v)
    low = first_where((k == np.minimum.reduceat(k, starts)[grp]) & ~nan, grp, groups)
    first_nan = first_where(nan, grp, groups)
    low = np.where(first_nan >= 0, first_nan, low)
    low = np.where(low < 0, starts, low)
    hnan = np.isnan(hi_v)
    kh = np.where(hnan, -np.inf, hi_v)
    high = first_where((kh == np.maximum.reduceat(kh, starts)[grp]) & ~hnan, grp, groups)
    high = np.where(high < 0, starts, high)
    return low, high


def pyramid(steps: np.ndarray, values: np.ndarray, stamps: np.ndarray) -> list[np.ndarray]:
    """The records of every level for these points (level j built from level j - 1)."""
    levels = []
    rec = combine(point_records(steps, values, stamps), np.asarray(steps, dtype=np.int64) // LEVELS[0])
    levels.append(rec)
    for j in range(1, len(LEVELS)):
        rec = combine(rec, rec["bucket"] // (LEVELS[j] // LEVELS[j - 1]))
        levels.append(rec)
    return levels


def combine_keyed(rec: np.ndarray, sidx: np.ndarray, bucket: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`combine` by (series, bucket) for records of several series at once; ties go to
    the earlier record. Returns the records (by series, then bucket) and their series."""
    if len(rec) == 0:
        return np.zeros(0, dtype=RECORD), np.zeros(0, np.int64)
    same_series = sidx[1:] == sidx[:-1]
    if not (np.all(sidx[1:] >= sidx[:-1]) and np.all((bucket[1:] >= bucket[:-1]) | ~same_series)):
        o = np.lexsort((bucket, sidx))   # stable: earlier records stay first
        rec, sidx, bucket = rec[o], sidx[o], bucket[o]
    change = np.empty(len(rec), dtype=bool)
    change[0] = True
    change[1:] = (sidx[1:] != sidx[:-1]) | (bucket[1:] != bucket[:-1])
    out = combine(rec, np.cumsum(change) - 1)
    starts = np.flatnonzero(change)
    out["bucket"] = bucket[starts]
    return out, sidx[starts]


def pyramid_of(sidx: np.ndarray, steps: np.ndarray, values: np.ndarray,
               stamps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every level's records of the points of several series at once (``sidx``: each point's
    series in ``0..S-1``, a series' points together and in logged order), as ``(records,
    major)`` with ``major = level * S + series``, by major and bucket. Two combines in all:
    level 0 from the points, then every level from level 0 (bucket >> 2 * level)."""
    count = int(sidx.max()) + 1 if len(sidx) else 0
    rec0, rs0 = combine_keyed(point_records(steps, values, stamps), sidx, np.asarray(steps, np.int64) // LEVELS[0])
    levels = len(LEVELS)
    stacked = np.tile(rec0, levels)
    level = np.repeat(np.arange(levels, dtype=np.int64), len(rec0))
    bucket = stacked["bucket"] >> (2 * level)   # LEVELS grow by 4: bucket_j = bucket_0 // 4**j
    return combine_keyed(stacked, level * count + np.tile(rs0, levels), bucket)


def levels_above(rec: np.ndarray, sidx: np.ndarray, base: np.ndarray, top: np.ndarray,
                 count: int) -> tuple[np.ndarray, np.ndarray]:
    """Records of the levels ``base[s] + 1 .. top[s] - 1`` of each series ``s`` built from
    all of its records of level ``base[s]`` (``rec``, with their series ``sidx``), as
    ``(records, major)`` (``major = level * count + series``): what a series starts keeping
    when its largest step crosses a level's threshold (:func:`kept_levels`)."""
    parts, majors = [], []
    for j in range(1, len(LEVELS)):
        take = (base[sidx] < j) & (j < top[sidx])
        if not take.any():
            continue
        r, s = rec[take], sidx[take]
        built, bs = combine_keyed(r.copy(), s, r["bucket"] >> (2 * (j - base[s])))
        parts.append(built)
        majors.append(j * count + bs)
    if not parts:
        return np.zeros(0, dtype=RECORD), np.zeros(0, np.int64)
    return np.concatenate(parts), np.concatenate(majors)


def merge_keyed(old: tuple[np.ndarray, np.ndarray], new: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Stored records merged with new ones (``(records, major)`` each; the stored ones win
    ties: logged earlier)."""
    rec = np.concatenate([old[0], new[0]])
    major = np.concatenate([old[1], new[1]])
    o = np.argsort(major, kind="stable")   # per (level, series): stored, then new
    return combine_keyed(rec[o], major[o], rec["bucket"][o])


def page_rows_of(series_ids: Sequence[int], rec: np.ndarray, major: np.ndarray) -> list[dict[str, Any]]:
    """Rows of ``metric_summaries`` for records of :func:`pyramid_of`'s shape (``series_ids``:
    the series id of each series index): packed once, sliced per page."""
    if not len(rec):
        return []
    count = len(series_ids)
    page = rec["bucket"] // PAGE
    change = np.empty(len(rec) + 1, dtype=bool)
    change[0] = change[-1] = True
    change[1:-1] = (page[1:] != page[:-1]) | (major[1:] != major[:-1])
    cut = np.flatnonzero(change)
    data, stamps = pack(rec)
    dw, sw = DATA.itemsize, STAMPS.itemsize
    starts, ends = cut[:-1], cut[1:]
    m = major[starts]
    ids = np.asarray(series_ids, dtype=np.int64)[m % count].tolist()
    levels, pages = (m // count).tolist(), page[starts].tolist()
    return [{"series_id": i, "level": j, "page": p, "n": b - a, "data": data[a * dw:b * dw],
             "stamps": stamps[a * sw:b * sw]}
            for i, j, p, a, b in zip(ids, levels, pages, starts.tolist(), ends.tolist())]


def merge_levels(old: list[np.ndarray], new: list[np.ndarray]) -> list[np.ndarray]:
    """Each level's old records merged with the new (old ones win ties: logged earlier)."""
    return [combine(np.concatenate([a, b]), np.concatenate([a["bucket"], b["bucket"]])) for a, b in zip(old, new)]


def pack(rec: np.ndarray) -> tuple[bytes, bytes]:
    """The ``data`` and ``stamps`` blobs of a page's records."""
    data = np.zeros(len(rec), dtype=DATA)
    for f in DATA.names:
        data[f] = rec[f]
    stamps = np.zeros(len(rec), dtype=STAMPS)
    for f in STAMPS.names:
        stamps[f] = rec[f]
    return data.tobytes(), stamps.tobytes()


def unpack(data: bytes, stamps: bytes | None) -> np.ndarray:
    """Records from a page's blobs; times NaN when ``stamps`` is None (not read)."""
    d = np.frombuffer(data, dtype=DATA)
    rec = np.zeros(len(d), dtype=RECORD)
    for f in DATA.names:
        rec[f] = d[f]
    if stamps is None:
        rec["lo_ts"] = rec["hi_ts"] = np.nan
    else:
        s = np.frombuffer(stamps, dtype=STAMPS)
        for f in STAMPS.names:
            rec[f] = s[f]
    return rec


def page_rows(series_id: int, levels: Sequence[np.ndarray]) -> list[dict[str, Any]]:
    """Rows of ``metric_summaries`` for these records (each level split into its pages)."""
    rows = []
    for j, rec in enumerate(levels):
        if not len(rec):
            continue
        page = rec["bucket"] // PAGE
        cuts = np.flatnonzero(np.r_[True, page[1:] != page[:-1], True])
        for a, b in zip(cuts[:-1], cuts[1:]):
            data, stamps = pack(rec[a:b])
            rows.append({"series_id": series_id, "level": j, "page": int(page[a]), "n": int(b - a),
                         "data": data, "stamps": stamps})
    return rows


def read_pages(conn: Connection, keys: Sequence[tuple[int, int, int]]) -> dict[tuple[int, int], list[np.ndarray]]:
    """The stored records of the pages ``(series_id, level, page)`` (one SELECT per 500 series),
    as ``{(series_id, level): [records of each page found]}``.

    Asked as ``series_id IN (...) AND level IN (...) AND page IN (...)``, the few pages of the
    cross product that were not asked for dropped here: SQLite answers a row-value
    ``(series_id, level, page) IN (...)`` by scanning the whole primary key (42 ms at 110,000
    pages, on every append), the three lists by searching it."""
    found: dict[tuple[int, int], list[np.ndarray]] = {}
    wanted = set(keys)
    sids = sorted({k[0] for k in wanted})
    levels, pages = sorted({k[1] for k in wanted}), sorted({k[2] for k in wanted})
    # a batch logged far out of order may touch more pages than SQLite takes parameters: a range then
    page_cond = _pages.c.page.in_(pages) if len(pages) <= 2000 else _pages.c.page.between(pages[0], pages[-1])
    for start in range(0, len(sids), 500):
        rows = conn.execute(select(_pages.c.series_id, _pages.c.level, _pages.c.page, _pages.c.data, _pages.c.stamps)
                            .where(_pages.c.series_id.in_(sids[start:start + 500]), _pages.c.level.in_(levels),
                                   page_cond))
        for sid, level, page, data, stamps in rows:
            if (sid, level, page) in wanted:
                found.setdefault((sid, level), []).append(unpack(data, stamps))
    return found


def read_page_records(conn: Connection, keys: Sequence[tuple[int, int, int]]
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The stored records of the pages ``(series_id, level, page)`` as one array, with the
    series id and level of each record: what an append merges its points into. On PostgreSQL
    one SELECT of exactly those pages (joined to the keys, unnested) whose blobs are unpacked
    at once; elsewhere :func:`read_pages`."""
    if conn.dialect.name != "postgresql":
        found = read_pages(conn, keys)
        parts = [(r, sid, level) for (sid, level), recs in found.items() for r in recs]
        if not parts:
            return np.zeros(0, RECORD), np.zeros(0, np.int64), np.zeros(0, np.int64)
        return (np.concatenate([p[0] for p in parts]),
                np.repeat(np.array([p[1] for p in parts], np.int64), [len(p[0]) for p in parts]),
                np.repeat(np.array([p[2] for p in parts], np.int64), [len(p[0]) for p in parts]))
    with conn.connection.cursor() as cur:   # the driver's rows: SQLAlchemy's Result cost more than the query
        return page_records_of(send_page_read(cur, keys).fetchall())


def send_page_read(cursor: Any, keys: Sequence[tuple[int, int, int]]) -> Any:
    """Execute the PostgreSQL SELECT of the pages ``(series_id, level, page)`` on a psycopg
    cursor (in pipeline mode: sent, not waited for); the cursor, whose ``fetchall()`` is what
    :func:`page_records_of` takes."""
    cols = list(zip(*keys)) if keys else [[], [], []]
    return cursor.execute(_PG_READ_PAGES, tuple(list(c) for c in cols))


def page_records_of(rows: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows of :func:`send_page_read` as :func:`read_page_records` returns them."""
    if not rows:
        return np.zeros(0, RECORD), np.zeros(0, np.int64), np.zeros(0, np.int64)
    n = np.array([r[2] for r in rows], np.int64)
    d = np.frombuffer(b"".join(r[3] for r in rows), dtype=DATA)
    st = np.frombuffer(b"".join(r[4] for r in rows), dtype=STAMPS)
    rec = np.zeros(len(d), dtype=RECORD)
    for f in DATA.names:
        rec[f] = d[f]
    for f in STAMPS.names:
        rec[f] = st[f]
    return (rec, np.repeat(np.array([r[0] for r in rows], np.int64), n),
            np.repeat(np.array([r[1] for r in rows], np.int64), n))


_PG_READ_PAGES = ("SELECT s.series_id, s.level, s.n, s.data, s.stamps FROM metric_summaries AS s "
                  "JOIN unnest(%b::integer[], %b::integer[], %b::bigint[]) AS w(series_id, level, page) "
                  "ON s.series_id = w.series_id AND s.level = w.level AND s.page = w.page "
                  "ORDER BY s.series_id, s.level, s.page")


def upsert_pages(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert or replace pages: on PostgreSQL one statement whatever the number of pages (the
    columns bound as arrays and unnested), elsewhere one executemany (INSERT .. ON CONFLICT DO
    UPDATE)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_PG_UPSERT, tuple([r[c] for r in rows] for c in _PG_UPSERT_COLUMNS))
    else:
        conn.execute(_upsert(conn.dialect.name), rows)


_PG_UPSERT_COLUMNS = ("series_id", "level", "page", "n", "data", "stamps")
# A statement per page in a pipeline cost a replica ~20 us of Python and PostgreSQL a statement's
# execution for each of the ~8 pages a series' append rewrites; unnest makes them one. The arrays
# go in binary (%b): in text, psycopg hex-escapes each blob and then regex-quotes it for the array
# (26 ms for 320 pages here, against 0.7 ms).
_PG_UPSERT = ("INSERT INTO metric_summaries (series_id, level, page, n, data, stamps) "
              "SELECT * FROM unnest(%b::integer[], %b::integer[], %b::bigint[], %b::integer[], %b::bytea[], "
              "%b::bytea[]) ON CONFLICT (series_id, level, page) DO UPDATE "
              "SET n = excluded.n, data = excluded.data, stamps = excluded.stamps")


# Statements built once (building them per append cost more than running them).
_UPSERTS: dict[str, Any] = {}


def _upsert(dialect: str) -> Any:
    if dialect not in _UPSERTS:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
        stmt = upsert(_pages)
        _UPSERTS[dialect] = stmt.on_conflict_do_update(
            index_elements=["series_id", "level", "page"],
            set_={"n": stmt.excluded.n, "data": stmt.excluded.data, "stamps": stmt.excluded.stamps})
    return _UPSERTS[dialect]


def rebuild(conn: Connection, series_ids: Iterable[int], slice_points: int = 500_000,
            chunk_bounds: bool = True) -> None:
    """Rebuild, for each series id, what the store keeps beside its raw chunks: the chunks'
    ``first_step``/``last_step``, the series row's first point and last time, and its summary
    pages (old pages deleted). Reads a series' chunks ``slice_points`` points at a time (merging
    each slice into the pyramid), so memory is one slice plus the pyramid (~1/12 of a point's
    size per point). Used by the migration that introduced summaries and by bulk fillers that
    write chunk rows directly (bench/ui_scale.py; ``chunk_bounds=False`` where they wrote the
    chunks' step bounds themselves).
    """
    for sid in series_ids:
        chunk_ids = list(conn.execute(select(_chunks.c.id).where(_chunks.c.series_id == sid)
                                      .order_by(_chunks.c.id)).scalars())
        levels: list[np.ndarray] = [np.zeros(0, dtype=RECORD) for _ in LEVELS]
        first: tuple[int, float, float] | None = None
        last: tuple[int, float, float] | None = None
        bounds: list[dict[str, int]] = []
        i = 0
        while i < len(chunk_ids):
            # one slice: chunks up to about slice_points points
            rows, n = [], 0
            while i < len(chunk_ids) and (not rows or n < slice_points):
                batch = chunk_ids[i:i + 64]
                got = conn.execute(select(_chunks.c.id, _chunks.c.steps, _chunks.c["values"], _chunks.c.timestamps)
                                   .where(_chunks.c.id.in_(batch)).order_by(_chunks.c.id)).all()
                rows.extend(got)
                n += sum(len(r[1]) // 8 for r in got)
                i += len(batch)
            steps = np.frombuffer(b"".join(r[1] for r in rows), dtype="<i8")
            values = np.frombuffer(b"".join(r[2] for r in rows), dtype="<f8")
            stamps = np.frombuffer(b"".join(r[3] for r in rows), dtype="<f8")
            for r in rows:
                s = np.frombuffer(r[1], dtype="<i8")
                if len(s):
                    bounds.append({"cid": r[0], "fs": int(s.min()), "ls": int(s.max())})
            if not len(steps):
                continue
            levels = merge_levels(levels, pyramid(steps, values, stamps))
            first = _earliest(first, steps, values, stamps)
            last = _latest(last, steps, values, stamps)
        if bounds and chunk_bounds:
            conn.execute(update(_chunks).where(_chunks.c.id == bindparam("cid"))
                         .values(first_step=bindparam("fs"), last_step=bindparam("ls")), bounds)
        conn.execute(delete(_pages).where(_pages.c.series_id == sid))
        rows = page_rows(sid, levels[:kept_levels(last[0]) if last is not None else 1])
        for start in range(0, len(rows), 2000):
            conn.execute(insert(_pages), rows[start:start + 2000])
        if first is not None and last is not None:
            conn.execute(update(_series).where(_series.c.id == sid).values(
                first_step=first[0], first_value=_none_if_nan(first[1]), first_ts=first[2],
                last_ts=last[2]))


def first_index(steps: np.ndarray) -> int:
    """The point that comes first: the lowest step, the earliest logged among equals."""
    return int(np.argmin(steps))


def last_index(steps: np.ndarray) -> int:
    """The point that comes last: the highest step, the latest logged among equals."""
    return len(steps) - 1 - int(np.argmax(steps[::-1]))


def _earliest(cur: tuple[int, float, float] | None, steps: np.ndarray, values: np.ndarray,
              stamps: np.ndarray) -> tuple[int, float, float]:
    i = first_index(steps)
    if cur is not None and cur[0] <= int(steps[i]):
        return cur
    return int(steps[i]), float(values[i]), float(stamps[i])


def _latest(cur: tuple[int, float, float] | None, steps: np.ndarray, values: np.ndarray,
            stamps: np.ndarray) -> tuple[int, float, float]:
    i = last_index(steps)
    if cur is not None and cur[0] > int(steps[i]):
        return cur
    return int(steps[i]), float(values[i]), float(stamps[i])


def _none_if_nan(v: float) -> float | None:
    return None if v != v else v
