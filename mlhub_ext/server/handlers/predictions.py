"""Serving over REST: predictions, stored inferences (JSON or CSV) and the version report."""
from __future__ import annotations

import csv
import io
from typing import Any

from ...core.errors import malformed
from .base import api, dumps, parse_json
from .models import ModelMixin


class PredictionsHandler(ModelMixin):
    """JSON ``{"stage"|"version", "inputs", "store"}`` or multipart with ``file`` parts (images)."""

    @api
    async def post(self, name: str) -> None:
        ctype = self.request.headers.get("Content-Type", "")
        files: list[bytes] = []
        if ctype.startswith("multipart/form-data"):
            body: dict[str, Any] = {k: self.get_body_argument(k) for k in ("stage", "version", "store")  # type: ignore[attr-defined]
                                    if self.get_body_argument(k, None) is not None}  # type: ignore[attr-defined]
            raw_inputs = self.get_body_argument("inputs", None)  # type: ignore[attr-defined]
            if raw_inputs:
                body["inputs"] = parse_json(raw_inputs, "the inputs form field")
            files = [f["body"] for part in self.request.files.values() for f in part]
            if not files and "inputs" not in body:
                raise malformed("a multipart prediction needs one or more 'file' parts")
        else:
            body = self.json_body()
        out = await self.call(self.services.predictions.predict, self.acting_user(), name, body, files)
        self.write_json(out)


class InferencesHandler(ModelMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        fmt = self.arg("format", "json")
        if fmt not in ("json", "csv"):
            raise malformed("format must be 'json' or 'csv'")
        limit = self.arg("limit", "10000" if fmt == "csv" else None)
        items, total = await self.call(self.models.list_inferences, self.acting_user(), name, version, limit,
                                       self.arg("offset"))
        if fmt == "json":
            self.write_json({"inferences": [i.to_json() for i in items], "total": total})
            return
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["id", "created_at", "user", "stage", "latency_ms", "inputs", "outputs"])
        for i in items:
            j = i.to_json()
            w.writerow([j["id"], j["created_at"], j["user"], j["stage"] or "", f"{i.latency_ms:.3f}",
                        dumps(i.inputs).decode(), dumps(i.outputs).decode()])
        self.set_header("Content-Type", "text/csv; charset=utf-8")  # type: ignore[attr-defined]
        self.set_header("Content-Disposition",  # type: ignore[attr-defined]
                        f'attachment; filename="{name}-v{items[0].version if items else version}-inferences.csv"')
        await self.send_raw(buf.getvalue())


class ReportHandler(ModelMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        self.write_json(await self.call(self.models.report, self.acting_user(), name, version))
