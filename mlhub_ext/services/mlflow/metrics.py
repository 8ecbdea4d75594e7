"""Metric histories: ``metrics/get-history`` (paged) and ``get-history-bulk-interval``.

Points come from the run's series in step order with MLflow's millisecond timestamps;
non-finite values travel as protobuf's JSON strings "NaN", "Infinity", "-Infinity".
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...core.errors import ErrorCode, MLHubError
from ...core.numbers import encode_value
from ...core.service import Registry
from ...core.store import SeriesData
from .errors import invalid, not_found
from .experiments import decode_page_token, encode_page_token, reads
from .ids import arg_int, arg_list, arg_str

MAX_HISTORY_PAGE = 25_000_000
MAX_BULK_RUNS = 100
MAX_BULK_RESULTS = 1000


def _series(registry: Registry, user: str, run_id: str, key: str) -> SeriesData | None:
    """The whole series, or None when the run has no such metric (MLflow answers an empty
    history); a run the caller cannot see is RESOURCE_DOES_NOT_EXIST."""
    try:
        return registry.get_series(user, run_id, key)
    except MLHubError as e:
        if e.code != ErrorCode.NOT_FOUND:
            raise
    try:
        registry.get_run(user, run_id)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"Run with id={run_id} not found") from None
        raise
    return None


def points(series: SeriesData, lo: int, hi: int, extra: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    steps = np.asarray(series.steps, dtype=np.int64)[lo:hi].tolist()
    values = np.asarray(series.values, dtype=np.float64)[lo:hi]
    stamps = np.rint(np.asarray(series.timestamps, dtype=np.float64)[lo:hi] * 1000).astype(np.int64).tolist()
    finite = np.isfinite(values)
    listed: list[Any] = values.tolist()
    if not finite.all():
        for i in np.flatnonzero(~finite).tolist():
            listed[i] = encode_value(listed[i])
    key = series.key
    if extra:
        return [{"key": key, "value": v, "timestamp": t, "step": s, **extra} for v, t, s in zip(listed, stamps, steps)]
    return [{"key": key, "value": v, "timestamp": t, "step": s} for v, t, s in zip(listed, stamps, steps)]


@reads
def get_metric_history(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """Every point of ``metric_key`` of ``run_id``; ``max_results`` pages (with ``page_token``)."""
    run_id = arg_str(req, "run_id") or arg_str(req, "run_uuid")
    if not run_id:
        raise invalid("Missing value for required parameter 'run_id'.")
    key = arg_str(req, "metric_key", required=True)
    assert key is not None
    max_results = arg_int(req, "max_results", None, low=1, high=MAX_HISTORY_PAGE)
    offset = decode_page_token(arg_str(req, "page_token"))
    series = _series(registry, user, run_id, key)
    if series is None:
        return {"metrics": []}
    total = len(series.values)
    end = total if max_results is None else min(total, offset + max_results)
    answer: dict[str, Any] = {"metrics": points(series, offset, end)}
    if end < total:
        answer["next_page_token"] = encode_page_token(end)
    return answer


@reads
def get_metric_history_bulk_interval(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """Up to ``max_results`` (default 320, at most 1000) points per run of ``metric_key`` for at
    most 100 ``run_ids``, between ``start_step`` and ``end_step``: steps spread evenly over the
    range, the first and last always in (what MLflow's charts ask for)."""
    run_ids = [str(r) for r in arg_list(req, "run_ids")]
    if not run_ids or len(run_ids) > MAX_BULK_RUNS:
        raise invalid(f"GetMetricHistoryBulkInterval request must specify between 1 and {MAX_BULK_RUNS} run_ids; "
                      f"received {len(run_ids)} run_ids.")
    key = arg_str(req, "metric_key", required=True)
    assert key is not None
    max_results = arg_int(req, "max_results", 320, low=1, high=MAX_BULK_RESULTS)
    start = arg_int(req, "start_step")
    end = arg_int(req, "end_step")
    if (start is None) != (end is None):
        raise invalid("If either start step or end step are specified, both must be specified.")
    if start is not None and end is not None and start > end:
        raise invalid("end_step must be greater than start_step.")
    out: list[dict[str, Any]] = []
    for run_id in dict.fromkeys(run_ids):
        series = _series(registry, user, run_id, key)
        if series is None:
            continue
        steps = np.asarray(series.steps, dtype=np.int64)
        mask = np.ones(len(steps), dtype=bool) if start is None else (steps >= start) & (steps <= end)
        idx = np.flatnonzero(mask)
        distinct = np.unique(steps[idx])
        assert max_results is not None
        if len(distinct) > max_results:
            pick = np.unique(np.linspace(0, len(distinct) - 1, max_results).round().astype(np.int64))
            keep = np.isin(steps[idx], distinct[pick])
            idx = idx[keep]
        sub = SeriesData(series.key, steps[idx], np.asarray(series.values)[idx], np.asarray(series.timestamps)[idx])
        out.extend(points(sub, 0, len(idx), {"run_id": run_id}))
    out.sort(key=lambda p: (p["run_id"], p["step"], p["timestamp"]))
    return {"metrics": out}
