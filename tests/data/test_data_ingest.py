import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.data.ingest import ingest, ingest_dataframe
from mlhub_ext.data.parquet import load_pandas


def test_ingest_table(tmp_path):
    src = tmp_path / "My DataSet.csv"
    pd.DataFrame({"a": [1, 2, None], "b": ["x", "y", "z"]}).to_csv(src, index=False)
    result = ingest(src, tmp_path / "v1.parquet")
    assert result["kind"] == "table" and result["format"] == "csv" and result["num_rows"] == 3
    assert result["stats"]["columns"][0]["missing"] == 1
    assert load_pandas(tmp_path / "v1.parquet")["b"].tolist() == ["x", "y", "z"]


def test_ingest_images_zip(tmp_path):
    src = tmp_path / "imgs.zip"
    with zipfile.ZipFile(src, "w") as zf:
        for cls in ("cat", "dog"):
            buf = io.BytesIO()
            Image.fromarray(np.full((4, 6), 200, np.uint8)).save(buf, format="PNG")
            zf.writestr(f"{cls}/1.png", buf.getvalue())
    result = ingest(src, tmp_path / "unused.parquet")
    assert result["kind"] == "images" and result["manifest"]["classes"] == {"cat": 1, "dog": 1}
    assert result["manifest"]["size_distribution"] == [{"width": 6, "height": 4, "count": 2}]
    assert not (tmp_path / "unused.parquet").exists()


def test_ingest_dataframe(tmp_path):
    result = ingest_dataframe(pd.DataFrame({"v": [1.0, 2.0, 4.0]}), tmp_path / "df.parquet")
    assert result["format"] == "dataframe" and result["stats"]["columns"][0]["mean"] == pytest.approx(7 / 3)


def test_ingest_refuses_bad_input_without_writing(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_bytes(b"")
    with pytest.raises(MLHubError):
        ingest(src, tmp_path / "v1.parquet")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
