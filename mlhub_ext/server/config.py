"""Configuration traits shared by the Jupyter extension app and ``mlhub serve``.

Every trait can also come from an ``MLHUB_*`` environment variable.
"""
from __future__ import annotations

import getpass
import json
import os
from pathlib import Path
from typing import Any

from traitlets import Bool, Dict, Float, HasTraits, Int, TraitError, Unicode, default, validate


def _env(name: str, fallback: str = "") -> str:
    return os.environ.get(name, fallback)


def parse_storage_options(text: str, source: str) -> dict[str, Any]:
    """The fsspec storage options in ``text`` (a JSON object; empty: none). ``source`` names
    where the text came from in the error (``ValueError``) for anything else."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{source} must be a JSON object such as "
                         f"{{\"endpoint_url\": \"http://127.0.0.1:9000\"}}: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{source} must be a JSON object, not {type(value).__name__}")
    return value


class MLHubConfigMixin(HasTraits):
    data_dir = Unicode(config=True, help="Folder for the default SQLite database and artifacts (env MLHUB_DATA_DIR).")

    @default("data_dir")
    def _default_data_dir(self) -> str:
        from jupyter_core.paths import jupyter_data_dir

        return _env("MLHUB_DATA_DIR") or str(Path(jupyter_data_dir()) / "mlhub")

    db_url = Unicode(config=True, help=(
        "SQLAlchemy URL of the registry database (env MLHUB_DB_URL). Default: SQLite in data_dir; "
        "e.g. postgresql+psycopg://user:pw@host:5432/mlhub for a team."))

    @default("db_url")
    def _default_db_url(self) -> str:
        return _env("MLHUB_DB_URL") or f"sqlite:///{Path(self.data_dir) / 'mlhub.db'}"

    artifact_root = Unicode(config=True, help=(
        "Where the registry keeps files (env MLHUB_ARTIFACT_ROOT): blobs, dataset versions, images, model "
        "files, run artifacts and upload chunks. A local folder (default: data_dir/artifacts), or any fsspec "
        "URL such as s3://bucket/prefix (needs s3fs: pip install 'mlhub_ext[s3]'), gs://bucket/prefix "
        "(gcsfs) or abfs://container/prefix (adlfs). A URL whose backend is not installed is refused at start."))

    @default("artifact_root")
    def _default_artifact_root(self) -> str:
        return _env("MLHUB_ARTIFACT_ROOT") or str(Path(self.data_dir) / "artifacts")

    storage_options = Dict(config=True, help=(
        "Options of the fsspec filesystem of a URL artifact_root (env MLHUB_STORAGE_OPTIONS, a JSON object), "
        "e.g. {\"endpoint_url\": \"http://minio:9000\", \"key\": \"...\", \"secret\": \"...\"} for s3fs. "
        "Without them s3fs reads the standard AWS_* environment variables (AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, AWS_PROFILE)."))

    @default("storage_options")
    def _default_storage_options(self) -> dict[str, Any]:
        return parse_storage_options(_env("MLHUB_STORAGE_OPTIONS"), "MLHUB_STORAGE_OPTIONS")

    artifact_cache = Unicode(config=True, help=(
        "Local folder of the read-through cache (and temp files) of a URL artifact_root (env "
        "MLHUB_ARTIFACT_CACHE; default: data_dir/artifact-cache). Unused for a local artifact_root."))

    @default("artifact_cache")
    def _default_artifact_cache(self) -> str:
        return _env("MLHUB_ARTIFACT_CACHE") or str(Path(self.data_dir) / "artifact-cache")

    artifact_cache_size = Int(config=True, help=(
        "Bound of artifact_cache in bytes (env MLHUB_ARTIFACT_CACHE_SIZE; default 10 GiB): the least "
        "recently used copies are dropped beyond it, but none used in the last 10 minutes."))

    @default("artifact_cache_size")
    def _default_artifact_cache_size(self) -> int:
        return int(_env("MLHUB_ARTIFACT_CACHE_SIZE", str(10 << 30)))

    @validate("artifact_cache_size")
    def _check_artifact_cache_size(self, proposal: Any) -> int:
        if proposal["value"] < 0:
            raise TraitError(f"artifact_cache_size must be a number of bytes >= 0, not {proposal['value']}")
        return int(proposal["value"])

    dask_address = Unicode(config=True, help=(
        "Address of a Dask scheduler for training jobs (env MLHUB_DASK_ADDRESS); empty: a LocalCluster on "
        "127.0.0.1 started on first use; 'gateway': dask-gateway."))

    @default("dask_address")
    def _default_dask_address(self) -> str:
        return _env("MLHUB_DASK_ADDRESS")

    hub_service_url = Unicode(config=True, help=(
        "URL of the ML Hub service on JupyterHub (env MLHUB_HUB_SERVICE_URL). When set, the single-user "
        "server forwards /mlhub/api/v1/* there with the user's own hub token instead of hosting a registry."))

    @default("hub_service_url")
    def _default_hub_service_url(self) -> str:
        return _env("MLHUB_HUB_SERVICE_URL")

    auto_upgrade = Bool(config=True, help=(
        "Back up and upgrade an old SQLite database at start (env MLHUB_AUTO_UPGRADE, default true). "
        "Other databases are never upgraded implicitly: run `mlhub db upgrade`."))

    @default("auto_upgrade")
    def _default_auto_upgrade(self) -> bool:
        return _env("MLHUB_AUTO_UPGRADE", "1").lower() not in ("0", "false", "no")

    user = Unicode(config=True, help=(
        "Registry user that a local single-user Jupyter server acts as (env MLHUB_USER). Default: "
        "JUPYTERHUB_USER if set, else the operating-system user."))

    @default("user")
    def _default_user(self) -> str:
        return _env("MLHUB_USER") or _env("JUPYTERHUB_USER") or getpass.getuser()

    rate_limit = Float(config=True, help=(
        "Write requests per second allowed per user, sustained (env MLHUB_RATE_LIMIT; 0 disables). "
        "Excess requests get 429 with Retry-After."))

    @default("rate_limit")
    def _default_rate_limit(self) -> float:
        return float(_env("MLHUB_RATE_LIMIT", "200"))

    rate_burst = Int(config=True, help="Write requests a user may burst above the rate (env MLHUB_RATE_BURST).")

    @default("rate_burst")
    def _default_rate_burst(self) -> int:
        return int(_env("MLHUB_RATE_BURST", "2000"))

    token_cache_ttl = Float(config=True, help=(
        "Seconds a valid API token's record is reused before it is read again from the database "
        "(env MLHUB_TOKEN_CACHE_TTL; default 60; 0 reads it on every request). A token revoked "
        "through any replica on PostgreSQL is refused by every replica at once; one revoked on the "
        "database by other means (`mlhub token revoke` on SQLite) within this time."))

    @default("token_cache_ttl")
    def _default_token_cache_ttl(self) -> float:
        return float(_env("MLHUB_TOKEN_CACHE_TTL", "60"))

    metric_writer = Unicode(config=True, help=(
        "Where metric posts are written (env MLHUB_METRIC_WRITER): 'thread', a thread of the "
        "registry process, or 'process', a child process (PostgreSQL only), so that the group "
        "commit does not wait for the GIL behind the HTTP event loop: the setting for a hub's "
        "`mlhub serve` replicas under many clients."))

    @default("metric_writer")
    def _default_metric_writer(self) -> str:
        return _env("MLHUB_METRIC_WRITER", "thread")

    worker_threads = Int(config=True, help=(
        "Threads that run blocking registry calls off the event loop (env MLHUB_WORKER_THREADS). "
        "Metric posts waiting at the same time are written in one transaction, so more threads "
        "mean larger groups under load."))

    @default("worker_threads")
    def _default_worker_threads(self) -> int:
        return int(_env("MLHUB_WORKER_THREADS", "8"))
