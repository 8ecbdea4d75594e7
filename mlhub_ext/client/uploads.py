"""Resumable chunked upload of one file over REST (the SDK side of ``/uploads``).

The file is hashed once, then sent chunk by chunk with each chunk's sha256; a chunk that
fails for a transient reason is retried, and an upload interrupted by a lost connection
resumes from the server's list of missing ranges (``resume=upload_id``). Memory holds
one chunk at a time.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, Callable

from ..core.errors import MLHubError
from .http import TRANSIENT, HTTPClient

CHUNK = 8 << 20
RETRIES = 5
Progress = Callable[[int, int], None]


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _retrying(fn: Callable[[], Any]) -> Any:
    for attempt in range(RETRIES):
        try:
            return fn()
        except MLHubError as e:
            if e.code not in TRANSIENT or attempt == RETRIES - 1:
                raise
            time.sleep(min(0.2 * 2 ** attempt, 5.0))


def upload_file(http: HTTPClient, path: str | os.PathLike[str], filename: str | None = None,
                progress: Progress | None = None, resume: str | None = None, chunk_size: int = CHUNK) -> dict[str, Any]:
    """Send ``path`` and complete the upload; returns the completed upload (with its ``id``)."""
    path = Path(path)
    size = path.stat().st_size
    digest = file_sha256(path)
    if resume:
        up = http.get(f"uploads/{resume}")
    else:
        up = http.post("uploads", json={"filename": filename or path.name, "size": size, "sha256": digest,
                                        "chunk_size": chunk_size})
    chunk = int(up["chunk_size"])
    todo = [off for start, end in up["missing"] for off in range(start, end, chunk)]
    done = size - sum(end - start for start, end in up["missing"])
    if progress:
        progress(done, size)
    with open(path, "rb") as f:
        for off in todo:
            f.seek(off)
            data = f.read(chunk)
            headers = {"Content-Type": "application/octet-stream",
                       "X-Chunk-SHA256": hashlib.sha256(data).hexdigest()}
            _retrying(lambda: http.request("PUT", f"uploads/{up['id']}/chunks/{off}", data=data, headers=headers,
                                           timeout=300))
            done += len(data)
            if progress:
                progress(done, size)
    return _retrying(lambda: http.post(f"uploads/{up['id']}/complete", json={"sha256": digest}, timeout=600))
