"""The one settings object a registry is built from, whichever way it is hosted.

The Jupyter extension fills it from its traits (``MLHub.db_url``...), ``mlhub serve`` from
the same traits read outside Jupyter (each trait defaults to its ``MLHUB_*`` environment
variable); both go through :func:`settings_from_config`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

MODES = ("local", "standalone", "hub")


@dataclass(frozen=True)
class Settings:
    """What :class:`~mlhub_ext.services.container.Services` needs to start.

    ``mode``: ``local`` (the registry inside a user's own Jupyter server, acting as
    ``local_user``), ``standalone`` (``mlhub serve`` with ML Hub API tokens) or ``hub``
    (the JupyterHub service shared by every user). Only local mode runs custom (pickled)
    code and loads pickled models: there the registry is the user's own process.
    """

    db_url: str
    artifact_root: str
    mode: str = "local"
    auto_upgrade: bool = False
    dask_address: str = ""            # "": a LocalCluster; "gateway": dask-gateway; else a scheduler
    local_user: str | None = None     # local mode: the user every request acts as
    worker_threads: int = 8           # threads that run blocking registry calls off the event loop
    rate_limit: float = 200.0         # write requests per second per user (0: no limit)
    rate_burst: int = 2000
    datasets_in_process: bool = False  # format work in the calling thread (tests), not a worker process
    # artifact_root may be a folder or an fsspec URL (s3://bucket/prefix); for a URL, the
    # filesystem's options and the local read-through cache (folder, bound in bytes; 0: default)
    storage_options: dict[str, Any] = field(default_factory=dict)
    artifact_cache: str = ""
    artifact_cache_size: int = 0
    job_lease_s: float = 30.0          # several replicas: a job whose replica is silent this long is failed
    token_cache_ttl: float = 60.0      # seconds a valid token's record is reused (core/token_cache.py)
    metric_writer: str = "thread"      # metric posts written on a thread, or (PostgreSQL) in a child process

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if not self.db_url:
            raise ValueError("db_url must be a SQLAlchemy URL such as sqlite:///mlhub.db")
        if self.token_cache_ttl < 0:
            raise ValueError(f"token_cache_ttl must be 0 (no cache) or more seconds, not {self.token_cache_ttl}")
        if self.metric_writer not in ("thread", "process"):
            raise ValueError(f"metric_writer must be 'thread' or 'process', not {self.metric_writer!r}")
        if self.metric_writer == "process" and self.db_url.startswith("sqlite"):
            raise ValueError("metric_writer='process' needs PostgreSQL (SQLite writes from one process); "
                             "leave it at 'thread' or set db_url to a postgresql+psycopg:// URL")
        if self.worker_threads < 1:
            raise ValueError(f"worker_threads must be at least 1, not {self.worker_threads}")

    @property
    def shared_db(self) -> bool:
        """Whether several replicas may use the database (anything but SQLite): jobs are then
        held by leases and the stream fans out through the database."""
        return not self.db_url.startswith("sqlite")

    @property
    def trusts_pickles(self) -> bool:
        """Whether custom estimators run and pickled models load: only in a user's own server."""
        return self.mode == "local"

    def with_(self, **changes: Any) -> "Settings":
        """A copy with ``changes`` applied (validated again)."""
        return replace(self, **changes)


def settings_from_config(config: Any, mode: str, **overrides: Any) -> Settings:
    """Settings from an object with ML Hub's configuration traits (``MLHubConfigMixin``:
    the extension app, or one made by ``mlhub serve``); ``overrides`` win (command-line flags)."""
    values: dict[str, Any] = {
        "db_url": config.db_url,
        "artifact_root": config.artifact_root,
        "storage_options": dict(getattr(config, "storage_options", None) or {}),
        "artifact_cache": getattr(config, "artifact_cache", "") or "",
        "artifact_cache_size": int(getattr(config, "artifact_cache_size", 0) or 0),
        "mode": mode,
        "auto_upgrade": bool(config.auto_upgrade),
        "dask_address": config.dask_address or "",
        "local_user": config.user if mode == "local" else None,
        "worker_threads": int(config.worker_threads),
        "rate_limit": float(config.rate_limit),
        "rate_burst": int(config.rate_burst),
        "job_lease_s": float(os.environ.get("MLHUB_JOB_LEASE", "") or 30.0),
        "token_cache_ttl": float(getattr(config, "token_cache_ttl", 60.0)),
        "metric_writer": str(getattr(config, "metric_writer", "thread")),
    }
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**values)
