"""Resumable chunked uploads: create, send chunks at offsets (any order, retryable), inspect, complete.

Chunks are at most 8 MiB, so tornado buffers at most one chunk per request; the service
writes each straight to its place in a file on disk.
"""
from __future__ import annotations

from ..schemas.base import parse
from ..schemas.datasets import NewUpload
from .base import api
from .datasets import DatasetMixin


class UploadsHandler(DatasetMixin):
    @api
    async def post(self) -> None:
        body = parse(NewUpload, self.json_body())
        up = await self.call(self.datasets.create_upload, self.acting_user(), body.filename, body.size, body.sha256,
                             body.chunk_size)
        warm = getattr(self.datasets.backend, "warm", None)
        if warm is not None:
            warm()  # a registration usually follows: start the worker while the chunks arrive
        self.write_json(up.to_json(), 201)


class UploadHandler(DatasetMixin):
    @api
    async def get(self, upload_id: str) -> None:
        up = await self.call(self.datasets.get_upload, self.acting_user(), upload_id)
        self.write_json(up.to_json())


class ChunkHandler(DatasetMixin):
    @api
    async def put(self, upload_id: str, offset: str) -> None:
        up = await self.call(self.datasets.put_chunk, self.acting_user(), upload_id, offset, self.request.body,
                             self.request.headers.get("X-Chunk-SHA256"))
        self.write_json({"id": up.id, "offset": int(offset), "received_bytes": up.received_bytes(),
                         "size": up.size})


class CompleteHandler(DatasetMixin):
    @api
    async def post(self, upload_id: str) -> None:
        body = self.json_body() if self.request.body else {}
        up = await self.call(self.datasets.complete_upload, self.acting_user(), upload_id, body.get("sha256"))
        self.write_json(up.to_json())
