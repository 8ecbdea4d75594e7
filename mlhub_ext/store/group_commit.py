"""Group commit: requests that wait at the same time are written together, in one transaction.

Threads call :meth:`GroupCommit.submit` with one request each. The first to arrive when
nobody is writing becomes the leader: it takes every request waiting (itself first, up to
``max_group`` requests or ``max_weight`` of their weight), writes them with ``write_group``
(one transaction: all of them stored or none; a lone request with ``write_one``), hands the
lead to the first request still waiting, and returns its own result; the others sleep until
the leader has their result. At most ``writers`` groups are written at a time (a second
leader starts only once :data:`_BACKLOG` requests wait), so what arrives while they are being
written waits for the next: the busier the writers, the larger
their groups, the fewer their transactions and round trips per request. No request is answered before the transaction that
holds it has committed.

When ``write_group`` raises, nobody of that group is answered from it: each of its requests is
written again on its own thread with ``write_one`` (the path a lone request always takes), so
a request that fails alone (a deleted run, a bad value) fails with its own error and the others
are stored; whatever was meant to happen exactly once stays so, since the failed group
committed nothing.

``write_group`` may also answer one request with an exception instance in its place (a post
whose run the caller may not write to, found in the same transaction): that request fails with
it and the others are answered from the group.

:meth:`GroupCommit.submit_async` is the same for a caller on an asyncio event loop (a request
handler): it holds no thread while it waits. Its request is written by a leader on another
thread (one of ``writers`` threads this object starts when an asynchronous request finds no
leader), and the answers of a group reach each loop in one callback.
"""
from __future__ import annotations

import asyncio
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Generic, Sequence, TypeVar

Req = TypeVar("Req")
Res = TypeVar("Res")

_PENDING, _LEAD, _DONE, _ALONE, _FAILED = range(5)
#: Requests waiting before another writer starts (when ``writers`` > 1).
_BACKLOG = 4


class _Slot(Generic[Req, Res]):
    __slots__ = ("request", "weight", "state", "result", "error", "wake", "future")

    def __init__(self, request: Req, weight: int, future: "asyncio.Future[Res] | None" = None) -> None:
        self.request, self.weight = request, weight
        self.state = _PENDING
        self.result: Res | None = None
        self.error: BaseException | None = None
        #: set for an asynchronous request: answered on its loop, no thread waits on ``wake``
        self.future = future
        # an Event costs a Condition and a lock: only a synchronous request's thread waits
        self.wake = threading.Event() if future is None else None


def settle_futures(answers: list[tuple["asyncio.Future[object]", object, BaseException | None]]) -> None:
    """On the event loop: answer ``(future, result, error)`` triples (a group's asynchronous
    requests, in one callback); a cancelled future is skipped."""
    for future, result, error in answers:
        if future.cancelled():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


class GroupCommit(Generic[Req, Res]):
    """Writes concurrent requests in groups.

    ``write_group(requests)`` writes at least two requests in one transaction and returns their
    results in order; ``write_one(request)`` writes one on its own. ``max_group`` (at least 1;
    1 turns grouping off) bounds the requests of a group, ``max_weight`` the sum of their
    ``weight`` (e.g. points; a request heavier than that is still written, alone); ``writers``
    groups are written at a time (each by its own leader: while one waits for the database,
    another can build its statements).
    """

    def __init__(self, write_group: Callable[[Sequence[Req]], list[Res]], write_one: Callable[[Req], Res],
                 max_group: int = 64, max_weight: int = 200_000, writers: int = 1) -> None:
        if max_group < 1:
            raise ValueError(f"max_group must be at least 1, not {max_group}")
        if writers < 1:
            raise ValueError(f"writers must be at least 1, not {writers}")
        self.writers = writers
        self._write_group, self._write_one = write_group, write_one
        self.max_group, self.max_weight = max_group, max_weight
        self._lock = threading.Lock()
        self._queue: deque[_Slot[Req, Res]] = deque()
        self._leaders = 0
        self._pool: ThreadPoolExecutor | None = None   # leaders for asynchronous requests
        #: groups written and requests in them (for tests and benchmarks)
        self.groups = 0
        self.grouped = 0

    def submit(self, request: Req, weight: int = 1) -> Res:
        """Write ``request`` (alone or with others waiting meanwhile) and return its result, or
        raise what writing it alone raised."""
        slot: _Slot[Req, Res] = _Slot(request, weight)
        with self._lock:
            # A second (third...) writer starts only for a backlog: one that started for every
            # lone arrival would write lone requests while the first writes its group.
            if self._leaders == 0 or (self._leaders < self.writers and len(self._queue) >= _BACKLOG):
                self._leaders += 1
                slot.state = _LEAD
            else:
                self._queue.append(slot)
        if slot.state != _LEAD:
            assert slot.wake is not None
            slot.wake.wait()
        if slot.state == _LEAD:
            self._lead(slot)
        if slot.state == _ALONE:
            return self._write_one(request)
        if slot.state == _FAILED:
            assert slot.error is not None
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def submit_async(self, request: Req, weight: int = 1) -> "asyncio.Future[Res]":
        """:meth:`submit` for a caller on a running event loop: a future of the result (or of
        the error writing it alone raised). No thread of the caller's waits; the request is
        written on one of this object's ``writers`` threads, with whatever else waits."""
        loop = asyncio.get_running_loop()
        slot: _Slot[Req, Res] = _Slot(request, weight, loop.create_future())
        with self._lock:
            lead = self._leaders == 0 or (self._leaders < self.writers and len(self._queue) >= _BACKLOG)
            if lead:
                self._leaders += 1
                slot.state = _LEAD
            else:
                self._queue.append(slot)
        if lead:
            self._start_leader(slot)
        assert slot.future is not None
        return slot.future

    def _start_leader(self, slot: _Slot[Req, Res]) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.writers, thread_name_prefix="mlhub-group")
            pool = self._pool
        pool.submit(self._lead, slot)

    def close(self) -> None:
        """Stop the leader threads of asynchronous requests (after the groups being written)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _lead(self, slot: _Slot[Req, Res]) -> None:
        """Write this request and those waiting (up to the bounds), answer them, pass the lead
        on. A leader on this object's own thread (an asynchronous request's) keeps leading
        while asynchronous requests wait; a synchronous request waiting is woken to lead."""
        while True:
            group, weight = [slot], slot.weight
            with self._lock:
                while (self._queue and len(group) < self.max_group
                       and weight + self._queue[0].weight <= self.max_weight):
                    group.append(self._queue.popleft())
                    weight += group[-1].weight
            nxt: _Slot[Req, Res] | None = None
            try:
                self._write(group)
            finally:
                with self._lock:
                    if self._queue:   # the first still waiting leads next
                        nxt = self._queue.popleft()
                        nxt.state = _LEAD
                    else:
                        self._leaders -= 1
                self._answer(group if slot.future is not None else group[1:])
            if nxt is None:
                return
            if nxt.wake is not None:
                nxt.wake.set()   # a synchronous request leads on its own thread
                return
            if slot.future is None:
                self._start_leader(nxt)   # the caller of submit() gets its answer now
                return
            slot = nxt

    def _write(self, group: list[_Slot[Req, Res]]) -> None:
        """Write a group (or a lone request); set each slot's state and result or error. A
        failed group leaves its synchronous requests to be written alone on their own threads
        and writes its asynchronous ones alone here."""
        if len(group) == 1:
            self._write_alone(group[0])
            return
        try:
            results = self._write_group([s.request for s in group])
        except Exception:
            for s in group:
                if s.future is None:
                    s.state = _ALONE
                else:
                    self._write_alone(s)
            return
        self.groups += 1
        self.grouped += len(group)
        for s, r in zip(group, results):
            if isinstance(r, BaseException):
                s.error, s.state = r, _FAILED
            else:
                s.result, s.state = r, _DONE

    def _write_alone(self, slot: _Slot[Req, Res]) -> None:
        try:
            slot.result, slot.state = self._write_one(slot.request), _DONE
        except Exception as e:
            slot.error, slot.state = e, _FAILED

    @staticmethod
    def _answer(slots: list[_Slot[Req, Res]]) -> None:
        """Wake the synchronous requests; answer the asynchronous ones, one callback per loop."""
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[object], object, BaseException | None]]] = {}
        for s in slots:
            if s.wake is not None:
                s.wake.set()
            else:
                by_loop.setdefault(s.future.get_loop(), []).append((s.future, s.result, s.error))  # type: ignore[arg-type]
        for loop, answers in by_loop.items():
            try:
                loop.call_soon_threadsafe(settle_futures, answers)
            except RuntimeError:   # the loop was closed meanwhile: nobody waits for these answers
                pass
