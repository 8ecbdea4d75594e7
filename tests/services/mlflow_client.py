"""The real MLflow client against a live ML Hub, for tests.

MLflow's pins (protobuf, pyarrow, Flask, ...) would change ML Hub's environment, so the
client lives in its own virtualenv, ``.venv-mlflow/`` (``make mlflow-client`` or, on first
use, :func:`ensure_mlflow_venv`, under a file lock), and tests drive it in subprocesses:

    def test_x(mlflow_server):
        out = run_mlflow(mlflow_server, '''
            import mlflow
            with mlflow.start_run() as run:
                mlflow.log_metric("loss", 0.5)
            emit({"run_id": run.info.run_id})
        ''')
        assert out["run_id"]

``mlflow_server`` is one ``mlhub serve`` per test module (user ``alice``; ``token_for(user)``
makes more users). ``run_mlflow`` sets ``MLFLOW_TRACKING_URI=<server>/mlhub/mlflow`` and
``MLFLOW_TRACKING_TOKEN`` (alice's unless ``token=`` is given), runs the snippet (dedented)
and returns what it passed to ``emit`` (JSON); a failing snippet fails the test with its stderr.
"""
from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.conftest import MLHubServer

ROOT = Path(__file__).resolve().parents[2]
MLFLOW_VERSION = "3.17.2"
MLFLOW_VENV = ROOT / ".venv-mlflow"
MLFLOW_PYTHON = MLFLOW_VENV / "bin" / "python"
_STAMP = MLFLOW_VENV / f".mlflow-{MLFLOW_VERSION}"

_PRELUDE = """
import json as _json, sys as _sys
def emit(obj):
    _sys.stdout.write("\\n@@MLHUB@@" + _json.dumps(obj) + "\\n")
    _sys.stdout.flush()
"""


def ensure_mlflow_venv() -> Path:
    """``.venv-mlflow/bin/python`` with mlflow ``MLFLOW_VERSION`` installed (created once)."""
    if _STAMP.exists():
        return MLFLOW_PYTHON
    MLFLOW_VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(ROOT / ".venv-mlflow.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _STAMP.exists():
            if not MLFLOW_PYTHON.exists():
                subprocess.run(["python3", "-m", "venv", str(MLFLOW_VENV)], check=True)
            subprocess.run([str(MLFLOW_PYTHON), "-m", "pip", "install", "-q", f"mlflow=={MLFLOW_VERSION}"],
                           check=True)
            _STAMP.touch()
    return MLFLOW_PYTHON


def mlflow_env(server: MLHubServer, token: str | None = None, base: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLHUB_", "MLFLOW_", "JUPYTER"))}
    env.update({
        "MLFLOW_TRACKING_URI": (base or server.url).rstrip("/") + "/mlhub/mlflow",
        "MLFLOW_TRACKING_TOKEN": server.token if token is None else token,
        # no telemetry, no waiting minutes on retries of a refused request
        "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true",
        "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2", "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "0",
        "MLFLOW_HTTP_REQUEST_BACKOFF_JITTER": "0", "GIT_PYTHON_REFRESH": "quiet",
        "PYTHONWARNINGS": "ignore",
    })
    return env


def run_mlflow(server: MLHubServer, code: str, token: str | None = None, timeout: float = 120,
               env: dict[str, str] | None = None, cwd: Path | None = None) -> Any:
    """Run ``code`` with the real MLflow client against ``server``; returns what it ``emit``-ed
    (the last value, None if nothing)."""
    python = ensure_mlflow_venv()
    full_env = {**mlflow_env(server, token), **(env or {})}
    proc = subprocess.run([str(python), "-c", _PRELUDE + textwrap.dedent(code)], env=full_env, capture_output=True,
                          text=True, timeout=timeout, cwd=cwd or server.data_dir)
    if proc.returncode != 0:
        raise AssertionError(f"the MLflow snippet failed ({proc.returncode}):\n{proc.stderr[-6000:]}\n"
                             f"stdout:\n{proc.stdout[-2000:]}")
    out = None
    for line in proc.stdout.splitlines():
        if line.startswith("@@MLHUB@@"):
            out = json.loads(line[len("@@MLHUB@@"):])
    return out


@pytest.fixture(scope="module")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MLHubServer]:
    """One live ``mlhub serve`` per test module, with the MLflow client's venv ready."""
    ensure_mlflow_venv()
    server = MLHubServer(tmp_path_factory.mktemp("mlflow-mlhub"))
    server.start()
    yield server
    server.stop()


def token_for(server: MLHubServer, user: str) -> str:
    return server.create_token(user)


__all__ = ["MLFLOW_PYTHON", "MLFLOW_VERSION", "ensure_mlflow_venv", "mlflow_env", "mlflow_server", "run_mlflow",
           "token_for"]
