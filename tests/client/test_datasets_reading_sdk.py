"""``mh.datasets`` with real-world data against a real `mlhub serve` (worker process included):
64-bit integers, mixed-type DataFrames, blank headers, workbook sheets (issue 12, items 1-4)."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

import mlhub_ext as mh
from mlhub_ext.core.errors import ErrorCode, MLHubError


@pytest.fixture
def server(mlhub_server, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MLHUB_URL", mlhub_server.url)
    monkeypatch.setenv("MLHUB_TOKEN", mlhub_server.token)
    monkeypatch.setenv("MLHUB_CACHE_DIR", str(tmp_path / "cache"))
    return mlhub_server


def _invalid(fn, *args, **kwargs) -> MLHubError:  # type: ignore[no-untyped-def]
    with pytest.raises(MLHubError) as err:
        fn(*args, **kwargs)
    assert err.value.code == ErrorCode.INVALID, err.value
    return err.value


def test_tweet_ids_round_trip_exactly(server, tmp_path):  # type: ignore[no-untyped-def]
    src = tmp_path / "tweet ids.csv"
    src.write_text("id\n1577134800018164904\n1577134800018267738\n")
    ds = mh.datasets.upload(src)
    assert (ds.name, ds.info["num_rows"]) == ("tweet_ids", 2)
    df = mh.datasets.get("tweet_ids").to_pandas()
    assert str(df["id"].dtype) == "int64"
    assert df["id"].tolist() == [1577134800018164904, 1577134800018267738]
    assert ds.preview()["id"].tolist() == [1577134800018164904, 1577134800018267738]
    stats = ds.stats()
    assert stats.loc["id", "min"] == 1577134800018164904 and stats.loc["id", "max"] == 1577134800018267738
    assert stats.loc["id", "count"] == 2 and stats.loc["id", "unique"] == 2


def test_integers_with_missing_values_stay_exact(server, tmp_path):  # type: ignore[no-untyped-def]
    src = tmp_path / "gappy.csv"
    src.write_text("id,u\n9007199254740993,\n,18446744073709551615\n-9223372036854775808,1\n")
    df = mh.datasets.upload(src).to_pandas()
    assert str(df["id"].dtype) == "Int64"
    assert df["id"].tolist()[0] == 9007199254740993 and df["id"].tolist()[2] == -9223372036854775808
    assert df["id"].isna().tolist() == [False, True, False]
    # 18446744073709551615 does not fit int64: the column is uint64, nullable here, exact.
    assert str(df["u"].dtype) == "UInt64" and df["u"].tolist()[1:] == [18446744073709551615, 1]
    assert mh.datasets.get("gappy").to_pandas(columns=["id"]).columns.tolist() == ["id"]
    err = _invalid(mh.datasets.get("gappy").to_pandas, columns=["nope"])
    assert "has no column 'nope'; its columns are id, u" in err.message
    # Processing such a column in the kernel works as it did on float64 columns.
    counts = mh.datasets.upload(pd.DataFrame({"n": pd.array([1, None, 4], dtype="Int64")}), name="counts")
    filled = counts.process([mh.data.ops.fillna(["n"], "mean")]).to_pandas()
    assert filled["n"].tolist() == [1.0, 2.5, 4.0]


def test_mixed_type_dataframe_becomes_text(server):  # type: ignore[no-untyped-def]
    ds = mh.datasets.upload(pd.DataFrame({"code": [1, 2, "A7"], "y": [0.1, 0.2, 0.3]}), name="codes")
    assert ds.schema == [{"name": "code", "type": "string"}, {"name": "y", "type": "double"}]
    assert ds.lineage["reading"] == {"text_columns": ["code"]}
    df = mh.datasets.get("codes").to_pandas()
    assert df["code"].tolist() == ["1", "2", "A7"] and df["y"].tolist() == [0.1, 0.2, 0.3]
    # The same rule when processing produces such a column.
    v2 = ds.process([mh.data.ops.custom(lambda d: d.assign(y=[1, "x", None]))], message="mixed")
    y = v2.to_pandas()["y"].tolist()
    assert y[:2] == ["1", "x"] and pd.isna(y[2])
    assert v2.lineage["reading"] == {"text_columns": ["y"]}


def test_dataframes_the_registry_cannot_store_raise_mlhub_errors(server):  # type: ignore[no-untyped-def]
    err = _invalid(mh.datasets.upload, pd.DataFrame([[1, 2]], columns=["a", "a"]), name="dupes")
    assert err.message == "the DataFrame for 'dupes': the header repeats column names ['a']; " \
                          "give each column its own name"
    err = _invalid(mh.datasets.upload, pd.DataFrame({"z": np.array([1 + 2j])}), name="complex")
    assert "column 'z' of dtype complex128 cannot be stored" in err.message
    err = _invalid(mh.datasets.upload, [[1, 2]], name="rows")
    assert err.message == "mh.datasets.upload takes the path of a file, folder or zip, or a pandas DataFrame; " \
                          "not a list"
    ds = mh.datasets.upload(pd.DataFrame([[1, 2]], columns=["", "b"]), name="blank_names")
    assert [c["name"] for c in ds.schema] == ["column_1", "b"]


def test_workbook_sheet_choice(server, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "survey.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "about"
    wb.active["A1"] = "data are on the next sheet"
    data = wb.create_sheet("data")
    for row in (["q", None, "score"], ["a", 1, 0.5], ["b", 2, 1.5]):
        data.append(row)
    wb.save(path)

    ds = mh.datasets.upload(path)
    assert ds.info["num_rows"] == 2
    assert ds.manifest["reading"] == {
        "renamed_columns": [{"position": 2, "original": "", "name": "column_2"}],
        "sheet": "data", "sheets": ["about", "data"]}
    assert ds.to_pandas().to_dict("list") == {"q": ["a", "b"], "column_2": [1, 2], "score": [0.5, 1.5]}
    note = mh.datasets.upload(path, name="survey_note", sheet="about")
    assert note.info["num_rows"] == 0 and note.manifest["reading"]["sheet"] == "about"
    err = _invalid(mh.datasets.upload, path, name="survey_bad", sheet="Data")
    assert err.message == "survey.xlsx has no sheet 'Data'; its sheets are 'about', 'data'"
