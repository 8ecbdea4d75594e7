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
"""
from __future__ import annotations

import threading
from collections import deque
from typing import Callable, Generic, Sequence, TypeVar

Req = TypeVar("Req")
Res = TypeVar("Res")

_PENDING, _LEAD, _DONE, _ALONE, _FAILED = range(5)
#: Requests waiting before another writer starts (when ``writers`` > 1).
_BACKLOG = 4


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
            slot.wake.wait()
        if slot.state == _LEAD:
            self._lead(slot)
        if slot.state == _ALONE:
            return self._write_one(request)
        if slot.state == _FAILED:
            assert slot.error is not None
            raise slot.error
        return slot.result  # type: ignore[return-value]

    def _lead(self, slot: _Slot[Req, Res]) -> None:
        """Write this request and those waiting (up to the bounds), wake them, pass the lead on."""
        group, weight = [slot], slot.weight
        with self._lock:
            while self._queue and len(group) < self.max_group and weight + self._queue[0].weight <= self.max_weight:
                group.append(self._queue.popleft())
                weight += group[-1].weight
        try:
            if len(group) == 1:   # the leader's own, written under the lead (others queue meanwhile)
                try:
                    slot.result, slot.state = self._write_one(slot.request), _DONE
                except Exception as e:
                    slot.error, slot.state = e, _FAILED
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
                if self._queue:   # the first still waiting leads next
                    nxt = self._queue.popleft()
                    nxt.state = _LEAD
                    nxt.wake.set()
                else:
                    self._leaders -= 1
            for s in group[1:]:
                s.wake.set()
