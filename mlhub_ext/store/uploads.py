"""The upload space of a blob store on an object store: chunks of resumable uploads kept as
objects next to the blobs, so that any replica of the service can take the next chunk.

Each chunk is one object, ``<prefix>/uploads/<upload id>/<offset, 20 digits>`` (a chunk
is at most 8 MiB, written whole by one PUT: a retry rewrites the same bytes; on S3 the PUT
is sent from the request's buffer, never a copy of it: :mod:`.s3_upload`). Completing
streams them back in offset order (1 MiB reads) into a local temp file while hashing, and
stores that file as the blob of its sha256; the chunk objects are then removed.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from ..core.datasets import Upload
from ..core.errors import conflict, invalid
from ..core.uploads import UploadSpace
from . import s3_upload
from .blobs import CHUNK, FsspecBlobStore


class ObjectUploadSpace(UploadSpace):
    """Uploads in progress under ``<blob store prefix>/uploads/`` on the blob store's filesystem.

    A completed upload waits in the blob store itself, under its sha256 (:meth:`home` is None)."""

    def __init__(self, blobs: FsspecBlobStore) -> None:
        self.blobs = blobs
        self.fs = blobs.fs
        self.prefix = f"{blobs.prefix}/uploads"

    def _folder(self, upload: Upload) -> str:
        return f"{self.prefix}/{upload.id}"

    def _chunk(self, upload: Upload, offset: int) -> str:
        return f"{self._folder(upload)}/{offset:020d}"

    def start(self, upload: Upload) -> None:
        """Nothing to make: an object store has no folders."""

    def write(self, upload: Upload, offset: int, data: bytes, release: bool) -> None:
        with self.blobs._reaching(f"writing the chunk at offset {offset} of {upload.filename}", writing=True):
            if s3_upload.is_s3(self.fs):
                s3_upload.put_bytes(self.fs, self._chunk(upload, offset), data)   # sent from `data`, not a copy
            else:
                self.fs.pipe_file(self._chunk(upload, offset), bytes(data))

    def complete(self, upload: Upload, expected_sha256: str) -> str:
        h = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=self.blobs.tmp)
        try:
            with os.fdopen(fd, "wb") as f:
                for offset, length in sorted(upload.received):
                    got = 0
                    try:
                        with self.blobs._reaching(f"completing the upload of {upload.filename}"), \
                                self.fs.open(self._chunk(upload, offset), "rb", block_size=CHUNK) as part:
                            while block := part.read(CHUNK):   # a chunk (up to 8 MiB) is streamed too
                                h.update(block)
                                f.write(block)
                                got += len(block)
                    except FileNotFoundError:
                        # Another replica completed it (and removed the chunks) meanwhile.
                        raise conflict(f"upload {upload.id} ({upload.filename}) is being completed by another "
                                       "request; ask for its state") from None
                    if got != length:
                        raise invalid(f"the chunk at offset {offset} of {upload.filename} holds {got} bytes "
                                      f"in the artifact storage, not {length}; send it again")
                size = f.tell()
            if size != upload.size:
                raise invalid(f"the assembled file holds {size} bytes, not the declared {upload.size}")
            actual = h.hexdigest()
            if actual == expected_sha256:
                self.blobs.store_file(tmp, actual, move=True)
            self.discard(upload)
            return actual
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def home(self, upload: Upload) -> Path | None:
        return None

    def scratch(self, upload: Upload) -> Path:
        return self.blobs.tmp

    def discard(self, upload: Upload) -> None:
        with contextlib.suppress(FileNotFoundError), self.blobs._reaching("removing an upload"):
            self.fs.rm(self._folder(upload), recursive=True)
        self.fs.invalidate_cache(self._folder(upload))
