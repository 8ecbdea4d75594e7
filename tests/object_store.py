"""A real S3-compatible server on 127.0.0.1 for the tests (moto's server mode, as s3fs's own
tests use, in a process of its own), and the artifact roots the blob-touching suites run
on: a local folder and a fresh bucket on that server.

``s3_server`` and ``s3_root`` are available everywhere (tests/conftest.py imports them);
a module parametrized over both roots imports ``artifact_store``, and a service fixture
parametrized with :data:`STORE_CASES` calls :func:`store_case` (SQLite + local disk,
PostgreSQL + local disk, SQLite + S3).
"""
from __future__ import annotations

import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

KEY, SECRET, REGION = "testing", "testing", "eu-west-1"


@dataclass
class S3Server:
    """A running moto server: its endpoint and the storage options that reach it."""

    endpoint: str

    @property
    def storage_options(self) -> dict[str, Any]:
        return {"endpoint_url": self.endpoint, "key": KEY, "secret": SECRET,
                "client_kwargs": {"region_name": REGION}}

    def filesystem(self) -> Any:
        import fsspec

        return fsspec.filesystem("s3", **self.storage_options)

    def new_bucket(self) -> str:
        name = f"mlhub-{uuid.uuid4().hex[:16]}"
        self.filesystem().mkdir(name)
        return name


@dataclass
class ArtifactRoot:
    """Where a test's registry keeps its files: ``root`` (a folder or ``s3://bucket/prefix``),
    the fsspec ``storage_options`` and the local ``cache`` folder of a remote root."""

    kind: str
    root: str
    storage_options: dict[str, Any] = field(default_factory=dict)
    cache: str | None = None

    def open_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``open_registry`` for this root."""
        return {"artifact_root": self.root, "storage_options": self.storage_options, "artifact_cache": self.cache}


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server on a free port of 127.0.0.1, for the whole session.

    In its own process (``python -m moto.server``, what ``ThreadedMotoServer`` runs in a
    thread): the memory of the objects it keeps is then not the registry's, which the
    streaming tests measure."""
    pytest.importorskip("s3fs")
    pytest.importorskip("moto.server")
    from tests.conftest import free_port

    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=out, stderr=subprocess.STDOUT)
    server = S3Server(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"moto server exited: {log.read_text()}")
            try:
                requests.get(server.endpoint + "/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start in 30 s") from None
                time.sleep(0.1)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def s3_artifacts(server: S3Server, tmp_path: Path) -> ArtifactRoot:
    """A fresh bucket (a prefix in it as the root) and a cache folder under ``tmp_path``."""
    bucket = server.new_bucket()
    return ArtifactRoot("s3", f"s3://{bucket}/mlhub", server.storage_options, str(tmp_path / "s3-cache"))


@pytest.fixture
def s3_root(s3_server: S3Server, tmp_path: Path) -> ArtifactRoot:
    return s3_artifacts(s3_server, tmp_path)


@pytest.fixture(params=["local", "s3"])
def artifact_store(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactRoot:
    """The artifact root on local disk, then on S3."""
    if request.param == "local":
        return ArtifactRoot("local", str(tmp_path / "blobs"))
    return s3_artifacts(request.getfixturevalue("s3_server"), tmp_path)


#: (database, artifact root) pairs for the service suites: each database with local disk,
#: and S3 once (on SQLite: the blob store does not depend on the database).
STORE_CASES = [pytest.param(("sqlite", "local"), id="sqlite-local"),
               pytest.param(("postgresql", "local"), id="postgresql-local"),
               pytest.param(("sqlite", "s3"), id="sqlite-s3")]


def store_case(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, ArtifactRoot]:
    """The database URL and artifact root of a fixture parametrized with :data:`STORE_CASES`."""
    from tests.conftest import reset_postgres

    db, kind = request.param
    if db == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("pg_url")
        reset_postgres(url)
    if kind == "local":
        return url, ArtifactRoot("local", str(tmp_path / "blobs"))
    return url, s3_artifacts(request.getfixturevalue("s3_server"), tmp_path)
