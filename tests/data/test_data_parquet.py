import numpy as np
import pandas as pd
import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.data.parquet import convert_to_parquet, load_pandas, read_parquet, to_parquet


def test_convert_csv_keeps_types_and_computes_stats(tmp_path):
    df = pd.DataFrame({"a": np.arange(1000) / 7, "b": np.arange(1000), "s": ["u", "v"] * 500,
                       "t": pd.date_range("2022-01-01", periods=1000, freq="D").strftime("%Y-%m-%d")})
    src = tmp_path / "My Data.csv"
    df.to_csv(src, index=False)
    result = convert_to_parquet(src, tmp_path / "out" / "data.parquet")
    assert result["format"] == "csv" and result["num_rows"] == 1000
    assert result["schema"] == [{"name": "a", "type": "double"}, {"name": "b", "type": "int64"},
                                {"name": "s", "type": "string"}, {"name": "t", "type": "date32[day]"}]
    assert result["stats"]["columns"][1]["mean"] == pytest.approx(499.5)
    loaded = load_pandas(tmp_path / "out" / "data.parquet")
    expected = pd.read_csv(src)
    assert np.allclose(loaded["a"], expected["a"]) and loaded["b"].tolist() == expected["b"].tolist()
    assert str(loaded["t"].iloc[0]).startswith("2022-01-01")
    assert result["stats"]["columns"][3]["max"] == "2024-09-26" and result["stats"]["columns"][3]["unique"] == 1000
    assert result["bytes"] == (tmp_path / "out" / "data.parquet").stat().st_size


def test_failed_conversion_leaves_nothing(tmp_path):
    src = tmp_path / "ragged.csv"
    src.write_text("a,b\n1,2\n3\n")
    with pytest.raises(MLHubError):
        convert_to_parquet(src, tmp_path / "out.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ragged.csv"]


def test_to_parquet_from_frame(tmp_path):
    df = pd.DataFrame({"x": [1, 2], "y": ["a", None]})
    info = to_parquet(df, tmp_path / "f.parquet")
    assert info["num_rows"] == 2 and info["schema"][1] == {"name": "y", "type": "string"}
    assert read_parquet(tmp_path / "f.parquet", columns=["x"]).column("x").to_pylist() == [1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.parquet"]


def test_image_collections_are_not_tables(tmp_path):
    (tmp_path / "imgs" / "a").mkdir(parents=True)
    with pytest.raises(MLHubError) as err:
        convert_to_parquet(tmp_path / "imgs", tmp_path / "x.parquet")
    assert "image collection" in err.value.message
