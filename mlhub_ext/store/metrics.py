"""Metric series storage: packed chunks per batch, aggregates per series."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from sqlalchemy import Connection, insert, select, update

from ..core.entities import MetricInfo
from ..core.store import MetricBatch, SeriesData
from .downsample import minmax_indices
from .orm import ChunkRow, SeriesRow

_series = SeriesRow.__table__
_chunks = ChunkRow.__table__


def _nan_to_none(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


def _none_to_nan(v: float | None) -> float:
    return math.nan if v is None else float(v)


def append(conn: Connection, run_id: str, batches: Sequence[MetricBatch]) -> int:
    """Append the points of each batch as one chunk row and update the series aggregates."""
    keys = [b.key for b in batches]
    existing = {
        r.key: r
        for r in conn.execute(
            select(_series).where(_series.c.run_id == run_id, _series.c.key.in_(keys))
        )
    }
    accepted = 0
    for b in batches:
        steps = np.asarray(b.steps, dtype="<i8")
        values = np.asarray(b.values, dtype="<f8")
        stamps = np.asarray(b.timestamps, dtype="<f8")
        n = len(values)
        finite = values[~np.isnan(values)]
        bmin = float(finite.min()) if len(finite) else None
        bmax = float(finite.max()) if len(finite) else None
        last = int(np.argmax(steps)) if n else 0
        row = existing.get(b.key)
        if row is None:
            sid = conn.execute(
                insert(_series).values(
                    run_id=run_id, key=b.key, count=n, last_step=int(steps[last]),
                    last_value=_nan_to_none(float(values[last])), min_value=bmin, max_value=bmax,
                )
            ).inserted_primary_key[0]
        else:
            sid = row.id
            newer = int(steps[last]) >= row.last_step
            conn.execute(
                update(_series).where(_series.c.id == sid).values(
                    count=row.count + n,
                    last_step=int(steps[last]) if newer else row.last_step,
                    last_value=_nan_to_none(float(values[last])) if newer else row.last_value,
                    min_value=_merge(row.min_value, bmin, min),
                    max_value=_merge(row.max_value, bmax, max),
                )
            )
        conn.execute(insert(_chunks).values(
            series_id=sid, n=n, steps=steps.tobytes(), values=values.tobytes(), timestamps=stamps.tobytes()))
        accepted += n
    return accepted


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
