"""A tracked run: ``run.log`` costs about a microsecond; delivery happens elsewhere.

``log`` only validates (fast paths for plain floats/ints and known keys) and appends
``(step, wall time, dict)`` to a deque; :class:`~.flusher.Flusher` threads write the
write-ahead log and talk to the server.
"""
from __future__ import annotations

import atexit
import contextvars
import json
import logging
import os
import secrets
import sys
import threading
import time
import traceback
import weakref
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Iterator

from ..core.errors import ErrorCode, MLHubError
from .flusher import WAKE_AT_RECORDS, Flusher, Listener
from .http import HTTPClient
from .values import INT_LIMIT, MAX_STEP, check_step, coerce_metrics, coerce_value, decode_value
from .wal import WALWriter

log = logging.getLogger("mlhub_ext.client")

FINAL_STATUSES = ("finished", "failed", "killed")
STOPPED_FROM_THE_LAB = "stopped from the lab"
INTERRUPTED = "interrupted (KeyboardInterrupt)"
_now = time.time
_live_runs: "weakref.WeakSet[Run]" = weakref.WeakSet()   # for the exit hook only


# The active run of each context (``mh.init`` / ``mh.attach`` set it, see :mod:`.fluent`): a
# ContextVar, so threads and asyncio tasks each see their own. Here, next to :class:`Run`, so
# that a run clears itself when it closes without importing the fluent shim.
ACTIVE_RUN: contextvars.ContextVar["Run | None"] = contextvars.ContextVar("mlhub_active_run", default=None)


def _flush_interval() -> float:
    try:
        return max(0.005, min(0.2, float(os.environ.get("MLHUB_FLUSH_INTERVAL", "0.1"))))
    except ValueError:
        return 0.1


class RunStopped(KeyboardInterrupt):
    """Raised by ``run.log`` once the run was stopped from the lab (``POST /runs/{id}/stop``).

    By then the run has ended ``killed`` with the reason "stopped from the lab" and every
    point logged before was delivered. A subclass of :class:`KeyboardInterrupt`, as a stop
    is the remote form of pressing Ctrl-C: an ``except Exception`` around a training step
    does not swallow it, and code that already ends a loop cleanly on an interrupt
    (``except KeyboardInterrupt``, Keras, Lightning) does the same on a stop. ``with run:``
    and ``%%track`` catch it: the block or cell ends quietly after the stop.
    """

    def __init__(self, run_id: str, name: str | None = None) -> None:
        self.run_id = run_id
        super().__init__(f"run {name or run_id} was {STOPPED_FROM_THE_LAB}")


class Summary(MutableMapping):
    """``run.summary``: a dict whose changes reach the server with the next flush."""

    def __init__(self, run: "Run", data: dict[str, Any] | None = None) -> None:
        self._run = run
        self._data: dict[str, Any] = dict(data or {})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = jsonable(key, value)
        self._run._push_summary()

    def __delitem__(self, key: str) -> None:
        del self._data[key]
        self._run._push_summary()

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Summary({self._data!r})"

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._data))


class Run:
    """One run of a project. Create with ``mh.init``; also a context manager."""

    def __init__(self, data: dict[str, Any], http: HTTPClient, *,
                 interval: float | None = None, wal_directory: Path | None = None,
                 attached: bool = False) -> None:
        self.id: str = data["id"]
        self.project: str = data["project"]
        self.name: str | None = data.get("name")
        self.tags: list[str] = list(data.get("tags") or [])
        self.config: dict[str, Any] = dict(data.get("params") or data.get("config") or {})
        self.provenance: dict[str, Any] = dict(data.get("provenance") or {})
        self.status: str = data.get("status", "running")
        self.status_reason: str = data.get("status_reason") or ""
        self.notes: str = data.get("notes") or ""
        self.summary = Summary(self, data.get("summary"))
        self._http = http
        self._keys: set[str] = set()
        self._step = 0
        self._closed = False
        self._halt = False   # closed or asked to stop: log() looks at this one flag only
        self._lock = threading.Lock()
        # A process attached to a run started elsewhere gets its own seq range and WAL,
        # so its batches never collide with the owner's in the server's exactly-once check.
        self.attached = attached
        writer = secrets.randbits(30) if attached else 0
        wal = WALWriter(self.id, http.conn.url, directory=wal_directory,
                        writer=f"{writer:08x}" if attached else "",
                        header={"attached": True} if attached else None)
        self.wal_path = wal.path
        self._flusher = Flusher(self.id, http.clone(), wal,
                                interval if interval is not None else _flush_interval(),
                                seq_base=writer << 32)
        self._buffer = self._flusher.buffer
        self._flusher.on_stop = self._stop_requested
        self._monitor: Any = None   # sysmetrics.Monitor, started by mh.init
        _live_runs.add(self)
        _register_exit_hook()

    def __repr__(self) -> str:
        return f"<Run {self.project}/{self.name or self.id} {self.status}>"

    # -- the hot path ------------------------------------------------------------------
    def log(self, data: dict[str, Any], step: int | None = None) -> None:
        """Record metrics for one step (default: previous step + 1) with the wall time.

        Raises :class:`RunStopped` once the run was stopped from the lab (the run has then
        ended ``killed``), ``MLHubError`` (conflict) after the run ended.
        """
        if self._halt:
            self._refuse()
        if step is None:
            step = self._step
        elif type(step) is not int or not 0 <= step <= MAX_STEP:
            step = check_step(step)
        if type(data) is dict:
            keys = self._keys
            for k, v in data.items():
                if k not in keys or not (type(v) is float or (
                        type(v) is int and -INT_LIMIT <= v <= INT_LIMIT)):
                    data = self._slow_values(data)
                    break
            else:
                data = data.copy()
        else:
            data = self._slow_values(data)   # any Mapping; raises TypeError otherwise
        self._step = step + 1
        buf = self._buffer
        buf.append((step, _now(), data))
        if len(buf) > WAKE_AT_RECORDS:
            self._flusher.wake()

    def _start_system_metrics(self, interval: float) -> None:
        """Sample ``system/…`` metrics every ``interval`` s into this run's buffer until it ends."""
        from .sysmetrics import start_monitor

        if self._monitor is None and not self._closed:
            self._monitor = start_monitor(self._buffer, interval, self.id)

    def _stop_requested(self) -> None:   # the flusher's sender thread heard of a stop
        self._halt = True

    def _refuse(self) -> None:
        if not self._closed and self._flusher.stop_requested:
            if self.attached:
                self.detach()
            else:
                self.finish("killed", status_reason=STOPPED_FROM_THE_LAB)
            raise RunStopped(self.id, self.name)
        raise MLHubError(ErrorCode.CONFLICT, f"run {self.id} is {self.status}; start a new one with mh.init")

    def _slow_values(self, data: dict[str, Any]) -> dict[str, Any]:
        values = coerce_metrics(data)
        self._keys.update(values)
        return values

    # -- everything else ---------------------------------------------------------------
    def log_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Merge ``params`` into the run's parameters on the server (synchronous)."""
        body = {k: jsonable(k, v) for k, v in params.items()}
        merged = self._http.post(f"runs/{self.id}/params", json={"params": body})
        self.config.update(body)
        return (merged or {}).get("params", merged)

    def log_artifact(self, path: str | os.PathLike[str], name: str | None = None) -> dict[str, Any]:
        """Upload a file as an artifact of this run (``PUT /runs/{id}/artifacts/{name}``).

        ``name`` defaults to the file name; it may contain ``/`` to form folders.
        """
        import hashlib
        from urllib.parse import quote

        p = Path(path)
        if not p.is_file():
            raise MLHubError(ErrorCode.INVALID, f"artifact {str(p)!r} is not a file")
        digest = hashlib.sha256()
        with open(p, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        with open(p, "rb") as fh:
            return self._http.request("PUT", f"runs/{self.id}/artifacts/{quote(name or p.name)}",
                                      data=fh, params={"sha256": digest.hexdigest()},
                                      headers={"Content-Type": "application/octet-stream"})

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener({key: (steps, values, times)})`` for every batch written."""
        self._flusher.listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        try:
            self._flusher.listeners.remove(listener)
        except ValueError:
            pass

    def flush(self, timeout: float = 30.0) -> bool:
        """Block until everything logged so far is acknowledged; False on timeout."""
        return self._flusher.flush(timeout)

    def history(self, key: str, max_points: int | None = None) -> dict[str, Any]:
        """Read one series back from the server (non-finite values decoded to floats)."""
        params = {"max_points": max_points} if max_points else None
        from urllib.parse import quote

        body = self._http.get(f"runs/{self.id}/metrics/{quote(key, safe='')}", params=params)
        body["values"] = [decode_value(v) for v in body["values"]]
        return body

    def finish(self, status: str = "finished", *, notes: str | None = None,
               status_reason: str = "", timeout: float = 15.0) -> bool:
        """End the run: flush every point, set ``status``, wait up to ``timeout`` s for acks.

        ``status_reason`` says what ended it (shown with the status; at most 2000
        characters); ``notes`` replaces the run's notes. Returns True when the server
        acknowledged everything. Otherwise the rest stays in the write-ahead log (a warning
        names it) for ``mlhub sync`` or the next ``mh.init``.
        """
        if status not in FINAL_STATUSES:
            raise MLHubError(ErrorCode.INVALID, f"status must be one of {FINAL_STATUSES}, not {status!r}")
        if not isinstance(status_reason, str):
            raise MLHubError(ErrorCode.INVALID, f"status_reason must be a string, not {type(status_reason).__name__}")
        patch: dict[str, Any] = {"status": status, "summary": self.summary.to_dict(),
                                 "status_reason": status_reason[:2000]}
        if notes is not None:
            patch["notes"] = notes
            self.notes = notes
        self.status_reason = status_reason[:2000]
        return self._close(patch, status, timeout)

    def fail(self, exc: BaseException, *, timeout: float = 15.0) -> bool:
        """End the run ``failed`` because of ``exc``: its type and message become the
        status reason, its traceback is added to the run's notes (after what they held)."""
        return self.finish("failed", status_reason=describe(exc),
                           notes=_with_traceback(self.notes, exc), timeout=timeout)

    def detach(self, timeout: float = 15.0) -> bool:
        """Deliver everything logged here and stop, leaving the run's status as it is.

        For a process that joined a run with ``mh.attach`` (a Dask worker, say): the
        run's owner finishes it.
        """
        return self._close({"summary": self.summary.to_dict(), "_detached": True}, self.status, timeout)

    @property
    def closed(self) -> bool:
        """Whether the run was finished or detached (it logs nothing more)."""
        return self._closed

    def _close(self, patch: dict[str, Any], status: str, timeout: float) -> bool:
        with self._lock:
            if self._closed:
                return True
            self._closed = self._halt = True
        if self._monitor is not None:   # stopped first: no sample after the final batch
            self._monitor.stop()
        complete = self._flusher.close(patch, timeout)
        self.status = status
        _live_runs.discard(self)
        if ACTIVE_RUN.get() is self:
            ACTIVE_RUN.set(None)
        if self._flusher.rejected_points:
            log.warning("mlhub: run %s: the server rejected %d points (last error: %s)",
                        self.id, self._flusher.rejected_points, self._flusher.last_error)
        if not complete:
            log.warning("mlhub: run %s: %d batches were not acknowledged within %.0f s (%s); "
                        "they are kept in %s and will be sent by `mlhub sync` or the next "
                        "mh.init", self.id, self._flusher.unacked_batches, timeout,
                        self._flusher.last_error, self.wal_path)
        return complete

    def _push_summary(self) -> None:
        if not self._closed:
            self._flusher.request_patch({"summary": self.summary.to_dict()})

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if exc_type is None:
            self.finish("finished")
        elif issubclass(exc_type, RunStopped):
            self.finish("killed", status_reason=STOPPED_FROM_THE_LAB)   # done by log already
            return True   # the block ends quietly: a stop is not an error
        elif issubclass(exc_type, KeyboardInterrupt):
            self.finish("killed", status_reason=INTERRUPTED)
        else:
            self.fail(exc if exc is not None else exc_type())
        return False


def describe(exc: BaseException) -> str:
    """``"ValueError: bad input"``: an exception's type and message, for a status reason."""
    text = str(exc)
    name = type(exc).__qualname__
    return f"{name}: {text}"[:2000] if text else name


def _with_traceback(notes: str, exc: BaseException) -> str:
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"{notes.rstrip()}\n\n{trace}" if notes.strip() else trace


def jsonable(key: str, value: Any) -> Any:
    """Numbers like metrics (numpy/torch scalars too); other JSON values as they are."""
    if value is None or type(value) in (bool, str):
        return value
    try:
        value = coerce_value(key, value)
        if value - value != 0:
            raise ValueError(f"{key!r}: non-finite numbers cannot be stored in params or summary")
        return value
    except TypeError:
        pass
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        raise TypeError(f"{key!r}: {type(value).__name__} value is not JSON-serializable") from None
    return value


_exit_registered = False
_exit_calls: list[Any] = []        # codes passed to sys.exit on the main thread (scripts only)
_shutdown_reason: list[str] = []   # set when the kernel is asked to shut down or restart


def _register_exit_hook() -> None:
    """Once per process: finish live runs at exit, and learn how the process ends.

    Like W&B's exit hooks: ``sys.exit`` is wrapped (outside IPython, where it really ends
    the process) to tell a script that exits early from one that ran to its end, and in an
    IPython kernel ``do_shutdown`` is wrapped, so a shutdown or restart ends the runs
    ``killed`` at once, before the kernel process is gone.
    """
    global _exit_registered
    if _exit_registered:
        return
    _exit_registered = True
    atexit.register(_finish_live_runs)
    shell = _ipython_shell()
    if shell is None:
        _wrap_sys_exit()
    else:
        _hook_kernel_shutdown(shell)


def _ipython_shell() -> Any:
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    return get() if get is not None else None


def _wrap_sys_exit() -> None:
    original = sys.exit
    if getattr(original, "_mlhub_wrapped", False):
        return

    def exit(status: Any = None) -> Any:
        if threading.current_thread() is threading.main_thread():
            _exit_calls.append(status)
        return original(status)

    exit._mlhub_wrapped = True  # type: ignore[attr-defined]
    exit.__wrapped__ = original  # type: ignore[attr-defined]
    exit.__doc__ = original.__doc__
    sys.exit = exit


def _hook_kernel_shutdown(shell: Any) -> None:
    kernel = getattr(shell, "kernel", None)
    original = getattr(kernel, "do_shutdown", None)
    if original is None or getattr(original, "_mlhub_wrapped", False):
        return

    def do_shutdown(restart: bool, *args: Any, **kwargs: Any) -> Any:
        # Runs on the kernel's control thread; the main thread may still be in the loop
        # (jupyter_client interrupts it first). Bounded: the kernel is killed ~2.5 s on.
        reason = "kernel restarted" if restart else "kernel shut down"
        _shutdown_reason.append(reason)
        _end_live_runs("killed", reason, timeout=2.0)
        return original(restart, *args, **kwargs)

    do_shutdown._mlhub_wrapped = True  # type: ignore[attr-defined]
    kernel.do_shutdown = do_shutdown


def exit_status() -> tuple[str, str, BaseException | None]:
    """How this process is ending, for runs it did not finish: ``(status, reason, error)``.

    - an IPython kernel or shell: ``killed`` ("kernel shut down", "kernel restarted",
      "kernel exited" or "IPython exited");
    - a script with an uncaught exception: ``failed`` with ``"Type: message"`` (and the
      exception, whose traceback goes to the notes), or ``killed`` "interrupted
      (KeyboardInterrupt)";
    - a script that called ``sys.exit(code)``: ``killed`` "sys.exit(code) before finish()";
    - a script that ran to its end: ``finished`` with the reason "script ended".
    """
    shell = _ipython_shell()
    if shell is not None:
        if _shutdown_reason:
            return "killed", _shutdown_reason[-1], None
        return "killed", "kernel exited" if getattr(shell, "kernel", None) is not None else "IPython exited", None
    error = getattr(sys, "last_value", None)
    if isinstance(error, KeyboardInterrupt):
        return "killed", INTERRUPTED, None
    if isinstance(error, BaseException):
        return "failed", describe(error), error
    if _exit_calls:
        return "killed", f"sys.exit({_exit_calls[-1]!r}) before finish()", None
    return "finished", "script ended", None


def _end_live_runs(status: str, reason: str, timeout: float, error: BaseException | None = None) -> None:
    for run in list(_live_runs):
        try:
            if run.attached:
                run.detach(timeout=timeout)
            elif error is not None:
                run.finish(status, status_reason=reason, notes=_with_traceback(run.notes, error),
                           timeout=timeout)
            else:
                run.finish(status, status_reason=reason, timeout=timeout)
        except Exception:
            log.exception("mlhub: ending run %s (%s) failed", run.id, reason)


def _finish_live_runs() -> None:
    """At interpreter exit, end the runs nobody finished, saying why (bounded wait)."""
    status, reason, error = exit_status()
    _end_live_runs(status, reason, 10.0, error)


def local_run(run_id: str) -> Run | None:
    """The unfinished :class:`Run` with this id logged by this process, if any."""
    for run in list(_live_runs):
        if run.id == run_id:
            return run
    return None
