"""A real hub for end-to-end tests: started with hub_config/start.sh, stopped with stop.sh.

The test hub uses its own ports (public 18000, fake GitHub 19000, ...), its own run
directory and its own PostgreSQL databases (dropped and created afresh), so a trial hub
started with ``make hub`` on the default ports is left alone. After stop.sh no process
carrying the hub's instance marker may survive; teardown fails if one does.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from .hub_drive import HubUser

REPO = Path(__file__).resolve().parents[2]
HUB_CONFIG = REPO / "hub_config"
TEST_PORTS = {
    "MLHUB_HUB_PORT": "18000",
    "MLHUB_HUB_PROXY_API_PORT": "18001",
    "MLHUB_HUB_INTERNAL_PORT": "18081",
    "MLHUB_SERVICE_PORT": "20202",
    "MLHUB_GATEWAY_PORT": "18002",
    "MLHUB_GATEWAY_API_PORT": "18003",
    "MLHUB_GATEWAY_TCP_PORT": "18786",
}
GITHUB_URL = "http://127.0.0.1:19000"
HUB_DB = "mlhub_hub_e2e"
REGISTRY_DB = "mlhub_registry_e2e"


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def require_postgres() -> None:
    """Skip (with the reason) only where PostgreSQL cannot be had on 127.0.0.1:5432."""
    if listening(5432):
        return
    if not Path("/etc/postgresql").is_dir() or not shutil.which("pg_ctlcluster"):
        pytest.skip("PostgreSQL is not installed and nothing listens on 127.0.0.1:5432")
    if os.geteuid() != 0:
        pytest.skip("PostgreSQL is down and starting it needs root (pg_ctlcluster)")


def reset_databases() -> None:
    """Fresh databases for every hub the tests start (start.sh creates them again)."""
    if os.geteuid() != 0 or not listening(5432):
        return  # start.sh starts PostgreSQL; stale databases only cost determinism
    sql = "".join(f"DROP DATABASE IF EXISTS {db} WITH (FORCE);\n" for db in (HUB_DB, REGISTRY_DB))
    subprocess.run(
        ["su", "postgres", "-c", "psql -qAt -v ON_ERROR_STOP=1"],
        input=sql, text=True, check=True, capture_output=True,
    )


def marked_processes(run_dir: Path) -> list[int]:
    """Pids whose environment carries this hub's instance marker."""
    marker = f"MLHUB_HUB_INSTANCE={run_dir}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if "State:\tZ" in status:
            continue
        if marker in environ.split(b"\0"):
            pids.append(int(entry.name))
    return pids


@dataclass
class Hub:
    """A running test hub and how to reach it."""

    base: str
    github_url: str
    run_dir: Path
    env: dict[str, str]
    start_output: str

    @property
    def admin_token(self) -> str:
        return (self.run_dir / "admin-api-token").read_text().strip()

    def admin_api(self, method: str, path: str, **kw) -> requests.Response:
        return requests.request(
            method, f"{self.base}/hub/api{path}",
            headers={"Authorization": f"token {self.admin_token}"}, timeout=30, **kw,
        )

    def user(self, name: str) -> HubUser:
        return HubUser(self.base, self.github_url, name)

    def log(self) -> str:
        path = self.run_dir / "jupyterhub.log"
        return path.read_text(errors="replace") if path.exists() else ""


def hub_env(run_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLHUB_", "JUPYTERHUB_"))}
    env.update(TEST_PORTS)
    env.update({
        "MLHUB_HUB_RUN_DIR": str(run_dir / "run"),
        "MLHUB_HUB_DATA_DIR": str(run_dir / "data"),
        "MLHUB_GITHUB_URL": GITHUB_URL,
        "MLHUB_HUB_DB_NAME": HUB_DB,
        "MLHUB_REGISTRY_DB_NAME": REGISTRY_DB,
    })
    env.update(extra)
    return env


def start_hub(tmp: Path, **extra: str) -> Hub:
    require_postgres()
    busy = [p for p in [*TEST_PORTS.values(), "19000"] if listening(int(p))]
    if busy:
        pytest.fail(f"ports needed by the test hub are in use: {busy}")
    reset_databases()
    env = hub_env(tmp, **extra)
    proc = subprocess.run(
        [str(HUB_CONFIG / "start.sh")], env=env, capture_output=True, text=True, timeout=240
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        stop_hub(env)
        if "start.sh: PostgreSQL" in output:
            pytest.skip(f"PostgreSQL could not be started: {output[-500:]}")
        pytest.fail(f"hub_config/start.sh failed ({proc.returncode}):\n{output[-3000:]}")
    return Hub(
        base=f"http://127.0.0.1:{TEST_PORTS['MLHUB_HUB_PORT']}",
        github_url=GITHUB_URL,
        run_dir=Path(env["MLHUB_HUB_RUN_DIR"]),
        env=env,
        start_output=output,
    )


def stop_hub(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(HUB_CONFIG / "stop.sh")], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def hub(request, tmp_path_factory) -> Hub:
    """A hub for the tests of one module; stopped, and checked to leave nothing, after.

    A module may set ``HUB_ENV = {...}`` to start it with more settings.
    """
    running = start_hub(tmp_path_factory.mktemp("hub"), **getattr(request.module, "HUB_ENV", {}))
    try:
        yield running
    finally:
        stop_hub(running.env)
        left = marked_processes(running.run_dir)
        assert not left, f"processes of the test hub survived stop.sh: {left}"
