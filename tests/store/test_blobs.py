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
