"""The data backend of the dataset registry: format work in a separate worker process.

Converting a file to Parquet and computing its statistics needs pandas/pyarrow buffers
(about 120 MB for a large CSV) and decoding images needs Pillow; running them in one
spawned worker process keeps the registry process small and its event loop free. Only
paths and JSON-ready results cross the process boundary. Nothing here runs user code:
processing operations run in the user's kernel (see ``mlhub_ext.client.datasets``).
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, TypeVar

from ..core.errors import ErrorCode, MLHubError
from ..data.names import normalize_name

T = TypeVar("T")
PREVIEW_ROWS = 100


def ingest_file(path: str, parquet_dest: str, fmt: str | None, sheet: str | None = None) -> dict[str, Any]:
    """Check and describe an upload; tables also get their Parquet copy and a preview."""
    from ..data.ingest import ingest
    from ..data.stats import preview

    info = ingest(path, parquet_dest, fmt, sheet=sheet)
    if info["kind"] == "table":
        info["preview"] = preview(parquet_dest, PREVIEW_ROWS)
    return info


def diff_files(old: str, new: str, old_stats: dict[str, Any] | None, new_stats: dict[str, Any] | None) -> dict[str, Any]:
    from ..data.diff import diff_tables

    return diff_tables(old, new, old_stats, new_stats)


def thumbnails_of(manifest: dict[str, Any], source: str, per_class: int, size: int) -> dict[str, Any]:
    from ..data.images import class_thumbnails

    return class_thumbnails(manifest, source, per_class, size)


def _warm() -> None:
    """Import the data layer so the first registration does not pay for it."""
    from ..data import ingest, stats  # noqa: F401


def _exit_with_parent() -> None:
    """In the worker (its pool's initializer): exit when the registry process is gone.

    A worker waits for work on a pipe that other processes of the pool also hold open, so a
    registry killed outright (SIGKILL, the OOM killer) left it waiting forever, idle; a
    daemon thread that waits on the parent's sentinel ends it instead."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="mlhub-parent-watch", daemon=True).start()


def _guarded(fn: Callable[..., T], *args: Any) -> tuple[str, Any]:
    """Run ``fn`` in the worker; errors travel back as JSON (MLHubError does not pickle)."""
    try:
        return "ok", fn(*args)
    except MLHubError as e:
        return "error", {**e.to_json()["error"], "http_status": e.http_status}


class DataWorker:
    """A :class:`~mlhub_ext.core.datasets.DataBackend` that runs the work in one worker process.

    ``in_process=True`` runs it in the calling thread instead (tests, tiny deployments).
    A worker that dies (killed for memory, say) is replaced on the next call.
    """

    def __init__(self, in_process: bool = False, max_workers: int = 1) -> None:
        self.in_process = in_process
        self.max_workers = max_workers
        self._pool: Executor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> Executor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the registry process has threads and open database connections.
                self._pool = ProcessPoolExecutor(self.max_workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_exit_with_parent)
            return self._pool

    def _run(self, fn: Callable[..., T], *args: Any) -> T:
        if self.in_process:
            return fn(*args)
        try:
            status, value = self._executor().submit(_guarded, fn, *args).result()
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
            raise MLHubError(ErrorCode.UNAVAILABLE, "the dataset worker process died (out of memory?); "
                                                    "try again, or with a smaller file") from None
        if status == "error":
            raise MLHubError(ErrorCode(value["code"]), value["message"], **(value.get("details") or {}))
        return value

    def warm(self) -> None:
        """Start the worker process and load pandas/pyarrow in it, without waiting."""
        if not self.in_process:
            self._executor().submit(_warm)

    def normalize_name(self, filename: str) -> str:
        return normalize_name(filename)

    def ingest(self, path: Path, parquet_dest: Path, fmt: str | None, sheet: str | None = None) -> dict[str, Any]:
        return self._run(ingest_file, str(path), str(parquet_dest), fmt, sheet)

    def diff(self, old_parquet: Path, new_parquet: Path, old_stats: dict[str, Any] | None,
             new_stats: dict[str, Any] | None) -> dict[str, Any]:
        return self._run(diff_files, str(old_parquet), str(new_parquet), old_stats, new_stats)

    def thumbnails(self, manifest: dict[str, Any], source: Path, per_class: int, size: int) -> dict[str, Any]:
        return self._run(thumbnails_of, manifest, str(source), per_class, size)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
