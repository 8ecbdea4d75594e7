"""Datasets and chunked uploads over REST: round trips, every bad input, nothing half-registered."""
from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from tornado.httpclient import HTTPClientError

from tests.object_store import ArtifactRoot, artifact_store  # noqa: F401

CHUNK = 64 * 1024


@pytest.fixture
def jp_server_config(jp_server_config, artifact_store):  # type: ignore[no-untyped-def]
    # Format work in the request thread here; the worker process is covered against `mlhub serve` below.
    cfg = dict(jp_server_config)
    cfg["ServerApp"] = {**cfg["ServerApp"], "tornado_settings": {"mlhub.datasets_in_process": True}}
    if artifact_store.kind == "s3":   # every test of the extension once more with its files on S3
        cfg["MLHub"] = {**cfg["MLHub"], "artifact_root": artifact_store.root,
                        "storage_options": artifact_store.storage_options, "artifact_cache": artifact_store.cache}
    return cfg


def stored_blobs(tmp_path: Path, artifact_store: ArtifactRoot) -> set[str]:
    if artifact_store.kind == "s3":
        from mlhub_ext.store.blobs import open_blob_store

        return set(open_blob_store(artifact_store.root, artifact_store.storage_options, tmp_path / "c").digests())
    return {p.parent.name + p.name for p in (tmp_path / "artifacts").glob("??/*")}


async def call(jp_fetch, method: str, *path: str, body=None, raw: bytes | None = None, headers=None, **kw):  # type: ignore[no-untyped-def]
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    if method in ("POST", "PUT", "PATCH") and data is None:
        data = b""
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=data, headers=headers or {},
                              allow_nonstandard_methods=True, **kw)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    ctype = resp.headers.get("Content-Type", "")
    return resp.code, (json.loads(resp.body) if resp.body and "json" in ctype else resp.body)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def send(jp_fetch, filename: str, data: bytes, size: int | None = None) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    """Create, send every chunk and complete; returns the completion's status and body."""
    code, up = await call(jp_fetch, "POST", "uploads", body={"filename": filename, "size": len(data) if size is None else size,
                                                             "chunk_size": CHUNK})
    if code != 201:
        return code, up
    for off in range(0, len(data), CHUNK):
        part = data[off:off + CHUNK]
        code, res = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", str(off), raw=part,
                               headers={"X-Chunk-SHA256": sha(part)})
        if code != 200:
            return code, res
    return await call(jp_fetch, "POST", "uploads", up["id"], "complete", body={"sha256": sha(data)})


async def register(jp_fetch, filename: str, data: bytes, **fields) -> tuple[int, dict]:  # type: ignore[no-untyped-def]
    code, up = await send(jp_fetch, filename, data)
    if code != 200:
        return code, up
    return await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"], **fields})


def png(colour: int, size=(8, 8)) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    Image.fromarray(np.full((size[1], size[0], 3), colour, np.uint8)).save(out, format="PNG")
    return out.getvalue()


def zip_of(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def xlsx_bytes(df: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    df.to_excel(out, index=False)
    return out.getvalue()


FRAME = pd.DataFrame({"a": [1.5, 2.5, None, 4.0], "b": ["x", "y", "y", None], "n": [1, 2, 3, 4]})


def parquet_bytes(df: pd.DataFrame) -> bytes:
    out = io.BytesIO()
    df.to_parquet(out, index=False)
    return out.getvalue()


FORMATS = [
    ("t.csv", FRAME.to_csv(index=False).encode(), "csv"),
    ("t.tsv", FRAME.to_csv(index=False, sep="\t").encode(), "tsv"),
    ("t.json", FRAME.to_json(orient="records").encode(), "json"),
    ("t.jsonl", FRAME.to_json(orient="records", lines=True).encode(), "jsonl"),
    ("t.xlsx", xlsx_bytes(FRAME), "xlsx"),
    ("t.parquet", parquet_bytes(FRAME), "parquet"),
]


@pytest.mark.parametrize("filename,data,fmt", FORMATS, ids=[f[2] for f in FORMATS])
async def test_every_tabular_format(jp_fetch, filename, data, fmt):  # type: ignore[no-untyped-def]
    code, reg = await register(jp_fetch, filename, data)
    assert code == 201, reg
    assert reg["version"]["format"] == fmt and reg["version"]["num_rows"] == 4 and reg["dataset"]["name"] == "t"
    code, st = await call(jp_fetch, "GET", "datasets", "t", "versions", "latest", "stats")
    cols = {c["name"]: c for c in st["columns"]}
    assert cols["a"]["mean"] == pytest.approx(FRAME["a"].mean()) and cols["a"]["missing"] == 1
    assert cols["n"]["max"] == 4 and cols["b"]["unique"] == 2
    code, pq_bytes = await call(jp_fetch, "GET", "datasets", "t", "versions", "1", "files", params={"file": "parquet"})
    back = pd.read_parquet(io.BytesIO(pq_bytes))
    assert list(back.columns) == ["a", "b", "n"] and back["n"].tolist() == [1, 2, 3, 4]
    code, original = await call(jp_fetch, "GET", "datasets", "t", "versions", "1", "files")
    assert original == data


async def test_catalogue_versions_rollback_diff_members(jp_fetch, tmp_path, artifact_store):  # type: ignore[no-untyped-def]
    code, reg = await register(jp_fetch, "My DataSet.csv", FRAME.to_csv(index=False).encode(),
                               description="demo", tags=["demo", "tabular"])
    assert code == 201 and reg["dataset"]["name"] == "my_dataset" and reg["version"]["version"] == 1
    code, err = await register(jp_fetch, "my_dataset.csv", FRAME.head(2).to_csv(index=False).encode())
    assert code == 409 and err["error"]["code"] == "conflict" and "new_version" in err["error"]["message"]
    code, reg2 = await register(jp_fetch, "my_dataset.csv", FRAME.head(2).to_csv(index=False).encode(),
                                new_version=True, message="first two rows")
    assert code == 201 and reg2["version"]["version"] == 2 and reg2["version"]["parent_version"] == 1

    code, listing = await call(jp_fetch, "GET", "datasets", params={"q": "tabular"})
    assert listing["total"] == 1
    ds = listing["datasets"][0]
    assert ds["latest_version"] == 2 and ds["owner"] == "alice" and ds["latest"]["num_rows"] == 2
    code, prev = await call(jp_fetch, "GET", "datasets", "my_dataset", "versions", "1", "preview", params={"rows": "2"})
    assert prev["rows"] == [[1.5, "x", 1], [2.5, "y", 2]] and prev["total_rows"] == 4

    code, rb = await call(jp_fetch, "POST", "datasets", "my_dataset", "rollback", body={"version": 1})
    assert code == 201 and rb["version"] == 3 and rb["lineage"]["rollback_of"] == 1
    code, v1 = await call(jp_fetch, "GET", "datasets", "my_dataset", "versions", "1")
    code, v3 = await call(jp_fetch, "GET", "datasets", "my_dataset", "versions", "3")
    assert v3["manifest"]["files"] == v1["manifest"]["files"] and v3["content_sha256"] == v1["content_sha256"]
    code, versions = await call(jp_fetch, "GET", "datasets", "my_dataset", "versions")
    assert [v["version"] for v in versions["versions"]] == [3, 2, 1]
    assert versions["versions"][1]["message"] == "first two rows"

    code, diff = await call(jp_fetch, "GET", "datasets", "my_dataset", "versions", "2", "diff", params={"other": "1"})
    assert code == 200 and (diff["old"], diff["new"]) == (1, 2) and diff["rows"]["removed"] == 2

    code, m = await call(jp_fetch, "PUT", "datasets", "my_dataset", "members", "bob", body={"role": "read"})
    assert code == 200 and m == {"dataset": "my_dataset", "user": "bob", "role": "read"}
    code, ms = await call(jp_fetch, "GET", "datasets", "my_dataset", "members")
    assert [x["user"] for x in ms["members"]] == ["alice", "bob"]
    code, _ = await call(jp_fetch, "DELETE", "datasets", "my_dataset", "members", "bob")
    assert code == 204
    code, patched = await call(jp_fetch, "PATCH", "datasets", "my_dataset", body={"visibility": "public"})
    assert patched["visibility"] == "public"

    v2 = (await call(jp_fetch, "GET", "datasets", "my_dataset", "versions", "2"))[1]
    files = {"1": v1["manifest"]["files"], "2": v2["manifest"]["files"]}
    assert stored_blobs(tmp_path, artifact_store) == {f["sha256"] for fs in files.values() for f in fs}
    for version, fs in files.items():   # downloads stream the exact bytes back, from the bucket on S3
        for f in fs:
            code, got = await call(jp_fetch, "GET", "datasets", "my_dataset", "versions", version, "files",
                                   params={"file": f["role"]})
            assert code == 200 and sha(got) == f["sha256"] and len(got) == f["size"]
    if artifact_store.kind == "s3":
        assert not (tmp_path / "artifacts").exists() and not Path("s3:").exists()


async def test_resumable_upload_with_lost_and_retried_chunks(jp_fetch):  # type: ignore[no-untyped-def]
    data = ("x,y\n" + "".join(f"{i},{i * 2}\n" for i in range(40_000))).encode()
    code, up = await call(jp_fetch, "POST", "uploads", body={"filename": "big.csv", "size": len(data), "chunk_size": CHUNK})
    offsets = list(range(0, len(data), CHUNK))
    assert len(offsets) >= 4
    sent = offsets[::2]  # every other chunk "arrives"; the rest are lost
    for off in reversed(sent):
        part = data[off:off + CHUNK]
        code, _ = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", str(off), raw=part,
                             headers={"X-Chunk-SHA256": sha(part)})
        assert code == 200
    code, err = await call(jp_fetch, "POST", "uploads", up["id"], "complete", body={"sha256": sha(data)})
    assert code == 422 and "missing byte ranges" in err["error"]["message"]
    code, state = await call(jp_fetch, "GET", "uploads", up["id"])
    assert [m[0] for m in state["missing"]] == offsets[1::2]
    part = data[CHUNK:2 * CHUNK]
    code, err = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", str(CHUNK), raw=part[:-1] + b"!",
                           headers={"X-Chunk-SHA256": sha(part)})
    assert code == 422 and "send it again" in err["error"]["message"]
    for off in [o for o in offsets if o not in sent] + [0]:  # the lost chunks, then a retry of the first
        part = data[off:off + CHUNK]
        code, _ = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", str(off), raw=part,
                             headers={"X-Chunk-SHA256": sha(part)})
        assert code == 200
    code, done = await call(jp_fetch, "POST", "uploads", up["id"], "complete", body={"sha256": sha(data)})
    assert code == 200 and done["status"] == "complete" and done["missing"] == []
    code, reg = await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"]})
    assert code == 201 and reg["version"]["num_rows"] == 40_000


async def test_image_collection(jp_fetch):  # type: ignore[no-untyped-def]
    members = {f"shapes/{cls}/{i}.png": png(c, (8 + i, 8)) for cls, c in (("circle", 0), ("square", 200))
               for i in range(3)}
    code, reg = await register(jp_fetch, "shapes.zip", zip_of(members))
    assert code == 201 and reg["version"]["kind"] == "images"
    code, st = await call(jp_fetch, "GET", "datasets", "shapes", "versions", "1", "stats")
    assert st["classes"] == {"circle": 3, "square": 3} and len(st["size_distribution"]) == 3
    code, th = await call(jp_fetch, "GET", "datasets", "shapes", "versions", "1", "thumbnails", params={"per_class": "1"})
    assert code == 200 and set(th["thumbnails"]) == {"circle", "square"}
    assert th["thumbnails"]["circle"][0]["png_base64"]


BAD_INPUTS = [
    ("unknown format", "data.foo", b"\x00\x01\x02binary stuff", 422, "unknown format"),
    ("mismatched format", "table.csv", parquet_bytes(FRAME), 422, "mismatch"),
    ("corrupt excel", "book.xlsx", b"PK\x03\x04 this is not a workbook at all", 422, "Excel"),
    ("ragged csv", "ragged.csv", b"a,b\n1,2\n3,4,5\n", 422, "line 3"),
    ("non-utf8 text", "latin.csv", "a,b\n1,café\n".encode("latin-1"), 422, "byte offset"),
    ("whitespace-only file", "blank.csv", b"   \n\n  ", 422, "empty"),
    ("zip slip", "slip.zip", zip_of({"../evil/a.png": png(1)}), 422, "zip-slip"),
    ("absolute path in zip", "abs.zip", zip_of({"/etc/cls/a.png": png(1)}), 422, "absolute"),
    ("symlink in zip", "link.zip", zip_of({"pets/cat/a.png": png(1)}, symlink="pets/cat/b.png"), 422, "symbolic link"),
    ("zip bomb", "bomb.zip", zip_of({"pets/cat/a.png": b"\0" * (8 << 20)}), 413, "zip bomb"),
]


@pytest.mark.parametrize("what,filename,data,status,words", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
async def test_bad_input_is_refused_and_nothing_registered(jp_fetch, tmp_path, artifact_store, what, filename, data,  # type: ignore[no-untyped-def]
                                                           status, words):
    code, err = await register(jp_fetch, filename, data)
    assert code == status, err
    assert words.lower() in err["error"]["message"].lower(), err
    code, listing = await call(jp_fetch, "GET", "datasets")
    assert listing["total"] == 0
    # Nothing but, on S3, the completed upload's own bytes (there they wait in the blob store,
    # to be registered again; on local disk in the upload's folder).
    assert stored_blobs(tmp_path, artifact_store) <= ({sha(data)} if artifact_store.kind == "s3" else set())


async def test_empty_file_and_sizes_far_from_the_bytes_sent(jp_fetch):  # type: ignore[no-untyped-def]
    code, err = await call(jp_fetch, "POST", "uploads", body={"filename": "e.csv", "size": 0})
    assert code == 422 and "empty" in err["error"]["message"]
    data = b"a,b\n1,2\n"
    code, up = await call(jp_fetch, "POST", "uploads", body={"filename": "s.csv", "size": 4, "chunk_size": CHUNK})
    code, err = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", "0", raw=data,
                           headers={"X-Chunk-SHA256": sha(data)})
    assert code == 413 and "declared size" in err["error"]["message"]
    code, up = await call(jp_fetch, "POST", "uploads", body={"filename": "l.csv", "size": 10_000, "chunk_size": CHUNK})
    code, err = await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", "0", raw=data,
                           headers={"X-Chunk-SHA256": sha(data)})
    assert code == 422 and "expected 10000" in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "uploads", up["id"], "complete", body={"sha256": sha(data)})
    assert code == 422 and "received 0 of the declared 10000" in err["error"]["message"]
    code, up = await call(jp_fetch, "POST", "uploads", body={"filename": "w.csv", "size": len(data)})
    await call(jp_fetch, "PUT", "uploads", up["id"], "chunks", "0", raw=data, headers={"X-Chunk-SHA256": sha(data)})
    code, err = await call(jp_fetch, "POST", "uploads", up["id"], "complete", body={"sha256": sha(b"other")})
    assert code == 422 and "refused" in err["error"]["message"]
    code, err = await call(jp_fetch, "POST", "datasets", body={"upload_id": up["id"]})
    assert code == 422 and "failed" in err["error"]["message"]
    code, listing = await call(jp_fetch, "GET", "datasets")
    assert listing["total"] == 0


def test_a_chunk_body_is_read_into_one_buffer_with_or_without_its_length(mlhub_server):  # type: ignore[no-untyped-def]
    """The chunk handler reads the body as it arrives: with a Content-Length into a buffer of
    that size, without one (chunked transfer encoding) into a growing one; a body longer than
    any chunk may be is a 413 whichever way it comes, and nothing of it is written."""
    import requests

    from mlhub_ext.core.uploads import MAX_CHUNK

    data = FRAME.to_csv(index=False).encode()
    url = f"{mlhub_server.url}mlhub/api/v1/uploads/"
    headers = {"Authorization": f"token {mlhub_server.token}", "X-Chunk-SHA256": sha(data)}
    up = mlhub_server.api("POST", "uploads", json={"filename": "s.csv", "size": len(data)}).json()
    r = requests.put(f"{url}{up['id']}/chunks/0", data=iter([data[:7], data[7:]]), headers=headers, timeout=30)
    assert r.status_code == 200 and r.json()["received_bytes"] == len(data), r.text
    r = mlhub_server.api("POST", f"uploads/{up['id']}/complete", json={"sha256": sha(data)})
    assert r.status_code == 200 and r.json()["sha256"] == sha(data)

    big = MAX_CHUNK + 1
    up = mlhub_server.api("POST", "uploads", json={"filename": "b.csv", "size": 3 * MAX_CHUNK}).json()
    for body in (b"x" * big, iter([b"x" * MAX_CHUNK, b"x"])):
        r = requests.put(f"{url}{up['id']}/chunks/0", data=body, headers={**headers, "X-Chunk-SHA256": "0" * 64},
                         timeout=60)
        assert r.status_code == 413 and f"at most {MAX_CHUNK} bytes" in r.json()["error"]["message"], r.text
    assert mlhub_server.api("GET", f"uploads/{up['id']}").json()["received_bytes"] == 0


def put_chunk(server, upload_id: str, data: bytes, token: str | None = None):  # type: ignore[no-untyped-def]
    import requests

    headers = {"Authorization": f"token {token or server.token}", "X-Chunk-SHA256": sha(data)}
    return requests.put(f"{server.url}mlhub/api/v1/uploads/{upload_id}/chunks/0", data=data, headers=headers,
                        timeout=30)


def test_worker_process_and_another_users_upload(mlhub_server):  # type: ignore[no-untyped-def]
    """Against `mlhub serve`: format work runs in the worker process; upload ids are per user."""
    bob = mlhub_server.create_token("bob")
    data = FRAME.to_csv(index=False).encode()
    up = mlhub_server.api("POST", "uploads", json={"filename": "shared.csv", "size": len(data)}).json()
    for token in (bob,):
        r = put_chunk(mlhub_server, up["id"], data, token)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert mlhub_server.api("GET", f"uploads/{up['id']}", token=token).status_code == 404
    r = put_chunk(mlhub_server, up["id"], data)
    assert r.status_code == 200
    assert mlhub_server.api("POST", f"uploads/{up['id']}/complete", json={"sha256": sha(data)}).status_code == 200
    r = mlhub_server.api("POST", "datasets", token=bob, json={"upload_id": up["id"]})
    assert r.status_code == 404
    r = mlhub_server.api("POST", "datasets", json={"upload_id": up["id"], "tags": ["t"]})
    assert r.status_code == 201, r.text
    assert r.json()["version"]["num_rows"] == 4
    assert mlhub_server.api("GET", "datasets/shared", token=bob).status_code == 404
    bad = b"a,b\n1,2\n3\n"
    up = mlhub_server.api("POST", "uploads", json={"filename": "bad.csv", "size": len(bad)}).json()
    put_chunk(mlhub_server, up["id"], bad)
    mlhub_server.api("POST", f"uploads/{up['id']}/complete", json={"sha256": sha(bad)})
    r = mlhub_server.api("POST", "datasets", json={"upload_id": up["id"]})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    assert mlhub_server.api("GET", "datasets").json()["total"] == 1
    blobs = list(Path(mlhub_server.data_dir / "artifacts").glob("??/*"))
    assert len(blobs) == 2  # the first upload's original and Parquet copy only
