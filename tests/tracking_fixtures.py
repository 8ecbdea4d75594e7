"""One real `mlhub serve` per test package for the SDK tests (starting one per test costs
seconds); each test still gets its own WAL folder and projects. Imported by the
conftest of each package that needs it."""
from __future__ import annotations

from typing import Iterator

import pytest

from mlhub_ext.client import config
from tests.conftest import MLHubServer


@pytest.fixture(scope="package")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MLHubServer]:
    server = MLHubServer(tmp_path_factory.mktemp("mlhub-data"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def tracking(shared_server, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The SDK pointed at the shared server (restarted if a test left it stopped)."""
    if shared_server.proc is None:
        shared_server.start()
    monkeypatch.setenv("MLHUB_URL", shared_server.url)
    monkeypatch.setenv("MLHUB_TOKEN", shared_server.token)
    monkeypatch.setenv("MLHUB_WAL_DIR", str(tmp_path / "wal"))
    config.clear_login()
    yield shared_server
    from mlhub_ext.client import fluent

    run = fluent.active_run()
    if run is not None:
        run.finish(timeout=2)
    config.clear_login()
    if shared_server.proc is None:
        shared_server.start()
