"""Writing to S3 through s3fs without copying what is written into memory.

s3fs hands botocore each object (``pipe_file``) or part (``put_file``: ``f.read(part)``) as
``bytes``; botocore wraps them in a ``BytesIO`` and aiohttp's payload of a ``BytesIO`` takes
its buffer, which copies it: an 8 MiB upload chunk cost 16 MiB more while it was sent, and
each multipart part read whole cost twice its size. Here the body is a seekable, read-only
file object over the bytes (:class:`BufferReader`) or over a range of a local file
(:class:`FileRange`): botocore sizes it by seeking, hashes it for its checksum in 1 MiB reads
and aiohttp sends it in 64 KiB reads, so what is in memory is the caller's buffer (if any)
plus a few small reads, whatever the size.

A multipart upload (:func:`put_file`) sends its parts one after the other (each a range of
the file, re-read on a retry) and is aborted if any part fails: no half-written object is
left, and the object appears whole when the upload completes.
"""
from __future__ import annotations

import io
import os
from abc import abstractmethod
from typing import Any

#: S3 allows at most this many parts per multipart upload.
MAX_PARTS = 10_000
#: A file smaller than two parts goes in one PUT.
DEFAULT_PART = 8 << 20


def is_s3(fs: Any) -> bool:
    """Whether ``fs`` is s3fs's filesystem (the only one these functions drive)."""
    return callable(getattr(fs, "call_s3", None)) and callable(getattr(fs, "split_path", None))


class _RangeBase(io.RawIOBase):
    """A read-only, seekable window of ``length`` bytes; subclasses say how to read at a place."""

    def __init__(self, length: int) -> None:
        super().__init__()
        self._length = length
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        return self._pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        n = min(len(view), self._length - self._pos)
        if n <= 0:
            return 0
        got = self._read_at(self._pos, view[:n])
        self._pos += got
        return got

    def read(self, size: int = -1) -> bytes:
        left = self._length - self._pos
        n = left if size is None or size < 0 else min(size, left)
        if n <= 0:
            return b""
        out = self._bytes_at(self._pos, n)   # one allocation of what is returned, no more
        self._pos += len(out)
        return out

    @abstractmethod
    def _read_at(self, pos: int, into: memoryview) -> int:
        """Fill ``into`` from ``pos``; the bytes read."""

    @abstractmethod
    def _bytes_at(self, pos: int, n: int) -> bytes:
        """``n`` bytes from ``pos``."""


class BufferReader(_RangeBase):
    """A file object over a bytes-like object (not copied; reads copy only what they return)."""

    def __init__(self, data: bytes | bytearray | memoryview) -> None:
        self._view = memoryview(data).cast("B")
        super().__init__(len(self._view))

    def _read_at(self, pos: int, into: memoryview) -> int:
        into[:] = self._view[pos:pos + len(into)]
        return len(into)

    def _bytes_at(self, pos: int, n: int) -> bytes:
        return bytes(self._view[pos:pos + n])

    def close(self) -> None:
        # The HTTP client may keep the request's body object after the request (its
        # connection's last payload): closed, it no longer holds the caller's buffer.
        self._view = memoryview(b"")
        self._length = self._pos = 0
        super().close()


class FileRange(_RangeBase):
    """A file object over ``length`` bytes of the local file ``path`` from ``offset`` (its own
    file descriptor, read with ``pread``: ranges of one file can be read at once)."""

    def __init__(self, path: str | os.PathLike[str], offset: int, length: int) -> None:
        self._fd = os.open(path, os.O_RDONLY)
        self._offset = offset
        super().__init__(length)

    def _read_at(self, pos: int, into: memoryview) -> int:
        return os.preadv(self._fd, [into], self._offset + pos)

    def _bytes_at(self, pos: int, n: int) -> bytes:
        return os.pread(self._fd, n, self._offset + pos)

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def put_bytes(fs: Any, path: str, data: bytes | bytearray | memoryview) -> None:
    """Write ``data`` as the object ``path`` in one PUT, sending it from the caller's buffer."""
    bucket, key, _ = fs.split_path(path)
    with BufferReader(data) as body:
        fs.call_s3("put_object", Bucket=bucket, Key=key, Body=body)
    fs.invalidate_cache(path)


def part_size(size: int, minimum: int = DEFAULT_PART) -> int:
    """The part size of a multipart upload of ``size`` bytes: ``minimum``, or more where the
    file would otherwise need more than :data:`MAX_PARTS` parts."""
    return max(minimum, -(-size // (MAX_PARTS - 1)))


def put_file(fs: Any, local: str | os.PathLike[str], path: str, part: int = DEFAULT_PART) -> None:
    """Upload the local file as the object ``path``: one PUT below two parts, else a multipart
    upload of :func:`part_size` parts, each streamed from the file; aborted on any failure."""
    bucket, key, _ = fs.split_path(path)
    size = os.path.getsize(local)
    part = part_size(size, part)
    if size < 2 * part:
        with FileRange(local, 0, size) as body:
            fs.call_s3("put_object", Bucket=bucket, Key=key, Body=body)
        fs.invalidate_cache(path)
        return
    upload_id = fs.call_s3("create_multipart_upload", Bucket=bucket, Key=key)["UploadId"]
    try:
        parts = []
        for number, offset in enumerate(range(0, size, part), start=1):
            with FileRange(local, offset, min(part, size - offset)) as body:
                out = fs.call_s3("upload_part", Bucket=bucket, Key=key, UploadId=upload_id,
                                 PartNumber=number, Body=body)
            parts.append({"PartNumber": number, "ETag": out["ETag"]})
        fs.call_s3("complete_multipart_upload", Bucket=bucket, Key=key, UploadId=upload_id,
                   MultipartUpload={"Parts": parts})
    except BaseException:
        try:
            fs.call_s3("abort_multipart_upload", Bucket=bucket, Key=key, UploadId=upload_id)
        except Exception:   # the first error is the one to tell
            pass
        raise
    finally:
        fs.invalidate_cache(path)
