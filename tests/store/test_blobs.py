import errno
import hashlib
import os
import tracemalloc
from pathlib import Path

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.store.blobs import FsspecBlobStore, LocalBlobStore, open_blob_store
from tests.object_store import ArtifactRoot, artifact_store  # noqa: F401

MiB = 1 << 20


def open_store(a: ArtifactRoot, **kw):  # type: ignore[no-untyped-def]
    return open_blob_store(a.root, a.storage_options, a.cache, **kw)


def stored_files(a: ArtifactRoot, blobs) -> list[str]:  # type: ignore[no-untyped-def]
    """Every file under the root (the bucket prefix for S3), temp files included."""
    if isinstance(blobs, FsspecBlobStore):
        blobs.fs.invalidate_cache()
        return sorted(blobs.fs.find(blobs.prefix))
    return sorted(str(p) for p in Path(a.root).rglob("*") if p.is_file())


def test_content_addressed_and_stored_once(artifact_store):  # type: ignore[no-untyped-def]
    blobs = open_store(artifact_store)
    data = os.urandom(3 * MiB)
    d1 = blobs.put_bytes(data)
    f = Path(artifact_store.cache or artifact_store.root).parent / "same.bin"
    f.write_bytes(data)
    d2 = blobs.put_file(f)
    assert d1 == d2 == hashlib.sha256(data).hexdigest()
    assert len(stored_files(artifact_store, blobs)) == 1 and blobs.read(d1) == data
    assert list(blobs.digests()) == [d1] and blobs.exists(d1) and blobs.size(d1) == len(data)
    assert list(blobs.tmp.iterdir()) == []


def test_bytes_round_trip_exactly_through_every_read(artifact_store):  # type: ignore[no-untyped-def]
    blobs = open_store(artifact_store)
    data = bytes(range(256)) * 9000 + b"\x00\r\n\xff"   # not a multiple of the chunk size
    digest = blobs.put_stream(data[i:i + 100_000] for i in range(0, len(data), 100_000))
    assert digest == hashlib.sha256(data).hexdigest()
    if isinstance(blobs, FsspecBlobStore):   # read from the bucket, not the copy put_stream cached
        blobs._cached(digest).unlink()
    assert b"".join(blobs.iter_chunks(digest, chunk=65536)) == data
    with blobs.open(digest) as f:
        assert f.read(10) == data[:10] and f.read() == data[10:]
    path = blobs.local_path(digest)
    assert path.is_file() and path.read_bytes() == data


def test_checksum_mismatch_leaves_nothing(artifact_store):  # type: ignore[no-untyped-def]
    blobs = open_store(artifact_store)
    with pytest.raises(MLHubError) as e:
        blobs.put_stream([b"abc"], expected_sha256="0" * 64)
    assert e.value.code.value == "invalid"
    assert stored_files(artifact_store, blobs) == [] and list(blobs.tmp.iterdir()) == []


def test_bad_digest_and_missing(artifact_store):  # type: ignore[no-untyped-def]
    blobs = open_store(artifact_store)
    for call in (blobs.local_path, blobs.open, blobs.exists):
        with pytest.raises(MLHubError) as e:
            call("../../etc/passwd")
        assert e.value.code.value == "invalid"
    for call in (blobs.read, blobs.local_path, blobs.size):
        with pytest.raises(MLHubError) as e:
            call("a" * 64)
        assert e.value.code.value == "not_found"
    assert not blobs.exists("a" * 64)


def test_store_file_move_out_and_delete(artifact_store, tmp_path):  # type: ignore[no-untyped-def]
    blobs = open_store(artifact_store)
    src = tmp_path / "upload.csv"
    src.write_bytes(b"a,b\n1,2\n")
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert blobs.store_file(src, digest, move=True) is True and not src.exists()
    assert blobs.read(digest) == b"a,b\n1,2\n"
    again = tmp_path / "again.csv"
    again.write_bytes(b"a,b\n1,2\n")
    assert blobs.store_file(again, digest, move=True) is False and again.exists()
    blobs.move_out(digest, src)
    assert src.read_bytes() == b"a,b\n1,2\n" and not blobs.exists(digest)
    d = blobs.put_bytes(b"x")
    blobs.delete(d)
    blobs.delete(d)   # absent: nothing
    assert not blobs.exists(d) and stored_files(artifact_store, blobs) == []


def test_streaming_a_50_mb_file_keeps_memory_bounded(artifact_store):  # type: ignore[no-untyped-def]
    """Written from 1 MiB chunks, uploaded in parts, read back in chunks: never the whole file."""
    blobs = open_store(artifact_store)
    block = os.urandom(MiB)
    n = 50
    expected = hashlib.sha256(block * n).hexdigest()
    tracemalloc.start()
    try:
        digest = blobs.put_stream(block for _ in range(n))
        _, peak_write = tracemalloc.get_traced_memory()
        if isinstance(blobs, FsspecBlobStore):
            blobs._cached(digest).unlink()   # read from the bucket
        tracemalloc.reset_peak()
        h = hashlib.sha256()
        for chunk in blobs.iter_chunks(digest):
            h.update(chunk)
        _, peak_read = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest == expected and h.hexdigest() == expected and blobs.size(digest) == n * MiB
    # The generator's one block and the upload's two 8 MiB parts at most; far below 50 MiB.
    assert peak_write < 24 * MiB, f"writing held {peak_write / MiB:.1f} MiB"
    assert peak_read < 16 * MiB, f"reading held {peak_read / MiB:.1f} MiB"


def test_s3_local_path_cache_is_bounded_and_read_through(s3_root, tmp_path):  # type: ignore[no-untyped-def]
    blobs = open_store(s3_root, cache_bytes=3 * MiB)
    blobs.cache_grace_s = 0
    digests = [blobs.put_bytes(bytes([i]) * MiB) for i in range(5)]
    cached = sorted(p for p in Path(s3_root.cache).glob("??/*"))
    assert sum(p.stat().st_size for p in cached) <= 3 * MiB
    for i, d in enumerate(digests):   # every one still readable: copied back from the bucket
        assert blobs.local_path(d).read_bytes() == bytes([i]) * MiB
    assert sum(p.stat().st_size for p in Path(s3_root.cache).glob("??/*")) <= 3 * MiB


def test_s3_objects_are_under_the_prefix_and_a_second_store_sees_them(s3_root, s3_server, tmp_path):  # type: ignore[no-untyped-def]
    """Another replica (its own cache) reads what the first wrote."""
    first = open_store(s3_root)
    digest = first.put_bytes(b"shared bytes")
    bucket = s3_root.root.split("/")[2]
    assert s3_server.filesystem().find(bucket) == [f"{bucket}/mlhub/{digest[:2]}/{digest[2:]}"]
    second = open_blob_store(s3_root.root, s3_root.storage_options, tmp_path / "other-cache")
    assert second.exists(digest) and second.read(digest) == b"shared bytes"


def test_aws_environment_variables_are_honoured(s3_server, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """No storage_options: s3fs/botocore take the endpoint and credentials from AWS_*."""
    bucket = s3_server.new_bucket()
    for name, value in {"AWS_ENDPOINT_URL": s3_server.endpoint, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        monkeypatch.setenv(name, value)
    # (a new filesystem instance: fsspec would reuse one made before these variables were set)
    blobs = open_blob_store(f"s3://{bucket}/p", {"skip_instance_cache": True}, tmp_path / "cache")
    digest = blobs.put_bytes(b"through AWS_ENDPOINT_URL")
    assert s3_server.filesystem().cat_file(f"{bucket}/p/{digest[:2]}/{digest[2:]}") == b"through AWS_ENDPOINT_URL"


@pytest.mark.parametrize("root, package", [("gs://bucket/prefix", "gcsfs"), ("abfs://container/prefix", "adlfs")])
def test_a_url_whose_backend_is_not_installed_is_refused_naming_the_package(root, package, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    pytest.importorskip("fsspec")
    try:
        __import__(package)
        pytest.skip(f"{package} is installed here")
    except ImportError:
        pass
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MLHubError) as e:
        open_blob_store(root)
    assert e.value.code.value == "invalid" and f"pip install {package}" in e.value.message and root in e.value.message
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_scheme_is_refused_never_taken_as_a_path(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MLHubError) as e:
        open_blob_store("nosuchscheme://bucket/prefix")
    assert "nosuchscheme://" in e.value.message and "s3://bucket/prefix" in e.value.message
    assert list(tmp_path.iterdir()) == []


def test_s3_url_never_creates_a_local_s3_folder(s3_root, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from mlhub_ext.store import open_registry

    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    reg = open_registry(f"sqlite:///{tmp_path / 'r.db'}", artifact_root=s3_root.root,
                        storage_options=s3_root.storage_options, artifact_cache=s3_root.cache)
    try:
        assert isinstance(reg.blobs, FsspecBlobStore)
        reg.blobs.put_bytes(b"x")
    finally:
        reg.store.close()
    assert list(work.iterdir()) == [] and not Path("s3:").exists()


def test_a_bucket_that_does_not_exist_is_a_503_not_a_path(s3_server, tmp_path):  # type: ignore[no-untyped-def]
    blobs = open_blob_store("s3://no-such-bucket-mlhub/p", s3_server.storage_options, tmp_path / "c")
    with pytest.raises(MLHubError) as e:
        blobs.put_bytes(b"x")
    assert (e.value.http_status, e.value.message) == (
        503, "storing the file failed: the bucket of the server's artifact storage does not exist. Ask the "
             "administrator to create it (or correct MLHub.artifact_root)")
    assert list((tmp_path / "c" / "tmp").iterdir()) == []


def test_an_unreachable_store_is_a_503(tmp_path):  # type: ignore[no-untyped-def]
    pytest.importorskip("s3fs")
    from tests.conftest import free_port

    blobs = open_blob_store("s3://bucket/p", {"endpoint_url": f"http://127.0.0.1:{free_port()}", "key": "k",
                                              "secret": "s", "client_kwargs": {"region_name": "eu-west-1"}},
                            tmp_path / "c")
    with pytest.raises(MLHubError) as e:
        blobs.put_bytes(b"x")
    assert e.value.http_status == 503 and "did not answer (EndpointConnectionError)" in e.value.message
    assert "127.0.0.1" not in e.value.message and list((tmp_path / "c" / "tmp").iterdir()) == []


def test_file_url_is_a_local_folder(tmp_path):  # type: ignore[no-untyped-def]
    blobs = open_blob_store(f"file://{tmp_path / 'b'}")
    assert isinstance(blobs, LocalBlobStore) and blobs.root == tmp_path / "b"


def test_full_storage_is_a_507_and_leaves_no_temp_file(tmp_path):
    from tests.tmpfs import files_under, free_bytes, remount, small_tmpfs

    with small_tmpfs(tmp_path / "small", 1) as root:
        blobs = LocalBlobStore(root)
        free = free_bytes(root)
        data = os.urandom(2 * MiB)
        with pytest.raises(MLHubError) as e:
            blobs.put_bytes(data)
        assert (e.value.code.value, e.value.http_status, e.value.details) == (
            "insufficient_storage", 507, {"reason": "full"})
        assert e.value.message.startswith("storing the file failed: the server's artifact storage is full.")
        assert str(root) not in e.value.message
        assert files_under(root) == [] and free_bytes(root) == free
        remount(root, size_mib=4)
        assert blobs.read(blobs.put_bytes(data)) == data


@pytest.mark.parametrize("err, reason", [(errno.ENOSPC, "full"), (errno.EDQUOT, "full"), (errno.EROFS, "read_only"),
                                         (errno.EACCES, "read_only")])
def test_simulated_storage_errors_map_to_507(tmp_path, monkeypatch, err, reason):
    import mlhub_ext.store.blobs as blobs_module

    blobs = LocalBlobStore(tmp_path)

    def fail(fd):  # type: ignore[no-untyped-def]
        raise OSError(err, os.strerror(err), str(tmp_path))

    monkeypatch.setattr(blobs_module.os, "fsync", fail)
    with pytest.raises(MLHubError) as e:
        blobs.put_bytes(b"abc")
    assert (e.value.http_status, e.value.details["reason"]) == (507, reason)
    assert str(tmp_path) not in e.value.message
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_s3_cache_keeps_copies_used_recently_beyond_its_bound(s3_root):  # type: ignore[no-untyped-def]
    """A path just handed out (a job's input) is not evicted under it by the next copy."""
    blobs = open_store(s3_root, cache_bytes=MiB)
    first = blobs.put_bytes(b"a" * MiB)
    path = blobs.local_path(first)
    blobs.put_bytes(b"b" * MiB)
    assert path.is_file()
    old = path.stat().st_mtime - 2 * blobs.cache_grace_s
    os.utime(path, (old, old))
    blobs.put_bytes(b"c" * MiB)
    assert not path.exists() and blobs.read(first) == b"a" * MiB   # evicted, still in the bucket
