"""Content-addressed blob store: files named by their sha256, written atomically, stored once.

Two implementations of one interface, :class:`BlobStore`:

- :class:`LocalBlobStore`: a folder on this machine (``MLHub.artifact_root = /srv/mlhub``);
- :class:`FsspecBlobStore`: any fsspec URL (``s3://bucket/prefix``, ``gs://…``, ``abfs://…``),
  with ``storage_options`` for the filesystem (``endpoint_url``, credentials...). Writes
  spool to a local temp file while hashing (never the whole file in memory), then upload
  once per content; reads stream from the bucket. Callers that need a real file
  (pyarrow, Pillow, a LocalCluster's workers) ask :meth:`BlobStore.local_path`, which
  materializes the blob into a bounded local read-through cache.

:func:`open_blob_store` picks one from ``artifact_root``. A root that looks like a URL is
never taken as a path: a scheme no installed fsspec backend handles is refused at start
with the package to install.

A write that fails because the storage is full or read-only raises
``MLHubError(insufficient_storage)`` (507) and leaves no temp file behind.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Mapping

from ..core.errors import ErrorCode, MLHubError, invalid, not_found, storage_error
from . import s3_upload

log = logging.getLogger("mlhub.blobs")

CHUNK = 1 << 20
#: Default bound of the local read-through cache of a remote store, in bytes.
DEFAULT_CACHE_BYTES = 10 << 30
#: A cached copy used this recently is kept even beyond the bound: a path just handed out
#: (to a LocalCluster's workers, say) is still to be read.
CACHE_GRACE_S = 600.0
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_DIGEST_NAME = re.compile(r"(?:^|/)([0-9a-f]{2})/([0-9a-f]{62})$")
# Object stores whose PUT is atomic (a reader sees the whole object or none): written in
# place. Any other fsspec filesystem is written to a temp name and renamed.
_ATOMIC_PUT = {"s3", "s3a", "gs", "gcs", "abfs", "az", "abfss", "memory"}
_PART = 8 << 20          # multipart upload part size (S3's minimum is 5 MiB)


def _valid_digest(digest: str) -> bool:
    return isinstance(digest, str) and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)


def _check_digest(digest: str) -> str:
    if not _valid_digest(digest):
        raise invalid(f"not a sha256 digest: {digest!r}")
    return digest


def url_scheme(root: str) -> str | None:
    """The scheme of ``root`` if it is a URL (``s3://b/p`` -> ``"s3"``), else None (a path)."""
    m = _URL.match(str(root))
    return m.group(1).lower() if m else None


def is_remote(root: str) -> bool:
    """Whether ``root`` names storage other than a local folder (``file://`` is a folder)."""
    scheme = url_scheme(root)
    return scheme is not None and scheme not in ("file", "local")


def check_artifact_root(root: str) -> None:
    """Refuse an artifact root no installed fsspec backend can open, naming what to install.

    Raises ``MLHubError(invalid)``; a plain path (or ``file://``) always passes."""
    scheme = url_scheme(root)
    if scheme is None or scheme in ("file", "local"):
        return
    import fsspec
    from fsspec.registry import known_implementations

    try:
        fsspec.get_filesystem_class(scheme)
    except ImportError as exc:
        known = known_implementations.get(scheme, {})
        package = str(known.get("class", "")).split(".")[0] or "the fsspec backend for it"
        extra = " (or: pip install 'mlhub_ext[s3]')" if package == "s3fs" else ""
        raise MLHubError(ErrorCode.INVALID,
                         f"MLHub.artifact_root {root!r} is a {scheme}:// URL, but the package that reads "
                         f"{scheme}:// is not installed ({exc}). Install it: pip install {package}{extra}") from None
    except ValueError:
        raise MLHubError(ErrorCode.INVALID,
                         f"MLHub.artifact_root {root!r} starts with {scheme}://, which no fsspec backend "
                         f"handles. Use a local folder, or a URL such as s3://bucket/prefix (pip install s3fs), "
                         f"gs://bucket/prefix (gcsfs) or abfs://container/prefix (adlfs)") from None


def open_blob_store(root: str, storage_options: Mapping[str, Any] | None = None,
                    cache_dir: str | os.PathLike[str] | None = None,
                    cache_bytes: int = DEFAULT_CACHE_BYTES) -> "BlobStore":
    """The blob store at ``root``: a local folder, or any fsspec URL (checked first).

    ``storage_options``: keyword arguments of the fsspec filesystem (for S3:
    ``endpoint_url``, ``key``, ``secret``, ``client_kwargs``...; s3fs also reads the
    standard ``AWS_*`` environment variables, ``AWS_ENDPOINT_URL`` included).
    ``cache_dir``: the local folder of a remote store's read-through cache and temp
    files (default: a folder under the system temp dir named after the URL);
    ``cache_bytes``: its bound. Raises ``MLHubError(invalid)`` for a URL no installed
    backend handles."""
    root = str(root)
    check_artifact_root(root)
    if not is_remote(root):
        path = root.split("://", 1)[1] if url_scheme(root) else root
        return LocalBlobStore(path)
    if cache_dir is None:
        tag = hashlib.sha256(root.encode()).hexdigest()[:12]
        cache_dir = Path(tempfile.gettempdir()) / f"mlhub-blob-cache-{tag}"
    return FsspecBlobStore(root, storage_options or {}, cache_dir, cache_bytes)


class BlobStore(ABC):
    """What the registry needs of a content-addressed store of files.

    Digests are lowercase hex sha256 of the content; any other string is ``invalid``.
    ``local_dir``: a folder on this machine for scratch files (job inputs, temp copies).
    """

    url: str
    local_dir: Path
    #: True when the blobs live elsewhere than this machine's disk.
    remote: bool = False

    @abstractmethod
    def put_stream(self, chunks: Iterable[bytes], expected_sha256: str | None = None) -> str:
        """Store the concatenated chunks (streamed, bounded memory); returns their sha256
        (checked against ``expected_sha256`` if given: a mismatch is ``invalid`` and stores nothing)."""

    @abstractmethod
    def exists(self, digest: str) -> bool: ...

    @abstractmethod
    def size(self, digest: str) -> int:
        """Size in bytes; ``not_found`` if absent."""

    @abstractmethod
    def open(self, digest: str) -> BinaryIO:
        """A binary file object streaming the blob (close it); ``not_found`` if absent."""

    @abstractmethod
    def local_path(self, digest: str) -> Path:
        """A real file on this machine holding the blob, for readers that need a path
        (pyarrow, Pillow, a LocalCluster's workers). Read it, never write it; for a remote
        store it is a cached copy that may be evicted later. ``not_found`` if absent."""

    @abstractmethod
    def store_file(self, path: str | os.PathLike[str], digest: str, move: bool = False) -> bool:
        """Store the local file ``path`` whose sha256 the caller knows is ``digest``.

        ``move``: the file may be taken (renamed into the store, or into the local cache
        of a remote store) instead of copied. Returns True when the blob was added, False
        when it was there already (then ``path`` is left untouched)."""

    @abstractmethod
    def delete(self, digest: str) -> None:
        """Remove a blob (nothing if absent). Only for blobs no record refers to."""

    @abstractmethod
    def digests(self) -> Iterator[str]:
        """Every stored digest, in no particular order."""

    def move_out(self, digest: str, dest: str | os.PathLike[str]) -> None:
        """Take a blob out of the store into the local file ``dest`` (undoing a ``store_file``)."""
        src = self.local_path(digest)
        shutil.copyfile(src, dest)
        self.delete(digest)

    def put_bytes(self, data: bytes) -> str:
        return self.put_stream([data])

    def put_file(self, path: str | os.PathLike[str]) -> str:
        with open(path, "rb") as f:
            return self.put_stream(iter(lambda: f.read(CHUNK), b""))

    def read(self, digest: str) -> bytes:
        with self.open(digest) as f:
            return f.read()

    def iter_chunks(self, digest: str, chunk: int = CHUNK) -> Iterator[bytes]:
        with self.open(digest) as f:
            yield from iter(lambda: f.read(chunk), b"")


def _spool(chunks: Iterable[bytes], folder: Path, expected_sha256: str | None, fsync: bool) -> tuple[str, str]:
    """Write ``chunks`` to a temp file in ``folder`` while hashing: ``(temp path, sha256)``.
    The temp file is removed on any failure, a checksum mismatch included."""
    h = hashlib.sha256()
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder)
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                h.update(chunk)
                f.write(chunk)   # buffered: a short write is retried, then raises
            f.flush()
            if fsync:
                os.fsync(f.fileno())
        digest = h.hexdigest()
        if expected_sha256 is not None and digest != expected_sha256.lower():
            raise invalid(f"content sha256 is {digest}, expected {expected_sha256}")
        return tmp, digest
    except BaseException:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _storage_errors(exc: BaseException, doing: str) -> None:
    err = storage_error(exc, doing)
    if err is not None:
        raise err from exc


class LocalBlobStore(BlobStore):
    """Blobs under ``root/ab/cdef…``. A write goes to a temp file in ``root/tmp``, is
    hashed while written, fsynced and renamed into place, so a reader never sees a
    partial blob and identical content is kept once."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.url = str(self.root)
        self.local_dir = self.root
        self.tmp = self.root / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)

    def _file(self, digest: str) -> Path:
        _check_digest(digest)
        return self.root / digest[:2] / digest[2:]

    def exists(self, digest: str) -> bool:
        return self._file(digest).is_file()

    def size(self, digest: str) -> int:
        p = self._file(digest)
        if not p.is_file():
            raise not_found("blob", digest)
        return p.stat().st_size

    def put_stream(self, chunks: Iterable[bytes], expected_sha256: str | None = None) -> str:
        try:
            tmp, digest = _spool(chunks, self.tmp, expected_sha256, fsync=True)
            dest = self._file(digest)
            try:
                if dest.exists():
                    os.unlink(tmp)
                else:
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(tmp, dest)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
            return digest
        except BaseException as exc:
            _storage_errors(exc, "storing the file")
            raise

    def open(self, digest: str) -> BinaryIO:
        p = self._file(digest)
        if not p.is_file():
            raise not_found("blob", digest)
        return open(p, "rb")

    def local_path(self, digest: str) -> Path:
        p = self._file(digest)
        if not p.is_file():
            raise not_found("blob", digest)
        return p

    def store_file(self, path: str | os.PathLike[str], digest: str, move: bool = False) -> bool:
        dest = self._file(digest)
        if dest.exists():
            return False
        dest.parent.mkdir(parents=True, exist_ok=True)
        if move:
            try:
                os.replace(path, dest)   # the upload folder normally lives in the blob root
                return True
            except OSError as exc:
                if exc.errno != errno.EXDEV:   # another file system: copied below
                    raise
        fd, tmp = tempfile.mkstemp(dir=self.tmp)
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        if move:
            os.unlink(path)
        return True

    def move_out(self, digest: str, dest: str | os.PathLike[str]) -> None:
        os.replace(self.local_path(digest), dest)

    def delete(self, digest: str) -> None:
        self._file(digest).unlink(missing_ok=True)

    def digests(self) -> Iterator[str]:
        for p in self.root.glob("??/*"):
            if p.is_file() and _valid_digest(p.parent.name + p.name):
                yield p.parent.name + p.name


class FsspecBlobStore(BlobStore):
    """Blobs under ``<url>/ab/cdef…`` on any fsspec filesystem (S3 through s3fs).

    A write spools to ``cache_dir/tmp`` while hashing (1 MiB at a time), then uploads the
    file unless that digest is stored already (s3fs sends a big file as a multipart
    upload), then keeps the local copy in the cache. Reads stream from the store;
    :meth:`local_path` downloads into the cache (to a temp name, then renamed) and evicts
    the least recently used copies beyond ``cache_bytes``."""

    remote = True

    def __init__(self, url: str, storage_options: Mapping[str, Any], cache_dir: str | os.PathLike[str],
                 cache_bytes: int = DEFAULT_CACHE_BYTES, cache_grace_s: float = CACHE_GRACE_S) -> None:
        from fsspec.core import url_to_fs

        self.url = url.rstrip("/")
        self.storage_options = dict(storage_options)
        self.fs, path = url_to_fs(self.url, **self.storage_options)
        self.prefix = str(path).rstrip("/")
        if not self.prefix:
            raise MLHubError(ErrorCode.INVALID, f"MLHub.artifact_root {url!r} names no bucket; "
                                                "use a URL such as s3://bucket/prefix")
        self.scheme = url_scheme(url) or ""
        self.cache = Path(cache_dir)
        self.local_dir = self.cache
        self.tmp = self.cache / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.cache_bytes = int(cache_bytes)
        self.cache_grace_s = float(cache_grace_s)

    def key(self, digest: str) -> str:
        """The object's path on the filesystem (``bucket/prefix/ab/cdef…``)."""
        _check_digest(digest)
        return f"{self.prefix}/{digest[:2]}/{digest[2:]}"

    def _cached(self, digest: str) -> Path:
        return self.cache / digest[:2] / digest[2:]

    @contextlib.contextmanager
    def _reaching(self, doing: str, writing: bool = False) -> Iterator[None]:
        """Errors of the store as ML Hub errors: a missing object is for the caller to tell
        (a missing bucket, when ``writing``, is 503), full or read-only is 507, anything else
        (the store unreachable, an error of its own) is 503."""
        try:
            yield
        except MLHubError:
            raise
        except FileNotFoundError as exc:
            if not writing:
                raise
            raise MLHubError(ErrorCode.UNAVAILABLE, f"{doing} failed: the bucket of the server's artifact storage "
                                                    "does not exist. Ask the administrator to create it (or "
                                                    "correct MLHub.artifact_root)") from exc
        except PermissionError as exc:
            raise MLHubError(ErrorCode.INSUFFICIENT_STORAGE,
                             f"{doing} failed: the server's artifact storage refused the write or read "
                             f"({type(exc).__name__}). Ask the administrator to check its credentials "
                             "and permissions, then send the same request again.", reason="read_only") from exc
        except Exception as exc:   # botocore/aiohttp errors are not all OSErrors
            if isinstance(exc, OSError):
                _storage_errors(exc, doing)
            log.warning("%s: the artifact storage at %s failed: %r", doing, self.url, exc)
            raise MLHubError(ErrorCode.UNAVAILABLE, f"{doing} failed: the server's artifact storage "
                                                    f"did not answer ({type(exc).__name__}); try again later") from exc

    def exists(self, digest: str) -> bool:
        key = self.key(digest)
        with self._reaching("looking up a file"):
            self.fs.invalidate_cache(key)   # another replica may have written it since
            return bool(self.fs.exists(key))

    def size(self, digest: str) -> int:
        cached = self._cached(_check_digest(digest))
        if cached.is_file():
            return cached.stat().st_size
        try:
            with self._reaching("looking up a file"):
                self.fs.invalidate_cache(self.key(digest))
                return int(self.fs.info(self.key(digest))["size"])
        except FileNotFoundError:
            raise not_found("blob", digest) from None

    def _upload(self, local: str | os.PathLike[str], digest: str) -> bool:
        """Upload ``local`` as ``digest`` unless stored already (True: uploaded)."""
        key = self.key(digest)
        with self._reaching("storing the file", writing=True):
            self.fs.invalidate_cache(key)
            if self.fs.exists(key):
                return False
            if s3_upload.is_s3(self.fs):
                # One PUT, or a multipart upload of 8 MiB parts, each streamed from the file
                # (s3fs would read each part, or a file under two parts, whole into memory).
                s3_upload.put_file(self.fs, local, key, _PART)
            elif self.scheme in _ATOMIC_PUT:
                self.fs.put_file(str(local), key)
            else:
                tmp_key = f"{self.prefix}/tmp/{uuid.uuid4().hex}"
                self.fs.put_file(str(local), tmp_key)
                self.fs.mv(tmp_key, key)
            return True

    def _keep(self, local: str | os.PathLike[str], digest: str) -> None:
        """Move a local file holding ``digest`` into the cache (atomic rename), then evict."""
        dest = self._cached(digest)
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(local, dest)
        except OSError:   # another file system, or the cache not writable: not needed, just lose it
            Path(local).unlink(missing_ok=True)
            return
        self._evict(keep=dest)

    def put_stream(self, chunks: Iterable[bytes], expected_sha256: str | None = None) -> str:
        tmp: str | None = None
        try:
            tmp, digest = _spool(chunks, self.tmp, expected_sha256, fsync=False)
            self._upload(tmp, digest)
            self._keep(tmp, digest)
            return digest
        except BaseException as exc:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            _storage_errors(exc, "storing the file")
            raise

    def store_file(self, path: str | os.PathLike[str], digest: str, move: bool = False) -> bool:
        added = self._upload(path, digest)
        if added and move:
            self._keep(path, digest)
        return added

    def open(self, digest: str) -> BinaryIO:
        cached = self._cached(_check_digest(digest))
        try:
            return open(cached, "rb")
        except FileNotFoundError:
            pass
        try:
            with self._reaching("reading a file"):
                self.fs.invalidate_cache(self.key(digest))
                # A bounded read-ahead buffer: a download streams, whatever the blob's size.
                return self.fs.open(self.key(digest), "rb", block_size=2 * CHUNK)  # type: ignore[no-any-return]
        except FileNotFoundError:
            raise not_found("blob", digest) from None

    def local_path(self, digest: str) -> Path:
        cached = self._cached(_check_digest(digest))
        if cached.is_file():
            with contextlib.suppress(OSError):
                os.utime(cached)   # recently used: evicted last
            return cached
        fd, tmp = tempfile.mkstemp(dir=self.tmp)
        os.close(fd)
        try:
            with self._reaching("reading a file"):
                if s3_upload.is_s3(self.fs):
                    # One GET streamed to disk 64 KiB at a time: s3fs's default fetches a file
                    # over 50 MiB as 10 ranges of 50 MiB at once, each read whole into memory
                    # (a 300 MB blob cost the service 350 MB).
                    self.fs.get_file(self.key(digest), tmp, max_concurrency=1)
                else:
                    self.fs.get_file(self.key(digest), tmp)
            cached.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, cached)
        except FileNotFoundError:
            raise not_found("blob", digest) from None
        except BaseException as exc:
            _storage_errors(exc, "copying a file from the artifact storage")
            raise
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self._evict(keep=cached)
        return cached

    def delete(self, digest: str) -> None:
        self._cached(_check_digest(digest)).unlink(missing_ok=True)
        with contextlib.suppress(FileNotFoundError), self._reaching("removing a file"):
            self.fs.rm_file(self.key(digest))
        self.fs.invalidate_cache(self.key(digest))

    def digests(self) -> Iterator[str]:
        with self._reaching("listing files"):
            self.fs.invalidate_cache(self.prefix)
            found = self.fs.find(self.prefix)
        for path in found:
            m = _DIGEST_NAME.search(str(path)[len(self.prefix):])
            if m and str(path).startswith(self.prefix + "/") and str(path).count("/") == self.prefix.count("/") + 2:
                yield m.group(1) + m.group(2)

    def _evict(self, keep: Path | None = None) -> None:
        """Drop least recently used cached copies until the cache is within its bound, but
        none used in the last ``cache_grace_s`` seconds."""
        entries = []
        total = 0
        for p in self.cache.glob("??/*"):
            try:
                st = p.stat()
            except FileNotFoundError:
                continue
            entries.append((st.st_mtime, st.st_size, p))
            total += st.st_size
        if total <= self.cache_bytes:
            return
        recent = time.time() - self.cache_grace_s
        for mtime, size, p in sorted(entries):
            if mtime >= recent:
                break
            if p == keep:
                continue
            p.unlink(missing_ok=True)   # a reader that opened it keeps reading (POSIX)
            total -= size
            if total <= self.cache_bytes:
                break
