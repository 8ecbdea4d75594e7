"""Resumable chunked uploads: chunks written to disk at their offsets, checked, then assembled.

A client creates an upload with the file's name and size, sends fixed-size chunks with
their sha256 in any order (a retry of a chunk rewrites the same bytes), asks which
ranges arrived, and completes with the whole file's sha256. Where the bytes wait is an
:class:`UploadSpace`: :class:`LocalUploadSpace` (the default) writes chunks straight to a
sparse file in ``root/<id>/``, and a completed upload waits there until a registration
moves it into the blob store; the store layer's space for an object store keeps each
chunk as an object, so any replica of the service can take the next chunk, and puts the
assembled file into the blob store at completion. Neither a chunk list nor the file is
ever held in memory beyond one chunk.

A write the storage refuses (full, read-only) is ``MLHubError(insufficient_storage)``
(507): a chunk is recorded only once all its bytes are on disk (a short ``pwrite`` is
continued, and one that writes nothing is a full disk); the blocks a failed chunk did
write are released again where the file system can (Linux ``fallocate`` punch hole),
so the upload can be resumed with the same chunk once there is space.
"""
from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import os
import re
import shutil
import sys
import uuid
from abc import ABC, abstractmethod
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .datasets import DatasetStore, Upload
from .errors import ErrorCode, MLHubError, conflict, invalid, not_found, quoted, storage_error

MiB = 1 << 20
DEFAULT_CHUNK = 8 * MiB
MAX_CHUNK = 8 * MiB
MIN_CHUNK = 64 * 1024
DEFAULT_MAX_UPLOAD = 64 * 1024 * MiB
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def check_sha256(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _SHA_RE.match(value.lower()):
        raise invalid(f"{what} must be 64 hexadecimal digits (a sha256), not {quoted(value)}")
    return value.lower()


def safe_filename(filename: Any) -> str:
    """The base name of ``filename`` with unusual characters replaced (keeps the extension)."""
    if not isinstance(filename, str) or not 0 < len(filename) <= 512 or "\x00" in filename:
        raise invalid("filename must be a string of 1-512 characters")
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    cleaned = _UNSAFE.sub("_", base).lstrip(".")
    if not cleaned:
        raise invalid(f"filename {quoted(filename)} has no usable characters")
    return cleaned


class UploadSpace(ABC):
    """Where the bytes of uploads in progress wait. Storage errors of a full or read-only
    disk surface as ``OSError`` (the caller tells them as 507)."""

    @abstractmethod
    def start(self, upload: Upload) -> None:
        """Make room for ``upload`` (nothing is recorded yet)."""

    @abstractmethod
    def write(self, upload: Upload, offset: int, data: bytes, release: bool) -> None:
        """Keep ``data`` (already checked) at ``offset``. ``release``: give back what a failed
        write took (a chunk not recorded before)."""

    @abstractmethod
    def complete(self, upload: Upload, expected_sha256: str) -> str:
        """Assemble every received chunk, hashing, and return the sha256. Only when it is
        ``expected_sha256`` is the file kept (see :meth:`file`); otherwise nothing is."""

    @abstractmethod
    def home(self, upload: Upload) -> Path | None:
        """The local file where a completed upload's bytes wait until registered, or None
        when a completed upload's bytes are in the blob store already (its sha256)."""

    @abstractmethod
    def scratch(self, upload: Upload) -> Path:
        """A local folder for temporary files made while registering ``upload``."""

    @abstractmethod
    def discard(self, upload: Upload) -> None:
        """Drop whatever the space still holds for ``upload``."""

    def file(self, upload: Upload) -> Path | None:
        """The completed upload's local file if it is (still) here."""
        home = self.home(upload)
        return home if home is not None and home.exists() else None


class LocalUploadSpace(UploadSpace):
    """Each upload in ``root/<id>/``: a sparse ``data.part`` written at chunk offsets,
    renamed to the upload's (safe) file name once complete."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def folder(self, upload_id: str) -> Path:
        return self.root / upload_id

    def part_path(self, upload: Upload) -> Path:
        return self.folder(upload.id) / "data.part"

    def home(self, upload: Upload) -> Path:
        return self.folder(upload.id) / safe_filename(upload.filename)

    def scratch(self, upload: Upload) -> Path:
        return self.folder(upload.id)

    def start(self, upload: Upload) -> None:
        self.folder(upload.id).mkdir(parents=True)
        with open(self.part_path(upload), "wb") as f:
            f.truncate(upload.size)  # sparse: space is used as chunks arrive

    def write(self, upload: Upload, offset: int, data: bytes, release: bool) -> None:
        _write_at(self.part_path(upload), data, offset, release)

    def complete(self, upload: Upload, expected_sha256: str) -> str:
        part = self.part_path(upload)
        h = hashlib.sha256()
        with open(part, "rb") as f:
            for block in iter(lambda: f.read(MiB), b""):
                h.update(block)
            os.fsync(f.fileno())
        if part.stat().st_size != upload.size:
            raise invalid(f"the assembled file holds {part.stat().st_size} bytes, not the declared {upload.size}")
        actual = h.hexdigest()
        if actual != expected_sha256:
            self.discard(upload)
        else:
            os.replace(part, self.home(upload))
        return actual

    def discard(self, upload: Upload) -> None:
        shutil.rmtree(self.folder(upload.id), ignore_errors=True)


class Uploads:
    """Upload lifecycle for one user at a time; another user's upload id is NOT_FOUND.

    ``root``: a folder (a :class:`LocalUploadSpace` there) or an :class:`UploadSpace`."""

    def __init__(self, store: DatasetStore, root: str | os.PathLike[str] | UploadSpace,
                 max_bytes: int = DEFAULT_MAX_UPLOAD) -> None:
        self.store = store
        self.space = root if isinstance(root, UploadSpace) else LocalUploadSpace(root)
        self.max_bytes = max_bytes

    def file(self, upload: Upload) -> Path | None:
        """A completed upload's local file while it waits to be registered; None once it is
        gone, or where completed uploads wait in the blob store (under their sha256)."""
        return self.space.file(upload)

    def home(self, upload: Upload) -> Path | None:
        """Where a completed upload's local file belongs (None: it waits in the blob store)."""
        return self.space.home(upload)

    def scratch(self, upload: Upload) -> Path:
        """A local folder for temporary files made while registering ``upload``."""
        return self.space.scratch(upload)

    def create(self, user: str, filename: Any, size: Any, sha256: Any = None, chunk_size: Any = None) -> Upload:
        name = safe_filename(filename)
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise invalid("size must be the file's size in bytes (an integer)")
        if size == 0:
            raise invalid(f"{name} is empty (0 bytes); there is nothing to register")
        if size > self.max_bytes:
            raise MLHubError(ErrorCode.TOO_LARGE, f"{name} is {size} bytes; this server accepts at most "
                                                  f"{self.max_bytes} bytes per upload")
        chunk = DEFAULT_CHUNK if chunk_size is None else chunk_size
        if isinstance(chunk, bool) or not isinstance(chunk, int) or not MIN_CHUNK <= chunk <= MAX_CHUNK:
            raise invalid(f"chunk_size must be an integer between {MIN_CHUNK} and {MAX_CHUNK} bytes")
        declared = check_sha256(sha256, "sha256") if sha256 is not None else None
        upload = Upload(id=uuid.uuid4().hex, owner=user, filename=name, size=size, chunk_size=chunk,
                        declared_sha256=declared)
        try:
            self.space.start(upload)
            return self.store.create_upload(upload)
        except BaseException as exc:
            self.space.discard(upload)
            err = storage_error(exc, f"starting the upload of {name}")
            if err is not None:
                raise err from exc
            raise

    def get(self, user: str, upload_id: Any) -> Upload:
        upload = self.store.get_upload(upload_id) if isinstance(upload_id, str) and len(upload_id) <= 64 else None
        if upload is None or upload.owner != user:
            raise not_found("upload", upload_id)
        return upload

    def put_chunk(self, user: str, upload_id: str, offset: Any, data: bytes, chunk_sha256: Any) -> Upload:
        """Write one chunk at ``offset`` after checking its place, length and sha256."""
        upload = self.get(user, upload_id)
        try:
            off = int(offset)
        except (TypeError, ValueError):
            raise invalid(f"chunk offset must be an integer, not {quoted(offset)}") from None
        if chunk_sha256 is None:
            raise invalid("each chunk needs its sha256 in the X-Chunk-SHA256 header")
        digest = check_sha256(chunk_sha256, "X-Chunk-SHA256")
        if off < 0 or off % upload.chunk_size:
            raise invalid(f"chunk offset {off} is not a multiple of the chunk size {upload.chunk_size}")
        if off >= upload.size:
            raise MLHubError(ErrorCode.TOO_LARGE, f"chunk offset {off} is beyond the declared size "
                                                  f"{upload.size} of {upload.filename}")
        expected = min(upload.chunk_size, upload.size - off)
        if len(data) > expected:
            raise MLHubError(ErrorCode.TOO_LARGE, f"chunk at offset {off} holds {len(data)} bytes but the "
                                                  f"declared size {upload.size} leaves room for {expected}")
        if len(data) < expected:
            raise invalid(f"chunk at offset {off} holds {len(data)} bytes; expected {expected} "
                          f"(chunk size {upload.chunk_size}, declared size {upload.size})")
        actual = hashlib.sha256(data).hexdigest()
        if actual != digest:
            raise invalid(f"chunk at offset {off} arrived with sha256 {actual}, not {digest}; send it again")
        if upload.status != "open":
            if (off, len(data)) in upload.received:
                return upload  # a retry after completion: nothing to do
            raise conflict(f"upload {upload.id} is {upload.status}; it accepts no more chunks")
        try:
            # A chunk already recorded keeps its blocks even if this rewrite fails.
            self.space.write(upload, off, data, release=(off, len(data)) not in upload.received)
        except OSError as exc:
            err = storage_error(exc, f"writing the chunk at offset {off} of {upload.filename}")
            if err is not None:
                raise err from exc
            raise
        self.store.add_chunk(upload.id, off, len(data), digest)
        return self.get(user, upload_id)

    def complete(self, user: str, upload_id: str, sha256: Any = None) -> Upload:
        """Check that every byte arrived and the whole file's sha256; refuse otherwise."""
        upload = self.get(user, upload_id)
        if upload.status != "open":
            if upload.status == "complete" and sha256 in (None, upload.sha256):
                return upload
            raise conflict(f"upload {upload.id} is already {upload.status}")
        expected = sha256 if sha256 is not None else upload.declared_sha256
        if expected is None:
            raise invalid("completing an upload needs the whole file's sha256")
        expected = check_sha256(expected, "sha256")
        if upload.declared_sha256 and expected != upload.declared_sha256:
            raise invalid(f"sha256 {expected} differs from the one declared when the upload was created")
        missing = upload.missing()
        if missing:
            shown = ", ".join(f"[{a}, {b})" for a, b in missing[:5])
            raise invalid(f"upload of {upload.filename} received {upload.received_bytes()} of the declared "
                          f"{upload.size} bytes; missing byte ranges {shown}", missing=missing[:100])
        try:
            actual = self.space.complete(upload, expected)
        except OSError as exc:
            err = storage_error(exc, f"completing the upload of {upload.filename}")
            if err is not None:
                raise err from exc
            raise
        if actual != expected:
            self.store.update_upload(upload.id, {"status": "failed", "completed_at": datetime.now(timezone.utc)})
            raise invalid(f"the received file's sha256 is {actual}, not {expected}; the upload was refused "
                          "(start a new one)")
        return self.store.update_upload(upload.id, {"status": "complete", "sha256": actual,
                                                    "completed_at": datetime.now(timezone.utc)})

    def finish(self, upload: Upload) -> None:
        """Mark a completed upload registered and drop what its space holds (its file now lives in the blob store)."""
        self.store.update_upload(upload.id, {"status": "registered"})
        self.space.discard(upload)


def _write_at(path: Path, data: bytes, offset: int, release: bool) -> None:
    """Write all of ``data`` at ``offset``; on failure (with ``release``) give back the blocks it took.

    ``pwrite`` may write less than asked (a file system filling up writes what fits and
    returns the count); the rest is written by further calls, and a call that writes
    nothing, or raises, means the storage is full: ENOSPC.
    """
    fd = os.open(path, os.O_WRONLY)
    try:
        view = memoryview(data)
        done = 0
        try:
            while done < len(view):
                n = os.pwrite(fd, view[done:], offset + done)
                if n <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                done += n
        except OSError:
            if release:
                _punch_hole(fd, offset, len(data))
            raise
    finally:
        os.close(fd)


def _punch_hole(fd: int, offset: int, length: int) -> None:
    """Deallocate ``[offset, offset+length)`` of a sparse file (best effort, Linux only):
    the bytes of a chunk that failed half-way are not kept, so the disk is as it was."""
    libc = _libc()
    if libc is None:
        return
    falloc_fl_keep_size, falloc_fl_punch_hole = 0x01, 0x02
    libc.fallocate(fd, falloc_fl_keep_size | falloc_fl_punch_hole,
                   ctypes.c_longlong(offset), ctypes.c_longlong(length))


@functools.lru_cache(maxsize=1)
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_longlong, ctypes.c_longlong]
        return libc
    except (OSError, AttributeError):
        return None
