"""``mh.datasets`` end to end against a real `mlhub serve` (worker process included)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import mlhub_ext as mh
from mlhub_ext.client import uploads
from mlhub_ext.core.errors import ErrorCode, MLHubError


@pytest.fixture
def server(mlhub_server, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MLHUB_URL", mlhub_server.url)
    monkeypatch.setenv("MLHUB_TOKEN", mlhub_server.token)
    monkeypatch.setenv("MLHUB_CACHE_DIR", str(tmp_path / "cache"))
    return mlhub_server


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(10, 2, 200), "b": rng.choice(["x", "y", None], 200),
                       "c": rng.integers(0, 5, 200)})
    df.loc[::7, "a"] = np.nan
    return df


def test_issue_walkthrough(server, tmp_path):  # type: ignore[no-untyped-def]
    src = tmp_path / "data" / "My DataSet.csv"
    src.parent.mkdir()
    df = frame()
    df.to_csv(src, index=False)

    ds = mh.datasets.upload(src, tags=["demo"], description="a demo")
    assert (ds.name, ds.version) == ("my_dataset", 1)
    loaded = mh.datasets.get("my_dataset").to_pandas()
    pd.testing.assert_frame_equal(loaded, pd.read_csv(src), check_dtype=False)

    prev = ds.preview(5)
    assert list(prev.columns) == ["a", "b", "c"] and len(prev) == 5
    st = ds.stats()
    assert st.loc["a", "mean"] == pytest.approx(df["a"].mean())
    assert st.loc["a", "missing"] == df["a"].isna().sum()
    assert st.loc["a", "std"] == pytest.approx(df["a"].std())
    assert st.loc["c", "max"] == df["c"].max()

    v2 = ds.process([mh.data.ops.dropna(subset=["b"]), mh.data.ops.standardize(["a"])], message="clean")
    assert v2.version == 2 and v2.info["parent_version"] == 1
    assert [op["op"] for op in v2.lineage["ops"]] == ["dropna", "standardize"]
    out = v2.to_pandas()
    expected = df.dropna(subset=["b"])
    assert len(out) == len(expected) and out["b"].notna().all()
    assert out["a"].mean() == pytest.approx(0, abs=1e-9)

    v3 = mh.datasets.get("my_dataset").rollback(1)
    assert v3.version == 3 and v3.info["content_sha256"] == ds.info["content_sha256"]
    pd.testing.assert_frame_equal(v3.to_pandas(), loaded)
    assert [v.version for v in ds.versions()] == [3, 2, 1]
    assert [v.message for v in ds.versions()][1] == "clean"
    d = v2.diff()
    assert (d["old"], d["new"]) == (1, 2) and d["rows"]["new"] == len(expected)
    assert mh.datasets.get("my_dataset", version=2).version == 2

    listing = mh.datasets.list(q="demo")
    assert [(d.name, d.latest_version) for d in listing] == [("my_dataset", 3)]


def test_dataframe_folder_and_conflicts(server, tmp_path):  # type: ignore[no-untyped-def]
    df = frame()
    with pytest.raises(MLHubError, match="name="):
        mh.datasets.upload(df)
    ds = mh.datasets.upload(df, name="frame", visibility="public")
    assert ds.info["format"] == "parquet" and ds.info["num_rows"] == len(df)
    with pytest.raises(MLHubError) as e:
        mh.datasets.upload(df.head(3), name="frame")
    assert e.value.code == ErrorCode.CONFLICT
    assert mh.datasets.upload(df.head(3), name="frame", new_version=True).version == 2

    folder = tmp_path / "pets"
    for cls, colour in (("cat", 10), ("dog", 240)):
        (folder / cls).mkdir(parents=True)
        for i in range(2):
            Image.fromarray(np.full((6, 6 + i), colour, np.uint8)).save(folder / cls / f"{i}.png")
    imgs = mh.datasets.upload(folder)
    assert imgs.name == "pets" and imgs.kind == "images"
    assert imgs.stats()["classes"] == {"cat": 2, "dog": 2}
    table = imgs.to_pandas()
    assert sorted(table["class"].unique()) == ["cat", "dog"] and len(table) == 4
    with zipfile.ZipFile(imgs.download()) as zf:
        assert sorted(zf.namelist())[0] == "pets/cat/0.png"
    with pytest.raises(MLHubError, match="tables"):
        imgs.process([mh.data.ops.dropna()])


def test_bad_file_and_interrupted_upload_resumes(server, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    bad = tmp_path / "ragged.csv"
    bad.write_text("a,b\n1,2\n3,4,5\n")
    with pytest.raises(MLHubError) as e:
        mh.datasets.upload(bad)
    assert e.value.code == ErrorCode.INVALID and "line 3" in e.value.message
    assert mh.datasets.list() == []

    big = tmp_path / "big.csv"
    big.write_text("x\n" + "".join(f"{i}\n" for i in range(60_000)))
    http = mh.datasets._client()
    calls = {"n": 0}
    real = http.request

    def flaky(method, path, **kw):  # type: ignore[no-untyped-def]
        if method == "PUT":
            calls["n"] += 1
            if calls["n"] == 3:
                raise MLHubError(ErrorCode.FORBIDDEN, "connection dropped (simulated)")
        return real(method, path, **kw)

    area = Path(server.data_dir) / "artifacts" / "uploads"
    before = {p.name for p in area.iterdir()}
    monkeypatch.setattr(http, "request", flaky)
    with pytest.raises(MLHubError, match="simulated"):
        uploads.upload_file(http, big, chunk_size=64 * 1024, parallel=1)
    monkeypatch.setattr(http, "request", real)
    # The interrupted upload is the new folder in the server's upload area; resume it by id.
    (up_id,) = {p.name for p in area.iterdir()} - before
    state = http.get(f"uploads/{up_id}")
    assert state["received_bytes"] == 2 * 64 * 1024 and state["status"] == "open"
    seen: list[int] = []
    done = uploads.upload_file(http, big, resume=up_id, progress=lambda n, total: seen.append(n))
    assert done["status"] == "complete" and seen[0] == 2 * 64 * 1024 and seen[-1] == big.stat().st_size
    reg = http.post("datasets", json={"upload_id": done["id"]})
    assert reg["version"]["num_rows"] == 60_000
