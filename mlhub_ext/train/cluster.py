"""The Dask client training runs on: a private LocalCluster, a scheduler address, or
dask-gateway.

The LocalCluster binds to 127.0.0.1 only (a Dask scheduler runs whatever it is sent, so
it must never be reachable by anyone else), is started on first use and reused for the
life of the process. Never share a scheduler between users.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from ..core.errors import MLHubError, ErrorCode

_lock = threading.Lock()
_state: dict[str, Any] = {"key": None, "client": None, "cluster": None}


def default_workers() -> int:
    """One single-threaded worker process per core (at least one)."""
    return max(1, os.cpu_count() or 1)


def get_client(address: str | None = None, gateway: bool = False, **kw: Any) -> Any:
    """A connected ``distributed.Client``, reused while its settings stay the same.

    - ``address``: connect to that existing scheduler;
    - ``gateway=True``: a new dask-gateway cluster (``kw`` go to ``Gateway(...)``, except
      ``n_workers`` which scales it);
    - neither: a LocalCluster on 127.0.0.1 with ``n_workers`` (default: cores),
      ``threads_per_worker=1`` and worker processes; other ``kw`` go to ``LocalCluster``.
    """
    key = (address, bool(gateway), tuple(sorted((k, repr(v)) for k, v in kw.items())))
    with _lock:
        client = _state["client"]
        if client is not None and _state["key"] == key and client.status == "running":
            return client
        _close_locked()
        try:
            if address:
                client, cluster = _connect(address, kw), None
            elif gateway:
                client, cluster = _gateway(kw)
            else:
                client, cluster = _local(kw)
        except (OSError, TimeoutError) as exc:
            where = address or ("dask-gateway" if gateway else "a local cluster")
            raise MLHubError(ErrorCode.UNAVAILABLE, f"could not reach Dask at {where}: {exc}") from None
        _state.update(key=key, client=client, cluster=cluster)
        return client


def close_cluster() -> None:
    """Close the client and any cluster this module started."""
    with _lock:
        _close_locked()


def current_client() -> Any | None:
    """The client :func:`get_client` made, if one is open."""
    client = _state["client"]
    return client if client is not None and client.status == "running" else None


def _local(kw: dict[str, Any]) -> tuple[Any, Any]:
    import dask
    from distributed import Client, LocalCluster

    options: dict[str, Any] = {
        "n_workers": default_workers(), "threads_per_worker": 1, "processes": True,
        "dashboard_address": None,
    }
    options.update(kw)
    options["host"] = "127.0.0.1"        # never listen beyond this machine
    if options.get("dashboard_address") not in (None, ""):
        options["dashboard_address"] = "127.0.0.1:0"
    # One task per worker thread at a time, the rest held by the scheduler in priority order
    # (Dask's default, 1.1, hands each worker a second task early, which then waits there
    # however long its queue-mate takes). Training tasks are long, so the round trip between
    # two is nothing, and a sweep's longest trials start first on whichever worker is free.
    config: dict[str, Any] = {"distributed.scheduler.worker-saturation": 1.0}
    if options["dashboard_address"] is None:
        # The statistical profiler wakes every 10 ms in each worker, for a dashboard that
        # is not there: on a small machine that is CPU taken from training.
        config["distributed.worker.profile.enabled"] = False
    with dask.config.set(config):
        cluster = LocalCluster(**options)
    try:
        return Client(cluster, set_as_default=False), cluster
    except BaseException:
        cluster.close()
        raise


def _connect(address: str, kw: dict[str, Any]) -> Any:
    from distributed import Client

    return Client(address, set_as_default=False, timeout=kw.get("timeout", 10))


def _gateway(kw: dict[str, Any]) -> tuple[Any, Any]:
    from dask_gateway import Gateway

    options = dict(kw)
    n_workers = options.pop("n_workers", None)
    cluster = Gateway(**options).new_cluster()
    try:
        if n_workers:
            cluster.scale(n_workers)
        return cluster.get_client(set_as_default=False), cluster
    except BaseException:
        cluster.shutdown()
        raise


def _close_locked() -> None:
    client, cluster = _state["client"], _state["cluster"]
    _state.update(key=None, client=None, cluster=None)
    if client is not None:
        client.close()
    if cluster is not None:
        if hasattr(cluster, "shutdown"):
            cluster.shutdown()      # dask-gateway: stop the remote cluster
        else:
            cluster.close()
