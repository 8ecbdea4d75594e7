"""Progress and abort between a training task on a Dask worker and whoever submitted it.

The caller names a ``distributed.Queue`` and a ``distributed.Event`` (both live on the
scheduler, so they work from any worker process) and passes the names as
:class:`RunHooks`. The task puts JSON-ready event dicts on the queue and polls the event
between batches; the caller drains the queue and sets the event to abort.

Events put on the queue (all carry ``"type"`` and ``"time"``, seconds since the epoch):

- ``{"type": "state", "state": "running", "worker": address}`` when the task starts;
- ``{"type": "progress", "progress": 0..1, "message": str}`` at milestones;
- ``{"type": "epoch", "epoch": k, "epochs": n, "progress": k/n, "metrics": {...}}``
  after each torch epoch (``loss``, ``acc``, ``val_loss``, ``val_acc``, ``seconds``).
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import Any, Callable

log = logging.getLogger(__name__)

EpochCallback = Callable[[int, dict[str, float]], None]
AbortCheck = Callable[[], bool]


class TrainingAborted(Exception):
    """Raised by the training loop when the abort check returns true."""

    def __init__(self, epoch: int, batch: int) -> None:
        super().__init__(f"training aborted at epoch {epoch}, batch {batch}")
        self.epoch = epoch
        self.batch = batch

    def __reduce__(self) -> tuple[Any, ...]:
        return (TrainingAborted, (self.epoch, self.batch))


@dataclass
class RunHooks:
    """Names of the scheduler-side queue and event a training task reports through."""

    progress_queue: str | None = None
    abort_event: str | None = None
    abort_poll_s: float = 0.25            # at most one scheduler round trip per this long

    @classmethod
    def for_job(cls, job_id: str) -> "RunHooks":
        """The conventional names for a job id."""
        return cls(progress_queue=f"mlhub-progress-{job_id}", abort_event=f"mlhub-abort-{job_id}")

    @classmethod
    def coerce(cls, value: "RunHooks | dict[str, Any] | None") -> "RunHooks":
        if value is None:
            return cls()
        if isinstance(value, RunHooks):
            return value
        return cls(**value)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Reporter:
    """The task's end: report events and answer "should I stop?".

    Reporting is best effort: a caller that went away must not fail the training.
    Outside a Dask worker with no client around, both are no-ops.
    """

    def __init__(self, hooks: RunHooks | dict[str, Any] | None) -> None:
        self.hooks = RunHooks.coerce(hooks)
        self._queue: Any = None
        self._event: Any = None
        self._last_poll = 0.0
        self._aborted = False
        if self.hooks.progress_queue or self.hooks.abort_event:
            self._connect()

    def _connect(self) -> None:
        from distributed import Event, Queue

        try:
            if self.hooks.progress_queue:
                self._queue = Queue(self.hooks.progress_queue)
            if self.hooks.abort_event:
                self._event = Event(self.hooks.abort_event)
        except ValueError as exc:  # "No clients found": not on a worker and no client
            log.debug("progress hooks disabled: %s", exc)

    def emit(self, kind: str, **fields: Any) -> None:
        """Put one event on the progress queue."""
        if self._queue is None:
            return
        try:
            self._queue.put({"type": kind, "time": time.time(), **fields})
        except Exception as exc:  # best effort, see class docstring
            log.warning("could not report progress: %s", exc)

    def worker_address(self) -> str | None:
        from distributed import get_worker

        try:
            return get_worker().address
        except ValueError:
            return None

    def should_abort(self) -> bool:
        """Whether the caller set the abort event (polled at most every ``abort_poll_s``)."""
        if self._aborted:
            return True
        if self._event is None:
            return False
        now = time.monotonic()
        if now - self._last_poll < self.hooks.abort_poll_s:
            return False
        self._last_poll = now
        try:
            self._aborted = bool(self._event.is_set())
        except Exception as exc:  # scheduler unreachable: keep training
            log.warning("could not poll the abort event: %s", exc)
        return self._aborted

    def close(self) -> None:
        if self._queue is not None:
            try:
                self._queue.close()
            except Exception as exc:  # nothing left to release
                log.debug("closing progress queue: %s", exc)
            self._queue = None
