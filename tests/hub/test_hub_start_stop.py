"""``make hub`` (hub_config/start.sh) starts the whole deployment; stop.sh stops all of it."""
from __future__ import annotations

import subprocess

import pytest
import requests

from .conftest import HUB_CONFIG, TEST_PORTS, listening, marked_processes, start_hub, stop_hub

pytestmark = pytest.mark.timeout(240)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            return "State:\tZ" not in status.read()
    except OSError:
        return False


def test_start_then_stop_leaves_nothing_running(tmp_path):
    hub = start_hub(tmp_path)  # the default settings, as make hub runs them
    try:
        assert f"ML Hub is running at {hub.base}/" in hub.start_output
        info = requests.get(f"{hub.base}/hub/api/", timeout=10).json()
        assert info["version"].split(".")[0] >= "5"
        login = requests.get(f"{hub.base}/hub/login", timeout=10)
        assert login.status_code == 200 and "Sign in with GitHub" in login.text

        pids = {name: int((hub.run_dir / f"{name}.pid").read_text())
                for name in ("jupyterhub", "jupyterhub-proxy", "fake_github")}
        assert all(alive(pid) for pid in pids.values()), pids
        services = {s["name"] for s in hub.admin_api("GET", "/services").json().values()}
        assert {"dask-gateway", "test-admin"} <= services
        gateway = requests.get(f"{hub.base}/services/dask-gateway/api/health", timeout=10)
        assert gateway.status_code == 200, gateway.text
        if "mlhub" in services:  # on whenever `mlhub serve --hub` is installed
            handshake = requests.get(f"{hub.base}/services/mlhub/mlhub/api/v1/openapi.json", timeout=10)
            assert handshake.status_code == 200, handshake.text

        again = subprocess.run([str(HUB_CONFIG / "start.sh")], env=hub.env,
                               capture_output=True, text=True, timeout=60)
        assert again.returncode == 0 and "already running" in again.stdout
    finally:
        stopped = stop_hub(hub.env)
    assert stopped.returncode == 0, stopped.stderr
    assert not any(alive(pid) for pid in pids.values())
    assert not [p for p in TEST_PORTS.values() if listening(int(p))]
    assert not (hub.run_dir / "jupyterhub.pid").exists()
    assert marked_processes(hub.run_dir) == []
