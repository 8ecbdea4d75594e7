"""Metric posts written by a child process: the group commit of a PostgreSQL registry away
from its event loop's GIL.

In one process, the group writer's thread and the event loop (tornado's HTTP, decoding the
posts) take turns on the GIL: under 200 clients a group of 64 posts took ~2.5 times its
writer's own time (25 ms alone, ~64 ms beside the loop), waiting for the GIL after each
round trip. :class:`ProcessMetricWriter` has the same ``submit``/``submit_async``/``close`` as
:class:`~.group_commit.GroupCommit` and hands each post to a spawned process that runs the
group commit (a :class:`~.sqlstore.SqlStore` of its own on the same database) and answers it.
What a post needs crosses as a pickle: its run, seq, batches, caller and access check; the
answer, or the error (an ``MLHubError`` as its JSON), comes back with the project the check
found (for the stream event). Nothing else moves: the store, tokens and stream stay in the
registry process, and exactly-once still rests on the database (the ``run_batches`` key).

The writer process exits with its parent (it waits on the parent's sentinel). If it dies,
the posts it held fail with ``UNAVAILABLE`` (the SDK sends them again with the same seq) and
the next post starts a new one.
"""
from __future__ import annotations

import asyncio
import itertools
import multiprocessing
import multiprocessing.connection
import os
import pickle
import threading
from concurrent.futures import Future
from typing import Any, Callable

from ..core.errors import ErrorCode, MLHubError
from .group_commit import settle_futures

#: How long :meth:`ProcessMetricWriter.close` waits for the writer to finish its groups.
CLOSE_TIMEOUT_S = 20.0


def _error_of(exc: BaseException) -> tuple[str, Any]:
    """An exception as it crosses the pipe: MLHubError as its JSON (it does not pickle)."""
    if isinstance(exc, MLHubError):
        return "mlhub", {**exc.to_json()["error"]}
    try:
        pickle.dumps(exc)
        return "exc", exc
    except Exception:   # an exception holding a connection, say: its text
        return "exc", RuntimeError(f"{type(exc).__name__}: {exc}")


def _raise_of(kind: str, value: Any) -> BaseException:
    if kind == "mlhub":
        details = {k: v for k, v in value.items() if k not in ("code", "message")}
        return MLHubError(ErrorCode(value["code"]), value["message"], **details)
    return value  # type: ignore[no-any-return]


def _child(open_store: Callable[[str], Any], url: str, conn: multiprocessing.connection.Connection) -> None:
    """The writer process: posts from ``conn`` into the group commit of ``open_store(url)``
    (a :class:`~.sqlstore.SqlStore`, passed in rather than imported: it imports this module),
    answers back."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        def watch() -> None:
            multiprocessing.connection.wait([parent.sentinel])
            os._exit(0)
        threading.Thread(target=watch, name="mlhub-parent-watch", daemon=True).start()
    store = open_store(url)
    send_lock = threading.Lock()

    def answer(i: int, check: Any, future: "asyncio.Future[Any]") -> None:
        project = getattr(check, "project", None)
        error = future.exception()
        message = (i, "ok", future.result(), project) if error is None else (i, *_error_of(error), project)
        with send_lock:
            conn.send(message)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        outstanding: set[asyncio.Future[Any]] = set()

        def start(i: int, request: Any, weight: int) -> None:
            future = store._metric_groups.submit_async(request, weight)
            outstanding.add(future)
            future.add_done_callback(outstanding.discard)
            future.add_done_callback(lambda f: answer(i, request[4], f))

        def receive() -> None:
            try:
                while True:
                    message = conn.recv()
                    if message is None:
                        break
                    loop.call_soon_threadsafe(start, *message)
            except (EOFError, OSError):
                pass
            loop.call_soon_threadsafe(lambda: done.done() or done.set_result(None))

        threading.Thread(target=receive, name="mlhub-metric-receive", daemon=True).start()
        await done
        while outstanding:   # asked to stop: the posts received are still answered
            await asyncio.wait(list(outstanding))

    try:
        asyncio.run(main())
    finally:
        store.close()   # waits for the groups being written
        with send_lock:
            conn.close()


class ProcessMetricWriter:
    """Group commit of metric posts in a child process (see the module's doc); a drop-in for
    :class:`~.group_commit.GroupCommit` in :class:`~.sqlstore.SqlStore` on PostgreSQL."""

    def __init__(self, url: str, open_store: Callable[[str], Any]) -> None:
        """``open_store(url)``: the store whose group commit the child runs (picklable: the
        store's class)."""
        self.url, self.open_store = url, open_store
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._pending: dict[int, tuple[Any, Any, Any]] = {}   # id -> (future, access check, its pipe)
        self._conn: multiprocessing.connection.Connection | None = None
        self._proc: Any = None
        self._start()

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")   # the registry has threads and connections
        ours, theirs = ctx.Pipe()
        proc = ctx.Process(target=_child, args=(self.open_store, self.url, theirs), name="mlhub-metric-writer", daemon=True)
        proc.start()
        theirs.close()
        self._conn, self._proc = ours, proc
        threading.Thread(target=self._receive, args=(ours,), name="mlhub-metric-answers", daemon=True).start()

    def _send(self, future: Any, request: Any, weight: int) -> None:
        with self._lock:
            if self._conn is None or not self._proc.is_alive():
                self._start()   # the writer died: a new one for this post and the next
            i = next(self._ids)
            self._pending[i] = (future, request[4], self._conn)
            assert self._conn is not None
            try:
                self._conn.send((i, request, weight))
            except (OSError, ValueError) as exc:
                self._pending.pop(i, None)
                raise MLHubError(ErrorCode.UNAVAILABLE, "the metric writer process is gone; send again") from exc

    def submit(self, request: Any, weight: int = 1) -> Any:
        """Write ``request`` and return its result (or raise its error), waiting on this thread."""
        future: Future[Any] = Future()
        self._send(future, request, weight)
        return future.result()

    def submit_async(self, request: Any, weight: int = 1) -> "asyncio.Future[Any]":
        """A future of ``request``'s result on the running event loop; no thread waits."""
        future = asyncio.get_running_loop().create_future()
        self._send(future, request, weight)
        return future

    def _receive(self, conn: multiprocessing.connection.Connection) -> None:
        """The answers, as they come; when the writer is gone, the posts it held fail."""
        try:
            while True:
                i, kind, value, project = conn.recv()
                with self._lock:
                    future, check, _ = self._pending.pop(i)
                if project is not None and check is not None:
                    check.project = project
                self._settle(future, None if kind == "ok" else _raise_of(kind, value), value)
        except (EOFError, OSError):
            pass
        with self._lock:
            if self._conn is conn:
                self._conn = None
            # the posts sent to this writer (not those already sent to its successor)
            gone = [i for i, (_, _, c) in self._pending.items() if c is conn]
            lost = [self._pending.pop(i)[0] for i in gone]
        for future in lost:
            self._settle(future, MLHubError(ErrorCode.UNAVAILABLE, "the metric writer process stopped before "
                                                                   "answering; send the batch again"), None)

    @staticmethod
    def _settle(future: Any, error: BaseException | None, value: Any) -> None:
        if isinstance(future, asyncio.Future):
            try:
                future.get_loop().call_soon_threadsafe(settle_futures, [(future, value, error)])
            except RuntimeError:   # the loop was closed: nobody waits for this answer
                pass
        elif error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def close(self) -> None:
        """Let the writer finish the groups it holds, then stop it."""
        with self._lock:
            conn, proc, self._conn = self._conn, self._proc, None
        if conn is not None:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
        if proc is not None:
            proc.join(CLOSE_TIMEOUT_S)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
