"""Resumable chunked upload of one file over REST (the SDK side of ``/uploads``).

The file is read once: each chunk feeds the whole-file sha256 and is sent with its own
sha256 by a few parallel senders; a chunk that fails for a transient reason is retried,
and an upload interrupted by a lost connection resumes from the server's list of missing
ranges (``resume=upload_id``). Memory holds a few chunks at a time.
"""
from __future__ import annotations

import hashlib
import os
import queue
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from .http import HTTPClient, is_transient

CHUNK = 8 << 20
PARALLEL = 3
RETRIES = 5
Progress = Callable[[int, int], None]


def _retrying(fn: Callable[[], Any]) -> Any:
    """``fn()``, tried up to RETRIES times while it fails for a transient reason, waiting
    0.2, 0.4, 0.8... (at most 5) seconds between tries; the last error is raised as is."""
    retrying = Retrying(stop=stop_after_attempt(RETRIES), wait=wait_exponential(multiplier=0.2, max=5.0),
                        retry=retry_if_exception(is_transient), reraise=True)
    return retrying(fn)


def upload_file(http: HTTPClient, path: str | os.PathLike[str], filename: str | None = None,
                progress: Progress | None = None, resume: str | None = None, chunk_size: int = CHUNK,
                parallel: int = PARALLEL) -> dict[str, Any]:
    """Send ``path`` and complete the upload; returns the completed upload (with its ``id``).

    The file is read once, in order: each chunk feeds the whole-file hash and, if the
    server lacks it, goes to one of ``parallel`` senders (at most that many chunks in
    memory besides the one being read).
    """
    path = Path(path)
    size = path.stat().st_size
    if resume:
        up = http.get(f"uploads/{resume}")
    else:
        up = http.post("uploads", json={"filename": filename or path.name, "size": size, "chunk_size": chunk_size})
    chunk = int(up["chunk_size"])
    todo = {off for start, end in up["missing"] for off in range(start, end, chunk)}
    done = size - sum(end - start for start, end in up["missing"])
    if progress:
        progress(done, size)
    senders = [http.clone() for _ in range(max(1, parallel))] if parallel > 1 else [http]
    free: queue.SimpleQueue[HTTPClient] = queue.SimpleQueue()
    for s in senders:
        free.put(s)

    def send(off: int, data: bytes) -> int:
        client = free.get()
        try:
            headers = {"Content-Type": "application/octet-stream",
                       "X-Chunk-SHA256": hashlib.sha256(data).hexdigest()}
            _retrying(lambda: client.request("PUT", f"uploads/{up['id']}/chunks/{off}", data=data,
                                             headers=headers, timeout=300))
            return len(data)
        finally:
            free.put(client)

    whole = hashlib.sha256()
    pending: set[Future[int]] = set()
    try:
        with open(path, "rb") as f, ThreadPoolExecutor(len(senders), thread_name_prefix="mlhub-upload") as pool:
            for off in range(0, size, chunk):
                data = f.read(chunk)
                whole.update(data)
                if off not in todo:
                    continue
                if len(pending) >= len(senders):
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    done += _collect(finished)
                    if progress:
                        progress(done, size)
                pending.add(pool.submit(send, off, data))
            finished, pending = wait(pending)
            done += _collect(finished)
            if progress:
                progress(done, size)
    finally:
        for s in senders:
            if s is not http:
                s.close()
    digest = whole.hexdigest()
    return _retrying(lambda: http.post(f"uploads/{up['id']}/complete", json={"sha256": digest}, timeout=600))


def _collect(finished: set[Future[int]]) -> int:
    """Bytes sent by finished chunk sends; the first failure is raised."""
    return sum(f.result() for f in finished)
