"""Full and read-only artifact storage over REST: a 507 JSON error naming no server path,
nothing half-written left behind, and the same request succeeds once space is back.

The first tests run on a real tmpfs of a few MiB mounted on the artifact folder (skipped,
with the reason, where a tmpfs cannot be mounted); the simulated ones below make the
same system calls fail with ENOSPC/EROFS and always run.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest
from tornado.httpclient import HTTPClientError

from tests.tmpfs import MiB, files_under, free_bytes, remount, small_tmpfs

FULL = ("the server's artifact storage is full. Ask the administrator to free space in the server's "
        "artifact storage (or raise its quota), then send the same request again.")
READ_ONLY = ("the server's artifact storage is read-only or not writable by the server. Ask the "
             "administrator to make the server's artifact storage writable, then send the same request again.")


@pytest.fixture
def artifacts(request, tmp_path):  # type: ignore[no-untyped-def]
    """The artifact folder: a 5 MiB tmpfs (size from a ``tmpfs_mib`` marker-free param), or a
    plain folder for the simulated tests."""
    folder = tmp_path / "artifacts"
    size = getattr(request, "param", None)
    if size is None:
        folder.mkdir()
        yield folder
        return
    with small_tmpfs(folder, size):
        yield folder


@pytest.fixture
def jp_server_config(jp_server_config, artifacts):  # type: ignore[no-untyped-def]
    cfg = json.loads(json.dumps(jp_server_config))
    cfg["MLHub"]["artifact_root"] = str(artifacts)
    cfg["ServerApp"]["tornado_settings"] = {"mlhub.datasets_in_process": True}
    return cfg


async def call(jp_fetch, method: str, *path: str, body=None, raw: bytes | None = None, headers=None):  # type: ignore[no-untyped-def]
    data = raw if raw is not None else (json.dumps(body) if body is not None else b"" if method != "GET" else None)
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=data, headers=headers or {},
                              allow_nonstandard_methods=True)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    return resp.code, json.loads(resp.body) if resp.body else None


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def assert_storage_error(code: int, body: dict, doing: str, message: str, folder: Path) -> None:
    assert code == 507, body
    assert body["error"]["code"] == "insufficient_storage"
    assert body["error"]["message"] == f"{doing} failed: {message}"
    assert str(folder) not in json.dumps(body) and "/tmp" not in json.dumps(body)


async def new_run(jp_fetch) -> str:  # type: ignore[no-untyped-def]
    assert (await call(jp_fetch, "POST", "projects", body={"name": "faults"}))[0] == 201
    code, run = await call(jp_fetch, "POST", "runs", body={"project": "faults"})
    assert code == 201
    return run["id"]


async def upload(jp_fetch, filename: str, data: bytes, chunk: int = 8 * MiB) -> str:  # type: ignore[no-untyped-def]
    code, up = await call(jp_fetch, "POST", "uploads", body={"filename": filename, "size": len(data),
                                                             "chunk_size": chunk})
    assert code == 201, up
    for off in range(0, len(data), chunk):
        part = data[off:off + chunk]
        code, res = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", str(off), raw=part,
                               headers={"X-Chunk-SHA256": sha(part)})
        assert code == 200, res
    code, res = await call(jp_fetch, "POST", "uploads", up["id"], "complete", body={"sha256": sha(data)})
    assert code == 200, res
    return up["id"]


def table_csv(rows: int, seed: int = 7) -> bytes:
    """A CSV of random-looking floats (compresses badly, so its Parquet copy is large)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    values = rng.random((rows, 2))
    return ("a,b\n" + "".join(f"{a!r},{b!r}\n" for a, b in values.tolist())).encode()


# --- a real 5 MiB tmpfs -------------------------------------------------------------------

@pytest.mark.parametrize("artifacts", [5], indirect=True)
async def test_artifact_larger_than_the_free_space(jp_fetch, artifacts):  # type: ignore[no-untyped-def]
    run_id = await new_run(jp_fetch)
    free = free_bytes(artifacts)
    data = os.urandom(7 * MiB)
    code, body = await call(jp_fetch, "PUT", "runs", run_id, "artifacts", "model.bin", raw=data)
    assert_storage_error(code, body, "storing the file", FULL, artifacts)
    assert files_under(artifacts) == [], "the partly written temp file is gone"
    assert free_bytes(artifacts) == free
    assert (await call(jp_fetch, "GET", "runs", run_id, "artifacts"))[1] == {"artifacts": []}
    remount(artifacts, size_mib=16)     # space is back: the same request succeeds
    code, art = await call(jp_fetch, "PUT", "runs", run_id, "artifacts", "model.bin", raw=data)
    assert code == 201 and art["sha256"] == sha(data) and art["size"] == 7 * MiB


@pytest.mark.parametrize("artifacts", [5], indirect=True)
async def test_upload_chunk_larger_than_the_free_space(jp_fetch, artifacts):  # type: ignore[no-untyped-def]
    data = os.urandom(6 * MiB)
    code, up = await call(jp_fetch, "POST", "uploads", body={"filename": "big.bin", "size": len(data),
                                                             "chunk_size": 8 * MiB})
    assert code == 201
    free = free_bytes(artifacts)
    code, body = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", "0", raw=data,
                            headers={"X-Chunk-SHA256": sha(data)})
    assert_storage_error(code, body, "writing the chunk at offset 0 of big.bin", FULL, artifacts)
    code, state = await call(jp_fetch, "GET", "uploads", up["id"])
    assert (state["status"], state["received"], state["missing"]) == ("open", [], [[0, 6 * MiB]])
    assert free_bytes(artifacts) == free, "the 5 MiB the failed chunk wrote were given back"
    remount(artifacts, size_mib=16)
    code, _ = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", "0", raw=data,
                         headers={"X-Chunk-SHA256": sha(data)})
    assert code == 200
    code, done = await call(jp_fetch, "POST", "uploads", up["id"], "complete", body={"sha256": sha(data)})
    assert code == 200 and done["status"] == "complete" and done["sha256"] == sha(data)


@pytest.mark.parametrize("artifacts", [16], indirect=True)
@pytest.mark.parametrize("fails_at", ["parquet", "copy"])
async def test_registration_that_does_not_fit_can_be_retried(jp_fetch, artifacts, fails_at):  # type: ignore[no-untyped-def]
    """The CSV fits; its Parquet copy (written by the conversion, then stored as a blob) does
    not: either the conversion itself or storing its copy runs out of space."""
    data = table_csv(60_000)
    upload_id = await upload(jp_fetch, "table.csv", data)
    # Measure the Parquet copy by registering a table of the same shape on a roomy folder.
    remount(artifacts, size_mib=64)
    probe = await upload(jp_fetch, "probe.csv", table_csv(60_000, seed=8))
    assert (await call(jp_fetch, "POST", "datasets", body={"upload_id": probe, "name": "probe"}))[0] == 201
    v = (await call(jp_fetch, "GET", "datasets", "probe", "versions", "1"))[1]
    parquet = next(f["size"] for f in v["manifest"]["files"] if f["role"] == "parquet")
    assert parquet > 512 * 1024
    before = files_under(artifacts)
    # Leave room for less than one copy (conversion fails) or for one but not two (storing fails).
    room = parquet // 2 if fails_at == "parquet" else parquet + parquet // 2
    filler = artifacts / "filler"
    filler.write_bytes(b"\0" * (free_bytes(artifacts) - room))

    code, body = await call(jp_fetch, "POST", "datasets", body={"upload_id": upload_id, "name": "table"})
    assert_storage_error(code, body, "registering table.csv", FULL, artifacts)
    assert files_under(artifacts) == sorted(before + ["filler"]), "no orphan blob, no temp file"
    assert (await call(jp_fetch, "GET", "datasets", "table"))[0] == 404
    assert (await call(jp_fetch, "GET", "uploads", upload_id))[1]["status"] == "complete"

    filler.unlink()     # space is back: the documented retry registers it
    code, v = await call(jp_fetch, "POST", "datasets", body={"upload_id": upload_id, "name": "table"})
    assert code == 201, v
    assert (v["dataset"]["name"], v["version"]["version"], v["version"]["num_rows"]) == ("table", 1, 60_000)
    code, _ = await call(jp_fetch, "GET", "uploads", upload_id)
    assert code == 200


@pytest.mark.parametrize("artifacts", [16], indirect=True)
async def test_read_only_storage_refuses_every_write(jp_fetch, artifacts):  # type: ignore[no-untyped-def]
    run_id = await new_run(jp_fetch)
    data = table_csv(100)
    complete = await upload(jp_fetch, "t.csv", data)
    code, half = await call(jp_fetch, "POST", "uploads", body={"filename": "half.bin", "size": 2 * 65536,
                                                               "chunk_size": 65536})
    before = files_under(artifacts)
    remount(artifacts, read_only=True)
    try:
        code, body = await call(jp_fetch, "PUT", "runs", run_id, "artifacts", "a.txt", raw=b"hello")
        assert_storage_error(code, body, "storing the file", READ_ONLY, artifacts)
        code, body = await call(jp_fetch, "POST", "uploads", body={"filename": "x.csv", "size": 10})
        assert_storage_error(code, body, "starting the upload of x.csv", READ_ONLY, artifacts)
        chunk = b"y" * 65536
        code, body = await call(jp_fetch, "PUT", "uploads", half["id"], "chunks", "0", raw=chunk,
                                headers={"X-Chunk-SHA256": sha(chunk)})
        assert_storage_error(code, body, "writing the chunk at offset 0 of half.bin", READ_ONLY, artifacts)
        code, body = await call(jp_fetch, "POST", "datasets", body={"upload_id": complete, "name": "t"})
        assert_storage_error(code, body, "registering t.csv", READ_ONLY, artifacts)
    finally:
        remount(artifacts, read_only=False)
    assert files_under(artifacts) == before
    assert (await call(jp_fetch, "POST", "datasets", body={"upload_id": complete, "name": "t"}))[0] == 201
    assert (await call(jp_fetch, "PUT", "runs", run_id, "artifacts", "a.txt", raw=b"hello"))[0] == 201


# --- simulated: the same failures from the system calls, on any machine --------------------

def _fail(err: int):  # type: ignore[no-untyped-def]
    def raiser(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(err, os.strerror(err), "/srv/secret/path")
    return raiser


async def test_simulated_full_disk_on_artifact_write(jp_fetch, artifacts, monkeypatch):  # type: ignore[no-untyped-def]
    import mlhub_ext.store.blobs as blobs

    run_id = await new_run(jp_fetch)
    monkeypatch.setattr(blobs.os, "fsync", _fail(errno.ENOSPC))
    code, body = await call(jp_fetch, "PUT", "runs", run_id, "artifacts", "m.bin", raw=b"x" * 1000)
    assert_storage_error(code, body, "storing the file", FULL, artifacts)
    assert "/srv/secret" not in body["error"]["message"]
    assert files_under(artifacts) == []
    monkeypatch.undo()
    assert (await call(jp_fetch, "PUT", "runs", run_id, "artifacts", "m.bin", raw=b"x" * 1000))[0] == 201


async def test_simulated_short_write_of_a_chunk(jp_fetch, artifacts, monkeypatch):  # type: ignore[no-untyped-def]
    """pwrite writes half and returns the count, then the disk is full: the chunk is not recorded."""
    import mlhub_ext.core.uploads as uploads

    data = os.urandom(2 * 65536)
    code, up = await call(jp_fetch, "POST", "uploads", body={"filename": "s.bin", "size": len(data),
                                                             "chunk_size": 65536})
    real_pwrite, calls = os.pwrite, []

    def short_pwrite(fd, buf, offset):  # type: ignore[no-untyped-def]
        calls.append(len(buf))
        if len(calls) == 1:
            return real_pwrite(fd, bytes(buf[:len(buf) // 2]), offset)
        return 0   # what a full disk answers after a partial write

    monkeypatch.setattr(uploads.os, "pwrite", short_pwrite)
    chunk = data[:65536]
    code, body = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", "0", raw=chunk,
                            headers={"X-Chunk-SHA256": sha(chunk)})
    assert_storage_error(code, body, "writing the chunk at offset 0 of s.bin", FULL, artifacts)
    assert calls == [65536, 32768], "the rest was tried before giving up"
    assert (await call(jp_fetch, "GET", "uploads", up["id"]))[1]["received"] == []
    monkeypatch.undo()
    for off in (0, 65536):
        part = data[off:off + 65536]
        assert (await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", str(off), raw=part,
                           headers={"X-Chunk-SHA256": sha(part)}))[0] == 200
    code, done = await call(jp_fetch, "POST", "uploads", up["id"], "complete", body={"sha256": sha(data)})
    assert code == 200 and done["sha256"] == sha(data)


@pytest.mark.parametrize("err, message", [(errno.ENOSPC, FULL), (errno.EROFS, READ_ONLY)])
async def test_simulated_failure_storing_the_parquet_copy(jp_fetch, artifacts, monkeypatch, err, message):  # type: ignore[no-untyped-def]
    """The original was moved into the blob store when storing the copy fails: it goes back."""
    from mlhub_ext.store.blobs import BlobStore

    upload_id = await upload(jp_fetch, "t.csv", table_csv(200))
    before = files_under(artifacts)
    monkeypatch.setattr(BlobStore, "put_file", _fail(err))
    code, body = await call(jp_fetch, "POST", "datasets", body={"upload_id": upload_id, "name": "t"})
    assert_storage_error(code, body, "registering t.csv", message, artifacts)
    assert files_under(artifacts) == before, "the original is back in its upload, no orphan blob"
    monkeypatch.undo()
    code, v = await call(jp_fetch, "POST", "datasets", body={"upload_id": upload_id, "name": "t"})
    assert code == 201 and v["version"]["num_rows"] == 200


async def test_any_other_write_that_hits_a_full_disk_is_a_507(jp_fetch, artifacts, monkeypatch):  # type: ignore[no-untyped-def]
    """The last guard, at the HTTP boundary: an OSError of a full or read-only disk from a
    path no lower layer wraps is still a 507 naming no path, never a 500."""
    from mlhub_ext.core.service import Registry

    run_id = await new_run(jp_fetch)
    monkeypatch.setattr(Registry, "log_artifact", _fail(errno.EDQUOT))
    code, body = await call(jp_fetch, "PUT", "runs", run_id, "artifacts", "m.bin", raw=b"x")
    assert_storage_error(code, body, "the request", FULL, artifacts)
    monkeypatch.setattr(Registry, "log_artifact", _fail(errno.EIO))
    code, body = await call(jp_fetch, "PUT", "runs", run_id, "artifacts", "m.bin", raw=b"x")
    assert (code, body["error"]["code"]) == (500, "internal"), "other I/O errors stay internal"
