"""Writes to S3 that send from the caller's buffer or from the file (store/s3_upload.py), on
moto's S3 server: exact bytes, one PUT or a multipart upload, nothing left behind on failure."""
from __future__ import annotations

import io
import os
import tracemalloc
from pathlib import Path

import pytest

from mlhub_ext.store import s3_upload
from mlhub_ext.store.s3_upload import BufferReader, FileRange

MiB = 1 << 20


def test_readers_are_seekable_windows_that_read_exactly(tmp_path: Path) -> None:
    data = os.urandom(3000)
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100 + data + b"y" * 50)
    for reader in (BufferReader(data), FileRange(path, 100, len(data))):
        with reader as r:
            assert r.seekable() and r.readable() and r.tell() == 0
            assert r.seek(0, io.SEEK_END) == len(data) and r.read(10) == b""
            r.seek(0)
            assert r.read(1000) == data[:1000] and r.tell() == 1000
            buf = bytearray(500)
            assert r.readinto(buf) == 500 and bytes(buf) == data[1000:1500]
            assert r.seek(-100, io.SEEK_CUR) == 1400 and r.read() == data[1400:]
            r.seek(10_000)
            assert r.tell() == len(data) and r.read(5) == b""   # clamped to the window


def test_a_buffer_reader_copies_only_what_it_returns() -> None:
    data = os.urandom(8 * MiB)
    tracemalloc.start()
    try:
        with BufferReader(data) as r:
            while r.read(256 * 1024):
                pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 * MiB, f"reading an 8 MiB buffer in 256 KiB reads held {peak / MiB:.1f} MiB"


def _fs(s3_server):  # type: ignore[no-untyped-def]
    import fsspec

    return fsspec.filesystem("s3", skip_instance_cache=True, **s3_server.storage_options)


def test_bytes_and_files_round_trip_in_one_put_or_in_parts(s3_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fs = _fs(s3_server)
    bucket = s3_server.new_bucket()
    assert s3_upload.is_s3(fs)
    chunk = os.urandom(3 * MiB + 7)
    s3_upload.put_bytes(fs, f"{bucket}/chunk", memoryview(chunk))
    assert fs.cat_file(f"{bucket}/chunk") == chunk

    calls: list[str] = []
    call = fs.call_s3
    fs.call_s3 = lambda method, **kw: calls.append(method) or call(method, **kw)  # type: ignore[method-assign]
    small = tmp_path / "small"
    small.write_bytes(os.urandom(9 * MiB))            # under two 5 MiB parts: one PUT
    s3_upload.put_file(fs, small, f"{bucket}/small", part=5 * MiB)
    assert calls == ["put_object"] and fs.cat_file(f"{bucket}/small") == small.read_bytes()

    calls.clear()
    big = tmp_path / "big"
    big.write_bytes(os.urandom(12 * MiB + 123))       # 5 + 5 + 2 MiB parts
    s3_upload.put_file(fs, big, f"{bucket}/big", part=5 * MiB)
    assert calls == ["create_multipart_upload", "upload_part", "upload_part", "upload_part",
                     "complete_multipart_upload"]
    assert fs.cat_file(f"{bucket}/big") == big.read_bytes()


def test_a_failed_part_aborts_the_upload_and_leaves_no_object(s3_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fs = _fs(s3_server)
    bucket = s3_server.new_bucket()
    big = tmp_path / "big"
    big.write_bytes(os.urandom(11 * MiB))
    call = fs.call_s3
    parts = []

    def failing(method, **kw):  # type: ignore[no-untyped-def]
        if method == "upload_part":
            parts.append(kw["PartNumber"])
            if kw["PartNumber"] == 2:
                raise OSError("connection reset")
        return call(method, **kw)

    fs.call_s3 = failing  # type: ignore[method-assign]
    with pytest.raises(OSError, match="connection reset"):
        s3_upload.put_file(fs, big, f"{bucket}/big", part=5 * MiB)
    fs.call_s3 = call  # type: ignore[method-assign]
    assert parts == [1, 2]
    assert not fs.exists(f"{bucket}/big")
    assert call("list_multipart_uploads", Bucket=bucket).get("Uploads", []) == []   # aborted, not left to bill


def test_part_size_keeps_within_ten_thousand_parts() -> None:
    assert s3_upload.part_size(100 * MiB) == s3_upload.DEFAULT_PART
    huge = 200 * 1024 ** 3
    part = s3_upload.part_size(huge)
    assert part > s3_upload.DEFAULT_PART and -(-huge // part) <= s3_upload.MAX_PARTS


def test_a_blob_over_50_mib_is_fetched_into_the_cache_streamed(s3_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """local_path of a blob that is not in the cache downloads it in one streamed GET (s3fs's
    default read a file over 50 MiB as ten 50 MiB ranges held in memory at once)."""
    from mlhub_ext.store.blobs import open_blob_store

    bucket = s3_server.new_bucket()
    store = open_blob_store(f"s3://{bucket}/p", s3_server.storage_options, cache_dir=tmp_path / "cache")
    big = tmp_path / "big"
    block = os.urandom(MiB)
    with open(big, "wb") as f:
        for _ in range(60):
            f.write(block)
    digest = store.put_file(big)
    store._cached(digest).unlink()   # as if evicted, or written by another replica
    tracemalloc.start()
    try:
        path = store.local_path(digest)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.stat().st_size == 60 * MiB and path.read_bytes()[:MiB] == block
    assert peak < 4 * MiB, f"fetching a 60 MiB blob held {peak / MiB:.1f} MiB"
