import errno
import hashlib
import os

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.store.blobs import BlobStore


def test_content_addressed_and_stored_once(tmp_path):
    blobs = BlobStore(tmp_path / "b")
    data = os.urandom(3 << 20)
    d1 = blobs.put_bytes(data)
    f = tmp_path / "same.bin"
    f.write_bytes(data)
    d2 = blobs.put_file(f)
    assert d1 == d2 == hashlib.sha256(data).hexdigest()
    files = [p for p in (tmp_path / "b").rglob("*") if p.is_file()]
    assert len(files) == 1 and blobs.read(d1) == data
    assert list((tmp_path / "b" / "tmp").iterdir()) == []


def test_checksum_mismatch_leaves_nothing(tmp_path):
    blobs = BlobStore(tmp_path)
    with pytest.raises(MLHubError):
        blobs.put_stream([b"abc"], expected_sha256="0" * 64)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_bad_digest_and_missing(tmp_path):
    blobs = BlobStore(tmp_path)
    with pytest.raises(MLHubError):
        blobs.path("../../etc/passwd")
    with pytest.raises(MLHubError):
        blobs.read("a" * 64)


def test_full_storage_is_a_507_and_leaves_no_temp_file(tmp_path):
    from tests.tmpfs import MiB, files_under, free_bytes, remount, small_tmpfs

    with small_tmpfs(tmp_path / "small", 1) as root:
        blobs = BlobStore(root)
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

    blobs = BlobStore(tmp_path)

    def fail(fd):  # type: ignore[no-untyped-def]
        raise OSError(err, os.strerror(err), str(tmp_path))

    monkeypatch.setattr(blobs_module.os, "fsync", fail)
    with pytest.raises(MLHubError) as e:
        blobs.put_bytes(b"abc")
    assert (e.value.http_status, e.value.details["reason"]) == (507, reason)
    assert str(tmp_path) not in e.value.message
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
