"""Request bodies taken as they arrive, into a spooled temporary file (never whole in memory)."""
from __future__ import annotations

import tempfile
from typing import Any, Iterator

BODY_METHODS = ("POST", "PUT", "PATCH")
CHUNK = 1 << 20
SPOOL_BYTES = 8 * 1024 ** 2


class SpooledBodyMixin:
    """Mixed in front of a tornado ``RequestHandler``: the body of the methods in
    :attr:`spooled_methods` goes to ``self._spool`` (in memory up to :data:`SPOOL_BYTES`,
    then on disk) chunk by chunk, with the connection's body limit raised to
    :attr:`max_body_bytes` (what the body is for enforces its own limits).
    """

    # tornado reads this class attribute: the body arrives through data_received.
    _stream_request_body = True
    _spool: Any = None
    spooled_methods: tuple[str, ...] = BODY_METHODS
    max_body_bytes = 64 * 1024 ** 3

    def start_spool(self) -> None:
        """Call from ``prepare``, after the host's own ``prepare`` ran."""
        if self.request.method in self.spooled_methods:  # type: ignore[attr-defined]
            self.request.connection.set_max_body_size(self.max_body_bytes)  # type: ignore[attr-defined]
            self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)

    def data_received(self, chunk: bytes) -> None:
        if self._spool is not None:
            self._spool.write(chunk)

    def spooled_chunks(self) -> Iterator[bytes]:
        """The body from its start, :data:`CHUNK` bytes at a time."""
        spool = self._spool
        assert spool is not None, "no body was spooled for this method"
        spool.seek(0)
        yield from iter(lambda: spool.read(CHUNK), b"")

    def on_finish(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None
        parent = getattr(super(), "on_finish", None)
        if parent is not None:
            parent()
