"""Shared fixtures: a real Jupyter server with ML Hub, a real `mlhub serve`, registries on
SQLite and PostgreSQL."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
import requests

pytest_plugins = ("pytest_jupyter.jupyter_server",)

# The S3-compatible server (moto) the blob-touching suites also run on; see tests/object_store.py.
from tests.object_store import s3_root, s3_server  # noqa: E402,F401

PG_ADMIN_URL = os.environ.get("MLHUB_TEST_PG_URL", "postgresql+psycopg://mlhub:mlhub@127.0.0.1:5432/mlhub_test")
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def mlhub_db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mlhub.db'}"


@pytest.fixture
def jp_server_config(jp_server_config, tmp_path: Path):  # type: ignore[no-untyped-def]
    return {
        "ServerApp": {"jpserver_extensions": {"mlhub_ext": True}},
        "MLHub": {"db_url": f"sqlite:///{tmp_path / 'lab-mlhub.db'}", "artifact_root": str(tmp_path / "artifacts"),
                  "user": "alice"},
    }


def reset_postgres(url: str) -> None:
    """Drop every ML Hub table so each test starts from an empty database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL database of this test session's own (so parallel sessions do not collide)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"mlhub_test_{os.getpid()}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The registry database on each backend the store must support."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        reset_postgres(url)
        yield url


@pytest.fixture
def registry(db_url: str):  # type: ignore[no-untyped-def]
    from mlhub_ext.store import open_registry

    reg = open_registry(db_url)
    yield reg
    reg.store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class MLHubServer:
    """A real `mlhub serve` subprocess on a temporary SQLite database."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    user: str = "alice"
    token: str = ""
    proc: subprocess.Popen | None = None  # type: ignore[type-arg]
    log_level: str = "debug"   # every request's line, as the log tests read them
    extra_env: dict[str, str] = field(default_factory=dict)   # MLHUB_* settings of this server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "MLHUB_DATA_DIR": str(self.data_dir), **self.extra_env}

    def create_token(self, user: str) -> str:
        out = subprocess.run([sys.executable, "-m", "mlhub_ext.cli", "token", "create", "--user", user],
                             env=self.env, check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def start(self) -> None:
        if not self.token:
            self.token = self.create_token(self.user)
        with open(self.data_dir / "serve.log", "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "mlhub_ext.cli", "serve", "--ip", "127.0.0.1", "--port", str(self.port),
                 "--log-level", self.log_level],
                env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mlhub serve exited: {(self.data_dir / 'serve.log').read_text()}")
            try:
                requests.get(self.url + "mlhub/api/v1/openapi.json", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("mlhub serve did not start in 30 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def api(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"token {self.token if token is None else token}"}
        return requests.request(method, self.url + "mlhub/api/v1/" + path.lstrip("/"), headers=headers, timeout=30, **kw)


@pytest.fixture
def mlhub_server(tmp_path: Path) -> Iterator[MLHubServer]:
    server = MLHubServer(tmp_path / "mlhub-data")
    server.data_dir.mkdir()
    server.start()
    yield server
    server.stop()
