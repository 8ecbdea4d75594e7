"""The fluent API (``mh.init``, ``mh.log``, ``mh.finish``): a thin shim over :class:`Run`.

The active run lives in a :class:`contextvars.ContextVar` (:data:`.run.ACTIVE_RUN`), so
threads and asyncio tasks each see their own (a new thread starts with none) instead of
sharing one global.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from ..core.errors import ErrorCode, MLHubError
from . import config
from .http import HTTPClient
from .run import ACTIVE_RUN, Run, jsonable

_logger = logging.getLogger("mlhub_ext.client")

_sync_thread: threading.Thread | None = None
_sync_lock = threading.Lock()


def login(url: str, token: str | None = None) -> dict[str, Any]:
    """Use this server from now on in this process; checks the token, returns the handshake."""
    conn = config.set_login(url, token)
    try:
        return HTTPClient(conn).get("")
    except MLHubError:
        config.clear_login()
        raise


def client() -> HTTPClient:
    """An HTTP client for the server found by :func:`config.resolve`."""
    return HTTPClient(config.resolve())


def init(project: str, name: str | None = None, config: dict[str, Any] | None = None,
         tags: list[str] | None = None, *, notes: str | None = None,
         system_metrics: bool | None = None, system_metrics_interval: float | None = None) -> Run:
    """Start a run in ``project`` (created if missing) and make it the active run.

    Records provenance (notebook and cell, git state, versions, host) automatically, and
    system metrics (``system/…`` series: CPU, memory, disk, network, NVIDIA GPUs; see
    :mod:`.sysmetrics`) every ``system_metrics_interval`` seconds (default 10, or
    ``MLHUB_SYSTEM_METRICS_INTERVAL``) unless ``system_metrics=False`` or
    ``MLHUB_SYSTEM_METRICS=0``. An active run of this context is finished first.
    """
    from . import provenance, sysmetrics

    if not isinstance(project, str) or not project:
        raise MLHubError(ErrorCode.INVALID, f"project must be a non-empty name, not {project!r}")
    sample, interval = sysmetrics.settings(system_metrics, system_metrics_interval)
    previous = active_run()
    if previous is not None:
        previous.finish()
    http = client()
    body: dict[str, Any] = {"project": project, "provenance": provenance.collect()}
    if name is not None:
        body["name"] = name
    if config:
        body["config"] = {str(k): jsonable(str(k), v) for k, v in dict(config).items()}
    if tags:
        body["tags"] = [str(t) for t in tags]
    if notes is not None:
        body["notes"] = notes
    try:
        data = http.post("runs", json=body)
    except MLHubError as exc:
        # Two processes creating the project of their first run at once: one loses the
        # race with a conflict, and the project exists now.
        if exc.code != ErrorCode.CONFLICT:
            raise
        data = http.post("runs", json=body)
    run = Run(data, http)
    if config and not run.config:
        run.config = dict(body["config"])
    ACTIVE_RUN.set(run)
    if sample:
        run._start_system_metrics(interval)
    _sync_in_background(http.conn)
    return run


def attach(run_id: str) -> Run:
    """Log into an existing run from another process (a Dask worker, a script).

    The returned run becomes this context's active run. Its batches use their own
    sequence range and WAL, so several processes can log to one run at once.
    ``run.detach()`` (also done at exit) delivers the points without changing the
    run's status; the process that started the run finishes it.
    """
    http = client()
    run = Run(http.get(f"runs/{run_id}"), http, attached=True)
    ACTIVE_RUN.set(run)
    return run


def active_run() -> Run | None:
    """The run started by ``mh.init`` in this context and not finished yet."""
    run = ACTIVE_RUN.get()
    if run is not None and run.closed:
        return None
    return run


def log(data: dict[str, Any], step: int | None = None) -> None:
    """``run.log`` on the active run."""
    _require_active().log(data, step)


def finish(status: str = "finished", **kwargs: Any) -> bool:
    """Finish the active run (no-op without one)."""
    run = active_run()
    if run is None:
        return True
    return run.finish(status, **kwargs)


def _require_active() -> Run:
    run = active_run()
    if run is None:
        raise MLHubError(ErrorCode.CONFLICT, "no active run in this context; call mh.init(project) first")
    return run


def _sync_in_background(conn: config.Connection) -> None:
    """Send what earlier, crashed runs left in the WAL, without delaying ``init``."""
    global _sync_thread
    with _sync_lock:
        if _sync_thread is not None and _sync_thread.is_alive():
            return

        def work() -> None:
            from .sync import sync_all

            try:
                summary = sync_all(conn=conn)
                if summary["batches_sent"] or summary["errors"]:
                    _logger.info("mlhub: synced earlier runs: %s", summary)
            except Exception:
                _logger.exception("mlhub: syncing earlier runs failed")

        _sync_thread = threading.Thread(target=work, daemon=True, name="mlhub-sync")
        _sync_thread.start()
