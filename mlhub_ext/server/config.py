"""Configuration traits shared by the Jupyter extension app and ``mlhub serve``.

Every trait can also come from an ``MLHUB_*`` environment variable.
"""
from __future__ import annotations

import getpass
import os
from pathlib import Path

from traitlets import Bool, Float, HasTraits, Int, Unicode, default


def _env(name: str, fallback: str = "") -> str:
    return os.environ.get(name, fallback)


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

    artifact_root = Unicode(config=True, help="Folder of the content-addressed blob store (env MLHUB_ARTIFACT_ROOT).")

    @default("artifact_root")
    def _default_artifact_root(self) -> str:
        return _env("MLHUB_ARTIFACT_ROOT") or str(Path(self.data_dir) / "artifacts")

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

    worker_threads = Int(8, config=True, help="Threads that run blocking registry calls off the event loop.")
