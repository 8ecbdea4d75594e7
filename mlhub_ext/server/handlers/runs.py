"""Runs, their params and their metrics."""
from __future__ import annotations

import numpy as np
import orjson

from ...core.numbers import encode_value
from ...core.store import SeriesData
from ..schemas.base import parse
from ..schemas.runs import MetricBatch, NewRun, Params, RunPatch
from . import run_table
from .base import MLHubAPIMixin, api


class RunsHandler(MLHubAPIMixin):
    @api
    async def get(self) -> None:
        await run_table.list_runs(self)

    @api
    async def post(self) -> None:
        body = parse(NewRun, self.json_body())
        run = await self.call(self.registry.create_run, self.acting_user(), body.project, body.name,
                              body.config, body.tags, body.provenance, body.notes or "")
        self.write_json(run.to_json(), 201)


class RunHandler(MLHubAPIMixin):
    @api
    async def get(self, run_id: str) -> None:
        run = await self.call(self.registry.get_run, self.acting_user(), run_id)
        self.write_json(run.to_json())

    @api
    async def patch(self, run_id: str) -> None:
        patch = parse(RunPatch, self.json_body()).given()
        run = await self.call(self.registry.update_run, self.acting_user(), run_id, patch)
        self.write_json(run.to_json())

    @api
    async def delete(self, run_id: str) -> None:
        await self.call(self.registry.delete_run, self.acting_user(), run_id)
        self.set_status(204)  # type: ignore[attr-defined]
        self.finish()  # type: ignore[attr-defined]


class RunStopHandler(MLHubAPIMixin):
    @api
    async def post(self, run_id: str) -> None:
        run = await self.call(self.registry.stop_run, self.acting_user(), run_id)
        self.write_json(run.to_json())


class ParamsHandler(MLHubAPIMixin):
    @api
    async def get(self, run_id: str) -> None:
        params = await self.call(self.registry.get_params, self.acting_user(), run_id)
        self.write_json({"params": params})

    @api
    async def post(self, run_id: str) -> None:
        body = parse(Params, self.json_body())
        params = await self.call(self.registry.set_params, self.acting_user(), run_id, body.params)
        self.write_json({"params": params})


class MetricsHandler(MLHubAPIMixin):
    @api
    async def get(self, run_id: str) -> None:
        infos = await self.call(self.registry.list_metrics, self.acting_user(), run_id)
        self.write_json({"metrics": [m.to_json() for m in infos]})

    @api
    async def post(self, run_id: str) -> None:
        body = parse(MetricBatch, self.json_body())
        # Awaited on the event loop, holding no worker thread: every post waiting is written in
        # the next group (store/group_commit.py), however many there are.
        result = await self.registry.append_metrics_async(self.acting_user(), run_id, body.seq, body.metrics,
                                                          body.encoding)
        self.write_json(result)


class MetricSeriesHandler(MLHubAPIMixin):
    @api
    async def get(self, run_id: str, key: str) -> None:
        if any(self.get_argument(a, None) not in (None, "")  # type: ignore[attr-defined]
               for a in ("after_step", "min_step", "max_step")):
            await run_table.one_series(self, run_id, key)   # a live cursor or a zoomed range
            return
        series = await self.call(self.registry.get_series, self.acting_user(), run_id, key,
                                 self.get_argument("max_points", None))  # type: ignore[attr-defined]
        self.set_header("Content-Type", "application/json; charset=utf-8")  # type: ignore[attr-defined]
        self.finish(series_json(series))  # type: ignore[attr-defined]


def series_json(series: SeriesData) -> bytes:
    """Encode a series straight from its arrays; non-finite values become "NaN"/"Infinity"."""
    values = np.asarray(series.values, dtype=np.float64)
    finite = np.isfinite(values)
    if finite.all():
        out_values: object = values
    else:
        listed = values.tolist()
        for i in np.flatnonzero(~finite).tolist():
            listed[i] = encode_value(listed[i])
        out_values = listed
    return orjson.dumps({
        "key": series.key, "steps": np.asarray(series.steps, dtype=np.int64), "values": out_values,
        "timestamps": np.asarray(series.timestamps, dtype=np.float64), "downsampled": series.downsampled,
        "total": series.total,
    }, option=orjson.OPT_SERIALIZE_NUMPY)
