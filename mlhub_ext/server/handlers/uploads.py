"""Resumable chunked uploads: create, send chunks at offsets (any order, retryable), inspect, complete.

Chunks are at most 8 MiB, read into one buffer per request as they arrive; the upload space
writes each straight to its place in a file on disk (or sends it as an object).
"""
from __future__ import annotations

import inspect

from ...core.errors import ErrorCode, MLHubError
from ...core.uploads import MAX_CHUNK
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
    """One chunk's body is read as it arrives into one buffer of its declared length: tornado
    would keep the pieces in a list and join them at the end, the chunk twice in memory
    (with a few chunks in flight, tens of MB of a service's peak)."""

    _stream_request_body = True   # tornado reads this class attribute: the body comes through data_received
    _buffer: bytearray | None = None
    _filled = 0
    _overflow = False

    async def prepare(self) -> None:
        result = super().prepare()  # type: ignore[misc]
        if inspect.isawaitable(result):
            await result
        declared = self.request.headers.get("Content-Length", "")
        size = int(declared) if declared.isdigit() else 0
        # A body longer than any chunk is counted, not kept (put_chunk refuses it by its size).
        self._buffer = bytearray(size) if size <= MAX_CHUNK else bytearray()
        self._overflow = size > MAX_CHUNK

    def data_received(self, chunk: bytes) -> None:
        end = self._filled + len(chunk)
        if self._overflow or self._buffer is None or end > MAX_CHUNK:
            self._overflow = True
        elif end <= len(self._buffer):
            self._buffer[self._filled:end] = chunk
        else:   # no Content-Length (chunked transfer encoding): grows
            self._buffer[self._filled:] = chunk
        self._filled = end

    def _body(self) -> bytes | memoryview:
        if self._overflow:
            raise MLHubError(ErrorCode.TOO_LARGE, f"a chunk holds at most {MAX_CHUNK} bytes; this one has "
                                                  f"{self._filled}")
        assert self._buffer is not None
        return memoryview(self._buffer)[:self._filled]

    @api
    async def put(self, upload_id: str, offset: str) -> None:
        up = await self.call(self.datasets.put_chunk, self.acting_user(), upload_id, offset, self._body(),
                             self.request.headers.get("X-Chunk-SHA256"))
        self.write_json({"id": up.id, "offset": int(offset), "received_bytes": up.received_bytes(),
                         "size": up.size})


class CompleteHandler(DatasetMixin):
    @api
    async def post(self, upload_id: str) -> None:
        body = self.json_body() if self.request.body else {}
        up = await self.call(self.datasets.complete_upload, self.acting_user(), upload_id, body.get("sha256"))
        self.write_json(up.to_json())
