"""The SDK against a real `mlhub serve` whose artifact folder is a full 5 MiB tmpfs: the
caller gets an MLHubError saying the storage is full, not "internal server error"."""
from __future__ import annotations

import os

import pytest

import mlhub_ext as mh
from mlhub_ext.client import config
from mlhub_ext.core.errors import ErrorCode, MLHubError
from tests.conftest import MLHubServer
from tests.tmpfs import MiB, files_under, small_tmpfs

FULL = ("the server's artifact storage is full. Ask the administrator to free space in the server's "
        "artifact storage (or raise its quota), then send the same request again.")


@pytest.fixture
def small_server(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    data = tmp_path / "mlhub-data"
    data.mkdir()
    with small_tmpfs(data / "artifacts", 5) as artifacts:
        server = MLHubServer(data)
        server.start()
        monkeypatch.setenv("MLHUB_URL", server.url)
        monkeypatch.setenv("MLHUB_TOKEN", server.token)
        monkeypatch.setenv("MLHUB_WAL_DIR", str(tmp_path / "wal"))
        config.clear_login()
        try:
            yield server, artifacts
        finally:
            config.clear_login()
            server.stop()


def test_log_artifact_and_dataset_upload_on_a_full_disk(small_server, tmp_path):  # type: ignore[no-untyped-def]
    server, artifacts = small_server
    big = tmp_path / "weights.bin"
    big.write_bytes(os.urandom(7 * MiB))
    with mh.init("full-disk") as run:
        with pytest.raises(MLHubError) as e:
            run.log_artifact(big)
    assert (e.value.code, e.value.message) == (ErrorCode.INSUFFICIENT_STORAGE, f"storing the file failed: {FULL}")
    table = tmp_path / "big.csv"
    table.write_bytes(b"a\n" + b"1234567\n" * (6 * MiB // 8))
    with pytest.raises(MLHubError) as e:
        mh.datasets.upload(table, name="big")
    assert e.value.code == ErrorCode.INSUFFICIENT_STORAGE
    assert e.value.message.endswith(f"of big.csv failed: {FULL}")
    assert all(f.startswith("uploads/") for f in files_under(artifacts)), "no blob and no temp file kept"
