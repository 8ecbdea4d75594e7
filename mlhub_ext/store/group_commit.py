"""Group commit: requests that wait at the same time are written together, in one transaction.

Threads call :meth:`GroupCommit.submit` with one request each. The first to arrive when
nobody is writing becomes the leader: it takes every request waiting (itself first, up to
``max_group`` requests or ``max_weight`` of their weight), writes them with ``write_group``
(one transaction: all of them stored or none; a lone request with ``write_one``), hands the
lead to the first request still waiting, and returns its own result; the others sleep until
the leader has their result. One group is written at a time, so what arrives while a group is
being written waits for the next: the busier the writer, the larger its groups, the fewer its
transactions and round trips per request. No request is answered before the transaction that
holds it has committed.

When ``write_group`` raises, nobody of that group is answered from it: each of its requests is
written again on its own thread with ``write_one`` (the path a lone request always takes), so
a request that fails alone (a deleted run, a bad value) fails with its own error and the others
are stored; whatever was meant to happen exactly once stays so, since the failed group
committed nothing.
"""
from __future__ import annotations

import threading
from typing import Callable, Generic, Sequence, TypeVar

Req = TypeVar("Req")
Res = TypeVar("Res")

_PENDING, _LEAD, _DONE, _ALONE, _FAILED = range(5)


class _Slot(Generic[Req, Res]):
    __slots__ = ("request", "weight", "state", "result", "error", "wake")

    def __init__(self, request: Req, weight: int) -> None:
        self.request, self.weight = request, weight
        self.state = _PENDING
        self.result: Res | None = None
        self.error: BaseException | None = None
        self.wake = threading.Event()


class GroupCommit(Generic[Req, Res]):
    """Writes concurrent requests in groups.

    ``write_group(requests)`` writes at least two requests in one transaction and returns their
    results in order; ``write_one(request)`` writes one on its own. ``max_group`` (at least 1;
    1 turns grouping off) bounds the requests of a group, ``max_weight`` the sum of their
    ``weight`` (e.g. points; a request heavier than that is still written, alone).
    """

    def __init__(self, write_group: Callable[[Sequence[Req]], list[Res]], write_one: Callable[[Req], Res],
                 max_group: int = 64, max_weight: int = 200_000) -> None:
        if max_group < 1:
            raise ValueError(f"max_group must be at least 1, not {max_group}")
        self._write_group, self._write_one = write_group, write_one
        self.max_group, self.max_weight = max_group, max_weight
        self._lock = threading.Lock()
        self._queue: list[_Slot[Req, Res]] = []
        self._busy = False
        #: groups written and requests in them (for tests and benchmarks)
        self.groups = 0
        self.grouped = 0

    def submit(self, request: Req, weight: int = 1) -> Res:
        """Write ``request`` (alone or with others waiting meanwhile) and return its result, or
        raise what writing it alone raised."""
        slot: _Slot[Req, Res] = _Slot(request, weight)
        with self._lock:
            self._queue.append(slot)
            if not self._busy:
                self._busy = True
                slot.state = _LEAD
        if slot.state != _LEAD:
            slot.wake.wait()
        if slot.state == _LEAD:
            self._lead()
        if slot.state == _ALONE:
            return self._write_one(request)
        if slot.state == _FAILED:
            assert slot.error is not None
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _lead(self) -> None:
        """Take the waiting requests (this one first), write them, wake them, pass the lead on."""
        with self._lock:
            take, weight = 0, 0
            for s in self._queue:
                if take and (take >= self.max_group or weight + s.weight > self.max_weight):
                    break
                take += 1
                weight += s.weight
            group, self._queue = self._queue[:take], self._queue[take:]
        try:
            if len(group) == 1:   # the leader's own, written under the lead (others queue meanwhile)
                try:
                    group[0].result, group[0].state = self._write_one(group[0].request), _DONE
                except Exception as e:
                    group[0].error, group[0].state = e, _FAILED
            else:
                try:
                    results = self._write_group([s.request for s in group])
                except Exception:
                    for s in group:
                        s.state = _ALONE
                else:
                    self.groups += 1
                    self.grouped += len(group)
                    for s, r in zip(group, results):
                        s.result, s.state = r, _DONE
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].state = _LEAD
                    self._queue[0].wake.set()
                else:
                    self._busy = False
            for s in group[1:]:
                s.wake.set()
