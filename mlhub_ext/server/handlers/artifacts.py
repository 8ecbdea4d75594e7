"""Artifacts of runs and the bulk export of a run's metrics."""
from __future__ import annotations

import csv
import io
from urllib.parse import quote

from ...core.errors import invalid, quoted
from .base import MLHubAPIMixin, api

EXPORT_TYPES = {"csv": "text/csv; charset=utf-8", "parquet": "application/vnd.apache.parquet"}


class ArtifactsHandler(MLHubAPIMixin):
    @api
    async def get(self, run_id: str) -> None:
        arts = await self.call(self.registry.list_artifacts, self.acting_user(), run_id)
        self.write_json({"artifacts": [a.to_json() for a in arts]})


class ArtifactHandler(MLHubAPIMixin):
    @api
    async def put(self, run_id: str, name: str) -> None:
        body = self.request.body
        art = await self.call(self.registry.log_artifact, self.acting_user(), run_id, name, [body],
                              self.get_argument("sha256", None))  # type: ignore[attr-defined]
        self.write_json(art.to_json(), 201)

    @api
    async def get(self, run_id: str, name: str) -> None:
        art, f = await self.call(self.registry.open_artifact, self.acting_user(), run_id, name)
        self.set_header("Content-Type", "application/octet-stream")  # type: ignore[attr-defined]
        self.set_header("Content-Disposition",  # type: ignore[attr-defined]
                        f"attachment; filename*=UTF-8''{quote(name.rsplit('/', 1)[-1])}")
        self.set_header("X-Content-SHA256", art.sha256)  # type: ignore[attr-defined]
        with f:
            # Off the event loop: on an object store each read may wait on the network.
            while chunk := await self.call(f.read, 1 << 20):
                self.write(chunk)  # type: ignore[attr-defined]
                await self.flush()  # type: ignore[attr-defined]
        self.finish()  # type: ignore[attr-defined]


class ExportHandler(MLHubAPIMixin):
    """Every point of every series of a run, long format: key, step, value, timestamp."""

    @api
    async def get(self, run_id: str) -> None:
        fmt = self.get_argument("format", "csv")  # type: ignore[attr-defined]
        if fmt not in EXPORT_TYPES:
            raise invalid(f"format must be one of {', '.join(EXPORT_TYPES)}, not {quoted(fmt)}")
        data = await self.call(self._export, self.acting_user(), run_id, fmt)
        self.set_header("Content-Type", EXPORT_TYPES[fmt])  # type: ignore[attr-defined]
        self.set_header("Content-Disposition", f'attachment; filename="run-{run_id}-metrics.{fmt}"')  # type: ignore[attr-defined]
        self.finish(data)  # type: ignore[attr-defined]

    def _export(self, user: str, run_id: str, fmt: str) -> bytes:
        keys, steps, values, stamps = [], [], [], []
        for info in self.registry.list_metrics(user, run_id):
            s = self.registry.get_series(user, run_id, info.key)
            keys.extend([info.key] * len(s.steps))
            steps.extend(s.steps)
            values.extend(s.values)
            stamps.extend(s.timestamps)
        if fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.table({"key": pa.array(keys, pa.string()), "step": pa.array(steps, pa.int64()),
                              "value": pa.array(values, pa.float64()), "timestamp": pa.array(stamps, pa.float64())})
            sink = io.BytesIO()
            pq.write_table(table, sink)
            return sink.getvalue()
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["key", "step", "value", "timestamp"])
        w.writerows(zip(keys, steps, values, stamps))  # NaN and ±Inf as nan, inf, -inf (pandas reads them)
        return out.getvalue().encode()
