"""Content-addressed blob store: files named by their sha256, written atomically, stored once.

A write that fails because the storage is full or read-only raises
``MLHubError(insufficient_storage)`` (507) and leaves no temp file behind.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from ..core.errors import invalid, not_found, storage_error

CHUNK = 1 << 20


def _valid_digest(digest: str) -> bool:
    return len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


class BlobStore:
    """Blobs under ``root/ab/cdef…``. A write goes to a temp file in ``root/tmp``, is
    hashed while written, fsynced and renamed into place, so a reader never sees a
    partial blob and identical content is kept once."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, digest: str) -> Path:
        if not _valid_digest(digest):
            raise invalid(f"not a sha256 digest: {digest!r}")
        return self.root / digest[:2] / digest[2:]

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def size(self, digest: str) -> int:
        p = self.path(digest)
        if not p.is_file():
            raise not_found("blob", digest)
        return p.stat().st_size

    def put_stream(self, chunks: Iterable[bytes], expected_sha256: str | None = None) -> str:
        """Store the concatenated chunks; returns their sha256 (checked if expected is given)."""
        h = hashlib.sha256()
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.tmp)
            with os.fdopen(fd, "wb") as f:
                for chunk in chunks:
                    h.update(chunk)
                    f.write(chunk)   # buffered: a short write is retried, then raises
                f.flush()
                os.fsync(f.fileno())
            digest = h.hexdigest()
            if expected_sha256 is not None and digest != expected_sha256.lower():
                raise invalid(f"content sha256 is {digest}, expected {expected_sha256}")
            dest = self.path(digest)
            if dest.exists():
                os.unlink(tmp)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, dest)
            return digest
        except BaseException as exc:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            err = storage_error(exc, "storing the file")
            if err is not None:
                raise err from exc
            raise

    def put_bytes(self, data: bytes) -> str:
        return self.put_stream([data])

    def put_file(self, path: str | os.PathLike[str]) -> str:
        with open(path, "rb") as f:
            return self.put_stream(iter(lambda: f.read(CHUNK), b""))

    def open(self, digest: str) -> BinaryIO:
        p = self.path(digest)
        if not p.is_file():
            raise not_found("blob", digest)
        return open(p, "rb")

    def read(self, digest: str) -> bytes:
        with self.open(digest) as f:
            return f.read()

    def iter_chunks(self, digest: str, chunk: int = CHUNK) -> Iterator[bytes]:
        with self.open(digest) as f:
            yield from iter(lambda: f.read(chunk), b"")
