"""Background delivery of a run's points: buffer -> write-ahead log -> server.

Two daemon threads per run. The *writer* wakes every ``interval`` seconds (or when the
buffer is large), turns the buffered points into batches with a run-scoped ``seq``,
appends them to the WAL and queues them. The *sender* posts queued batches in order and
records each acknowledgement; while the server is unreachable it retries with backoff,
and the writer goes on writing, so logging never waits for the network.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from typing import Any, Callable

from tenacity import Retrying, retry_if_exception, wait_exponential

from ..core.errors import ErrorCode, MLHubError
from .http import HTTPClient, is_transient
from .batch import Columns, as_json_lists, encode_batch, group_columns
from .wal import KIND_METRICS, KIND_PATCH, WALWriter

log = logging.getLogger("mlhub_ext.client")

Listener = Callable[[Columns], None]

MAX_BATCH_POINTS = 50_000
WAKE_AT_RECORDS = 20_000
MAX_BACKOFF = 2.0
STOP_POLL = 2.0   # seconds without any answer from the server before asking about a stop


class _Stopped(Exception):
    """Raised out of a retry's pause when the flusher stops."""


class WireFormat:
    """Which batch form the server takes: compact until it refuses one, then JSON lists."""

    def __init__(self) -> None:
        self.lists = False
        self.confirmed = False

    def post(self, http: HTTPClient, run_id: str, body: bytes) -> Any:
        if self.lists:
            return http.post(f"runs/{run_id}/metrics", data=as_json_lists(body))
        try:
            answer = http.post(f"runs/{run_id}/metrics", data=body)
        except MLHubError as exc:
            if self.confirmed or exc.code not in (ErrorCode.MALFORMED, ErrorCode.INVALID):
                raise
            self.lists = True
            return http.post(f"runs/{run_id}/metrics", data=as_json_lists(body))
        self.confirmed = True
        return answer


class Flusher:
    """Owns a run's buffer, WAL writer and send queue."""

    def __init__(self, run_id: str, http: HTTPClient, wal: WALWriter,
                 interval: float = 0.1, wire: WireFormat | None = None,
                 seq_base: int = 0) -> None:
        self.run_id = run_id
        self.buffer: deque[tuple[int, float, dict[str, Any]]] = deque()
        self.interval = interval
        self.listeners: list[Listener] = []
        self.rejected_points = 0
        self.last_error: MLHubError | None = None
        self.acked_seq = 0
        self.wal_error = ""
        # Set once the server says the run was asked to stop (POST /runs/{id}/stop);
        # ``on_stop`` is then called once, from the sender thread.
        self.stop_requested = False
        self.on_stop: Callable[[], None] | None = None
        self._last_answer = time.monotonic()
        self._http = http
        self.wire = wire or WireFormat()
        self._wal = wal
        self._seq = seq_base   # distinct per writer when several processes log one run
        self._patch_n = 0
        self._patch: dict[str, Any] | None = None
        self._patch_lock = threading.Lock()
        self._queue: deque[tuple[str, int, bytes, int]] = deque()  # kind, num, body, points
        self._cond = threading.Condition()
        self._wake = threading.Event()
        self._closing = False
        self._stop = threading.Event()
        self._flush_waiters: list[threading.Event] = []
        self._wal_closed = False
        # While the server is unreachable, a batch is sent again after 0.05 s, doubling to
        # MAX_BACKOFF, for as long as it takes; a pause ends early when the flusher stops.
        self._retrying = Retrying(wait=wait_exponential(multiplier=0.05, max=MAX_BACKOFF),
                                  retry=retry_if_exception(is_transient), sleep=self._pause, reraise=True)
        self._writer = threading.Thread(target=self._writer_loop, daemon=True,
                                        name=f"mlhub-wal-{run_id[:8]}")
        self._sender = threading.Thread(target=self._sender_loop, daemon=True,
                                        name=f"mlhub-send-{run_id[:8]}")
        self._writer.start()
        self._sender.start()

    # -- called from the user's threads ------------------------------------------------
    def wake(self) -> None:
        self._wake.set()

    def request_patch(self, body: dict[str, Any]) -> None:
        """Queue a run update (merged with any not yet written) for the next cycle."""
        with self._patch_lock:
            self._patch = {**(self._patch or {}), **body}
        self._wake.set()

    def flush(self, timeout: float | None = None) -> bool:
        """Write and send everything logged so far; True if the server acknowledged it all."""
        target = time.monotonic() + (timeout if timeout is not None else 1e9)
        if not self._writer.is_alive():   # closed: nothing more will be written
            return not self._queue
        done = threading.Event()
        with self._patch_lock:
            self._flush_waiters.append(done)
        self._wake.set()
        if not done.wait(max(0.0, target - time.monotonic())):
            return False
        with self._cond:
            while self._queue:
                left = target - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.5))
        return True

    def close(self, final_patch: dict[str, Any], timeout: float) -> bool:
        """Write the last points and ``final_patch``, wait up to ``timeout`` for acks.

        Returns True when the server acknowledged everything (the WAL is then removed).
        """
        deadline = time.monotonic() + timeout
        self.request_patch(final_patch)
        self._closing = True
        self._wake.set()
        self._writer.join()
        with self._cond:
            while self._queue and time.monotonic() < deadline:
                self._cond.wait(min(0.5, max(0.01, deadline - time.monotonic())))
            complete = not self._queue
            self._stop.set()
            self._cond.notify_all()
        self._sender.join(timeout=max(0.1, min(2.0, deadline - time.monotonic())))
        with self._cond:   # the sender checks this lock before recording an ack
            self._wal.close(remove=complete)
            self._wal_closed = True
        self._http.close()
        return complete

    @property
    def unacked_batches(self) -> int:
        return len(self._queue)

    # -- writer thread -----------------------------------------------------------------
    def _writer_loop(self) -> None:
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            closing = self._closing
            with self._patch_lock:   # taken before draining: they wait for this cycle
                waiters, self._flush_waiters = self._flush_waiters, []
            try:
                self._write_cycle()
            except Exception:   # a failing disk must not kill logging silently
                log.exception("mlhub: writing the WAL of run %s failed", self.run_id)
            for ev in waiters:
                ev.set()
            if closing:
                return

    def _write_cycle(self) -> None:
        buf = self.buffer
        n = len(buf)
        records = [buf.popleft() for _ in range(n)]
        queued: list[tuple[str, int, bytes, int]] = []
        for chunk in _chunks(records, MAX_BATCH_POINTS):
            cols = group_columns(chunk)
            if not cols:
                continue
            self._seq += 1
            body = encode_batch(self._seq, cols)
            self._append_wal(KIND_METRICS, body)
            queued.append(("m", self._seq, body, sum(len(c[0]) for c in cols.values())))
            self._notify(cols)
        with self._patch_lock:
            patch, self._patch = self._patch, None
        if patch is not None:
            self._patch_n += 1
            self._append_wal(KIND_PATCH, json.dumps({**patch, "_n": self._patch_n}).encode())
            wire = {k: v for k, v in patch.items() if not k.startswith("_")}   # local markers
            queued.append(("p", self._patch_n, json.dumps(wire).encode(), 0))
        if queued:
            try:
                self._wal.sync()
            except OSError as exc:
                self._wal_failed(exc)
            with self._cond:
                self._queue.extend(queued)
                self._cond.notify_all()

    def _append_wal(self, kind: bytes, payload: bytes) -> None:
        try:
            self._wal.append(kind, payload)
        except OSError as exc:
            self._wal_failed(exc)

    def _wal_failed(self, exc: OSError) -> None:
        # Still send from memory: a full or broken disk costs crash safety, not the points.
        if not self.wal_error:
            log.warning("mlhub: run %s: cannot write the write-ahead log %s (%s); points are "
                        "sent from memory only until it works again", self.run_id,
                        self._wal.path, exc)
        self.wal_error = str(exc)

    def _notify(self, cols: Columns) -> None:
        for listener in list(self.listeners):
            try:
                listener(cols)
            except Exception:
                log.exception("mlhub: a live listener of run %s failed", self.run_id)

    # -- sender thread -----------------------------------------------------------------
    def _sender_loop(self) -> None:
        while True:
            poll = False
            with self._cond:
                while not self._queue and not self._stop.is_set():
                    idle = time.monotonic() - self._last_answer
                    if idle >= STOP_POLL and not self.stop_requested and not self._closing:
                        poll = True
                        break
                    self._cond.wait(STOP_POLL - idle if idle < STOP_POLL else None)
                if self._stop.is_set():
                    return
                item = None if poll else self._queue[0]
            if item is None:
                self._poll_stop()
                continue
            kind, num, body, points = item
            try:
                self._heard(self._retrying(self._send, kind, body))
            except _Stopped:
                return
            except MLHubError as exc:
                # The server refused this batch for good; sending it again cannot help.
                log.warning("mlhub: run %s: the server rejected %s %d: %s",
                            self.run_id, "batch" if kind == "m" else "update", num, exc)
                self.rejected_points += points
                self._done(item, "r" if kind == "m" else "p")
                continue
            self.last_error = None
            if kind == "m":
                self.acked_seq = num
            self._done(item, kind)

    def _send(self, kind: str, body: bytes) -> Any:
        """One try at posting a batch (``kind`` "m") or a run update; the server's answer."""
        try:
            if kind == "m":
                return self.wire.post(self._http, self.run_id, body)
            return self._http.patch(f"runs/{self.run_id}", data=body)
        except MLHubError as exc:
            self.last_error = exc
            raise

    def _pause(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Stopped

    def _heard(self, answer: Any) -> None:
        """Note an answer: a batch's (``stop_requested``) or a run's JSON both carry the flag."""
        self._last_answer = time.monotonic()
        if isinstance(answer, dict) and answer.get("stop_requested") and not self.stop_requested:
            self.stop_requested = True
            if self.on_stop is not None:
                try:
                    self.on_stop()
                except Exception:
                    log.exception("mlhub: the stop handler of run %s failed", self.run_id)

    def _poll_stop(self) -> None:
        """Ask whether the run was stopped (a loop that logs rarely sends no batches)."""
        try:
            self._heard(self._http.get(f"runs/{self.run_id}"))
        except Exception:   # unreachable or refused: try again after the next interval
            self._last_answer = time.monotonic()

    def _done(self, item: tuple[str, int, bytes, int], ack_kind: str) -> None:
        with self._cond:
            if not self._wal_closed:
                self._wal.ack(ack_kind, item[1])
            if self._queue and self._queue[0] is item:
                self._queue.popleft()
            self._cond.notify_all()


def _chunks(records: list[Any], max_points: int) -> list[list[Any]]:
    if not records:
        return []
    chunks, current, count = [], [], 0
    for rec in records:
        size = len(rec[2])
        if current and count + size > max_points:
            chunks.append(current)
            current, count = [], 0
        current.append(rec)
        count += size
    chunks.append(current)
    return chunks
