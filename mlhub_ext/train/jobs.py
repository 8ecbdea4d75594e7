"""The caller's end of a training job: submit, follow progress, abort, collect.

The spec is validated here, before anything is queued. A job's future runs
:func:`.tasks.train_task` on the cluster, never in the calling process.

Abort: the abort event is set for every kind; a torch loop then stops between batches and
the future fails with ``TrainingAborted``. scikit-learn and custom jobs are cancelled
with ``future.cancel()`` (the worker thread cannot be interrupted, so its result is
discarded when it ends).
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from .loading import TableSource
from .progress import RunHooks
from .specs import TORCH_KINDS, ModelSpec, validate_spec
from .tasks import evaluate_task, train_task
from .progress import TrainingAborted

STATES = ("queued", "running", "finished", "failed", "aborted")


class JobChannel:
    """Scheduler-side queue and event for one job, seen from the caller."""

    def __init__(self, client: Any, job_id: str) -> None:
        from distributed import Event, Queue

        self.hooks = RunHooks.for_job(job_id)
        self._queue = Queue(self.hooks.progress_queue, client=client)
        self._event = Event(self.hooks.abort_event, client=client)
        self._event.clear()

    def drain(self) -> list[dict[str, Any]]:
        """Every event the task has reported since the last drain (never blocks)."""
        n = self._queue.qsize()
        if not n:
            return []
        return list(self._queue.get(batch=n))

    def request_abort(self) -> None:
        self._event.set()

    def abort_requested(self) -> bool:
        return bool(self._event.is_set())

    def close(self) -> None:
        """Release the queue on the scheduler (drain first if events still matter)."""
        self._queue.close()


@dataclass
class TrainJob:
    """A submitted training job. ``events`` accumulates what :meth:`poll` drained."""

    job_id: str
    kind: str
    future: Any
    channel: JobChannel
    events: list[dict[str, Any]] = field(default_factory=list)
    started: bool = False
    aborted: bool = False

    def poll(self) -> list[dict[str, Any]]:
        """New progress events since the last poll (also appended to ``events``)."""
        new = self.channel.drain()
        if any(e.get("type") == "state" and e.get("state") == "running" for e in new):
            self.started = True
        self.events.extend(new)
        return new

    @property
    def progress(self) -> float:
        """The latest reported fraction done, 0 to 1."""
        for e in reversed(self.events):
            if "progress" in e:
                return float(e["progress"])
        return 0.0

    def state(self) -> str:
        """One of :data:`STATES`."""
        status = self.future.status
        if status == "finished":
            return "finished"
        if status == "cancelled":
            return "aborted" if self.aborted else "failed"
        if status == "error":
            return "aborted" if isinstance(self.future.exception(), TrainingAborted) else "failed"
        if self.aborted and self.kind not in TORCH_KINDS:
            return "aborted"
        return "running" if self.started else "queued"

    def abort(self) -> None:
        """Stop the job: torch between batches, scikit-learn by cancelling its task."""
        self.aborted = True
        self.channel.request_abort()
        self.poll()
        if self.kind not in TORCH_KINDS or not self.started:
            self.future.cancel()

    def result(self, timeout: float | None = None) -> dict[str, Any]:
        """The :func:`.tasks.train_task` result; raises what the task raised."""
        return self.future.result(timeout=timeout)

    def error(self) -> str | None:
        """The failure message, once the job has failed."""
        if self.future.status != "error":
            return None
        exc = self.future.exception()
        return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
        self.poll()
        self.channel.close()


def submit_train(client: Any, spec: ModelSpec | dict[str, Any], table: TableSource, target: str,
                 *, job_id: str | None = None, allow_custom: bool = False,
                 **submit_kw: Any) -> TrainJob:
    """Validate ``spec`` and queue :func:`.tasks.train_task` on ``client``'s cluster.

    ``table`` must be readable from the workers (a path they can see, bytes, or a
    DataFrame / Dask future of one). ``allow_custom`` only for the user's own cluster.
    """
    spec = validate_spec(spec, allow_custom=allow_custom)
    job_id = job_id or uuid.uuid4().hex
    if not isinstance(table, (str, os.PathLike)) and not _is_future(table):
        # Data goes to a worker once, not inside the task graph through the scheduler.
        table = client.scatter(table, hash=False)
    channel = JobChannel(client, job_id)
    future = client.submit(train_task, spec.to_dict(), table, target, channel.hooks.to_dict(),
                           allow_custom, key=f"mlhub-train-{job_id}", pure=False, **submit_kw)
    return TrainJob(job_id=job_id, kind=spec.kind, future=future, channel=channel)


def submit_evaluate(client: Any, model_bytes: bytes, model_type: str, table: TableSource,
                    target: str, input_schema: list[dict[str, Any]],
                    classes: list[Any] | None = None, *, allow_custom: bool = False) -> Any:
    """Queue :func:`.tasks.evaluate_task` (a stored model on another dataset); a future."""
    if not isinstance(table, (str, os.PathLike)) and not _is_future(table):
        table = client.scatter(table, hash=False)
    return client.submit(evaluate_task, model_bytes, model_type, table, target, input_schema,
                         classes, allow_custom, pure=False, key=f"mlhub-evaluate-{uuid.uuid4().hex}")


def _is_future(value: Any) -> bool:
    from distributed import Future

    return isinstance(value, Future)
