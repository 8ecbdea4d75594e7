"""The services built from settings whose artifact root is a URL: the blob store is the
bucket, and job inputs (which Dask workers read by path or get sent) come from it."""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.services.container import Services
from mlhub_ext.services.job_inputs import resolve_dataset
from mlhub_ext.services.settings import Settings
from mlhub_ext.store import FsspecBlobStore, LocalBlobStore
from tests.object_store import ArtifactRoot, artifact_store  # noqa: F401


def settings_for(a: ArtifactRoot, tmp_path: Path) -> Settings:
    return Settings(db_url=f"sqlite:///{tmp_path / 'reg.db'}", artifact_root=a.root, storage_options=a.storage_options,
                    artifact_cache=a.cache or "", artifact_cache_size=64 << 20, mode="local", auto_upgrade=True,
                    local_user="alice", worker_threads=2, datasets_in_process=True)


@pytest.fixture
def services(artifact_store: ArtifactRoot, tmp_path: Path):  # type: ignore[no-untyped-def]
    s = Services.build(settings_for(artifact_store, tmp_path))
    yield s
    s.close()


def register(services: Services, filename: str, data: bytes) -> None:
    ds = services.datasets
    up = ds.create_upload("alice", filename, len(data))
    ds.put_chunk("alice", up.id, 0, data, hashlib.sha256(data).hexdigest())
    ds.complete_upload("alice", up.id, hashlib.sha256(data).hexdigest())
    ds.register("alice", up.id)


def image_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for cls, colour in (("cat", 0), ("dog", 255)):
            for i in range(2):
                img = io.BytesIO()
                Image.fromarray(np.full((8, 8, 3), colour, np.uint8)).save(img, format="PNG")
                zf.writestr(f"pets/{cls}/{i}.png", img.getvalue())
    return buf.getvalue()


def test_job_inputs_come_from_the_blob_store(services: Services, artifact_store: ArtifactRoot):
    blobs = services.registry.blobs
    assert isinstance(blobs, FsspecBlobStore if artifact_store.kind == "s3" else LocalBlobStore)
    assert services.datasets.blobs is blobs and services.models.blobs is blobs
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": ["a", "b", "a"]})
    register(services, "t.csv", frame.to_csv(index=False).encode())
    register(services, "pets.zip", image_zip())
    root = services.jobs._blob_root()
    # A LocalCluster's workers read a file on this machine; a remote cluster is sent the data.
    local = resolve_dataset(services.datasets, "alice", "t", None, root, local_cluster=True)
    pd.testing.assert_frame_equal(pd.read_parquet(local.source), frame)
    remote = resolve_dataset(services.datasets, "alice", "t", None, root, local_cluster=False)
    pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(remote.source)), frame)
    images = resolve_dataset(services.datasets, "alice", "pets", None, root, local_cluster=True)
    with zipfile.ZipFile(images.source) as zf:
        assert len([n for n in zf.namelist() if n.endswith(".png")]) == 4
    if artifact_store.kind == "s3":
        assert Path(local.source).is_relative_to(artifact_store.cache)


def test_a_url_no_backend_reads_stops_the_build_before_the_database(tmp_path: Path):
    bad = ArtifactRoot("bad", "nosuchscheme://bucket/prefix")
    with pytest.raises(MLHubError, match="no fsspec backend"):
        Services.build(settings_for(bad, tmp_path))
    assert list(tmp_path.iterdir()) == []
