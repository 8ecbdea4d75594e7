"""The runs table's operations: the listing's sort/search/ids (``GET /runs``), groups, batched
series (``POST /metrics/query``) and parameter importance (``/projects/{name}/insights``)."""
from __future__ import annotations

import base64
from typing import Any

import numpy as np
import orjson

from ...core.errors import invalid
from ...core.numbers import encode_value
from ...core.run_table import RunTable, SeriesAnswer
from ...services.insights import project_insights
from ..schemas.base import parse
from ..schemas.run_table import InsightsRequest, SeriesQuery
from .base import MLHubAPIMixin, api
from .query import bool_arg


def table_query(handler: Any, project: str | None, max_limit: int = 1000) -> Any:
    """Build the table query from the request's parameters (checked, access included)."""
    arg = handler.get_argument
    return RunTable(handler.registry).query(
        handler.acting_user(), project, filter=arg("filter", None), q=arg("q", None),
        order_by=arg("order_by", None), descending=bool_arg(handler, "desc", True), limit=arg("limit", None),
        offset=arg("offset", None), group_by=arg("group_by", None), group=arg("group", None),
        group_missing=bool_arg(handler, "group_missing", False), max_limit=max_limit, ids=arg("ids", None))


async def list_runs(handler: Any) -> None:
    """``GET /runs``: a page of runs, or (``ids_only=true``) every matching id up to MAX_IDS."""
    ids_only = bool_arg(handler, "ids_only", False)

    def work() -> dict[str, Any]:
        table = RunTable(handler.registry)
        query = table_query(handler, handler.get_argument("project", None))
        if ids_only:
            ids, total = table.ids(query)
            return {"runs": [], "ids": ids, "total": total, "truncated": total > len(ids)}
        runs, total = table.page(query)
        return {"runs": [r.to_json() for r in runs], "total": total}

    handler.write_json(await handler.call(work))


class RunGroupsHandler(MLHubAPIMixin):
    @api
    async def get(self, name: str) -> None:
        arg = self.get_argument  # type: ignore[attr-defined]

        def work() -> dict[str, Any]:
            table = RunTable(self.registry)
            by = arg("by", None)
            if by in (None, ""):
                raise invalid("by is required: params.<key>, tags, status or owner", field="by")
            groups, total = table.groups(table_query(self, name), by, arg("metric", None))
            return {"by": by, "metric": arg("metric", None) or None, "total": total,
                    "groups": [g.to_json() for g in groups]}

        self.write_json(await self.call(work))


def _array(values: Any) -> Any:
    arr = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(arr)
    if finite.all():
        return arr
    listed = arr.tolist()
    for i in np.flatnonzero(~finite).tolist():
        listed[i] = encode_value(listed[i])
    return listed


def _b64(values: Any, dtype: str) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def series_doc(s: SeriesAnswer, with_run: bool = True, timestamps: bool = True,
               encoding: str | None = None, band: bool = True) -> dict[str, Any]:
    """One series of an answer: JSON arrays (non-finite values as "NaN"/"Infinity"), or with
    ``encoding="base64-le"`` each column as base64 of a little-endian array (int64 steps, float64
    values, timestamps and band; NaN as IEEE NaN), as the compact form of metric batches.
    Without ``band`` the band is null (not asked for)."""
    doc: dict[str, Any] = {"run": s.run} if with_run else {}
    if encoding == "base64-le":
        floats: Any = lambda v: _b64(v, "<f8")  # noqa: E731
        doc.update({"key": s.key, "steps": _b64(s.steps, "<i8"), "values": floats(s.values)})
    else:
        floats = _array
        doc.update({"key": s.key, "steps": np.asarray(s.steps, dtype=np.int64), "values": _array(s.values)})
    if timestamps:
        doc["timestamps"] = floats(s.timestamps) if encoding else np.asarray(s.timestamps, dtype=np.float64)
    doc.update({"downsampled": s.downsampled, "total": s.total, "last_step": s.last_step,
                "band": {"min": floats(s.band_min), "max": floats(s.band_max)}
                if s.band_min is not None and band else None})
    return doc


def send(handler: Any, doc: dict[str, Any]) -> None:
    handler.set_header("Content-Type", "application/json; charset=utf-8")
    handler.finish(orjson.dumps(doc, option=orjson.OPT_SERIALIZE_NUMPY))


class MetricsQueryHandler(MLHubAPIMixin):
    post_reads_only = True   # read-only API tokens may query

    @api
    async def post(self) -> None:
        body = self.json_body()
        parse(SeriesQuery, body)   # the shape (422 naming the field); the core reads the body itself
        user = self.acting_user()

        def work() -> dict[str, Any]:
            request, series, missing, starts = RunTable(self.registry).series_request(user, body)
            stamps, encoding = request.timestamps, request.encoding
            return {"x": request.x, **({"encoding": encoding} if encoding else {}),
                    "series": [series_doc(s, True, stamps, encoding, request.wants_band(s.key)) for s in series],
                    "missing": missing, "starts": starts}

        send(self, await self.call(work))


async def one_series(handler: Any, run_id: str, key: str) -> None:
    """``GET /runs/{id}/metrics/{key}`` with ``after_step``, ``min_step`` or ``max_step``."""
    arg = handler.get_argument
    got = await handler.call(RunTable(handler.registry).one_series, handler.acting_user(), run_id, key,
                             arg("max_points", None), arg("min_step", None), arg("max_step", None),
                             arg("after_step", None))
    send(handler, series_doc(got, with_run=False))


class InsightsHandler(MLHubAPIMixin):
    post_reads_only = True   # read-only API tokens may ask

    @api
    async def get(self, name: str) -> None:
        arg = self.get_argument  # type: ignore[attr-defined]
        metric = arg("metric", None)
        if metric in (None, ""):
            raise invalid("metric is required: the metric whose parameter importance to compute", field="metric")
        insights = await self.call(project_insights, self.registry, self.acting_user(), name, metric,
                                   None, arg("filter", None), arg("q", None))
        self.write_json(insights.to_json())

    @api
    async def post(self, name: str) -> None:
        body = parse(InsightsRequest, self.json_body())
        insights = await self.call(project_insights, self.registry, self.acting_user(), name, body.metric,
                                   body.runs, body.filter, body.q)
        self.write_json(insights.to_json())


__all__ = ["InsightsHandler", "MetricsQueryHandler", "RunGroupsHandler", "list_runs", "one_series"]
