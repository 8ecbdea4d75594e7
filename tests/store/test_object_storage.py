"""Run artifacts on local disk and on S3, and what only a shared bucket allows: an upload
that one replica starts and another continues and registers."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.services.dataset_worker import DataWorker
from mlhub_ext.store import FsspecBlobStore, open_registry
from mlhub_ext.store.datasets import open_datasets
from tests.object_store import ArtifactRoot, artifact_store  # noqa: F401

MiB = 1 << 20


@pytest.fixture
def registry(artifact_store: ArtifactRoot, tmp_path: Path):  # type: ignore[no-untyped-def]
    reg = open_registry(f"sqlite:///{tmp_path / 'r.db'}", **artifact_store.open_kwargs())
    yield reg
    reg.store.close()


def test_run_artifacts_round_trip_exactly(registry) -> None:  # type: ignore[no-untyped-def]
    run = registry.create_run("alice", "p")
    data = os.urandom(3 * MiB + 17)
    art = registry.log_artifact("alice", run.id, "model/weights.bin",
                                (data[i:i + MiB] for i in range(0, len(data), MiB)), hashlib.sha256(data).hexdigest())
    assert (art.sha256, art.size) == (hashlib.sha256(data).hexdigest(), len(data))
    again = registry.log_artifact("alice", run.id, "copy.bin", [data])   # same bytes: one blob
    assert again.sha256 == art.sha256 and list(registry.blobs.digests()) == [art.sha256]
    got, f = registry.open_artifact("alice", run.id, "model/weights.bin")
    with f:
        assert f.read() == data
    assert [a.name for a in registry.list_artifacts("alice", run.id)] == ["copy.bin", "model/weights.bin"]


def test_an_artifact_with_the_wrong_checksum_stores_nothing(registry) -> None:  # type: ignore[no-untyped-def]
    run = registry.create_run("alice", "p")
    with pytest.raises(MLHubError) as e:
        registry.log_artifact("alice", run.id, "x.bin", [b"abc"], "0" * 64)
    assert e.value.code.value == "invalid"
    assert list(registry.blobs.digests()) == [] and registry.list_artifacts("alice", run.id) == []


def test_an_upload_started_on_one_replica_is_continued_and_registered_on_another(s3_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two services on one database and one bucket, each with its own local cache: chunks
    alternate between them, the second completes, the first registers; nothing of the
    upload is on either machine's disk but their caches."""
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    regs = [open_registry(db, artifact_root=s3_root.root, storage_options=s3_root.storage_options,
                          artifact_cache=str(tmp_path / f"cache-{i}")) for i in range(2)]
    try:
        a, b = (open_datasets(r, DataWorker(in_process=True)) for r in regs)
        data = b"x,y\n" + b"".join(b"%d,%d\n" % (i, i * i) for i in range(40_000))
        chunk = 64 * 1024
        up = a.create_upload("alice", "squares.csv", len(data), chunk_size=chunk)
        for n, off in enumerate(range(0, len(data), chunk)):
            part = data[off:off + chunk]
            (a, b)[n % 2].put_chunk("alice", up.id, off, part, hashlib.sha256(part).hexdigest())
        done = b.complete_upload("alice", up.id, hashlib.sha256(data).hexdigest())
        assert done.status == "complete"
        v = a.register("alice", up.id)
        assert (v.dataset, v.num_rows) == ("squares", 40_000)
        entry, f = b.open_file("alice", "squares", 1, "original")
        with f:
            assert f.read() == data
        blobs = regs[0].blobs
        assert isinstance(blobs, FsspecBlobStore)
        blobs.fs.invalidate_cache()
        assert blobs.fs.find(f"{blobs.prefix}/uploads") == []   # the chunk objects are gone
        assert {p.name for p in tmp_path.iterdir() if not p.name.startswith("shared.db")} == {"cache-0", "cache-1"}
    finally:
        for r in regs:
            r.store.close()


def test_a_failed_registration_on_s3_leaves_the_upload_registrable(s3_root, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Storing the Parquet copy fails: nothing is registered, the Parquet blob is not kept,
    and the same upload registers once the store works again."""
    from mlhub_ext.store.blobs import BlobStore

    reg = open_registry(f"sqlite:///{tmp_path / 'r.db'}", **s3_root.open_kwargs())
    try:
        svc = open_datasets(reg, DataWorker(in_process=True))
        data = b"a,b\n1,2\n3,4\n"
        up = svc.create_upload("alice", "t.csv", len(data))
        svc.put_chunk("alice", up.id, 0, data, hashlib.sha256(data).hexdigest())
        svc.complete_upload("alice", up.id, hashlib.sha256(data).hexdigest())

        def full(self, path):  # type: ignore[no-untyped-def]
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(BlobStore, "put_file", full)
        with pytest.raises(MLHubError) as e:
            svc.register("alice", up.id, name="t")
        assert e.value.code.value == "insufficient_storage"
        assert set(reg.blobs.digests()) == {hashlib.sha256(data).hexdigest()}   # the upload's own bytes only
        monkeypatch.undo()
        assert svc.register("alice", up.id, name="t").num_rows == 2
    finally:
        reg.store.close()


def test_a_48_mib_upload_in_chunks_on_s3_keeps_memory_bounded(s3_root, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Chunks go to the bucket as they come, sent from the caller's buffer; completing streams
    them back and uploads the assembled file in 8 MiB parts read from disk as they are sent:
    the peak is a few MiB besides the chunk in hand, not the file."""
    import tracemalloc

    reg = open_registry(f"sqlite:///{tmp_path / 'r.db'}", **s3_root.open_kwargs())
    try:
        svc = open_datasets(reg, DataWorker(in_process=True))
        chunk = 8 * MiB   # the largest chunk a client may send (and the SDK's)
        block = os.urandom(chunk)
        size = 48 * MiB
        whole = hashlib.sha256()
        for _ in range(size // chunk):
            whole.update(block)
        block_sha = hashlib.sha256(block).hexdigest()
        up = svc.create_upload("alice", "big.bin", size, chunk_size=chunk)
        tracemalloc.start()
        try:
            for off in range(0, size, chunk):
                svc.put_chunk("alice", up.id, off, block, block_sha)
            _, peak_chunks = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            done = svc.complete_upload("alice", up.id, whole.hexdigest())
            _, peak_complete = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert done.status == "complete" and reg.blobs.size(done.sha256) == size
        # (measured: about 2.2 and 7.4 MiB; neither grows with the file. Sending a chunk makes
        # no copy of it (it was 9 MiB when s3fs's PUT copied it), and the assembled file goes
        # up in parts streamed from disk (17.5 MiB when each part was read whole and copied).)
        assert peak_chunks < 4 * MiB, f"sending chunks held {peak_chunks / MiB:.1f} MiB besides the chunk"
        assert peak_complete < chunk + 2 * MiB, f"completing held {peak_complete / MiB:.1f} MiB"
    finally:
        reg.store.close()
