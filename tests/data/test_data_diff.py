import numpy as np
import pandas as pd

from mlhub_ext.data import ops
from mlhub_ext.data.diff import diff_rows, diff_schema, diff_stats, diff_tables
from mlhub_ext.data.stats import compute_stats


def _frame():
    return pd.DataFrame({"a": [1.0, 2.0, np.nan, 4.0], "b": ["x", "y", "z", "x"], "c": [1, 2, 3, 4]})


def test_identical_versions_have_no_changes(tmp_path):
    df = _frame()
    path = tmp_path / "v1.parquet"
    df.to_parquet(path)
    result = diff_tables(path, df.sample(frac=1, random_state=0))  # order does not matter
    assert result["schema"] == {"added": [], "removed": [], "retyped": []}
    assert result["rows"] == {"old": 4, "new": 4, "added": 0, "removed": 0, "unchanged": 4,
                              "compared_columns": ["a", "b", "c"]}
    assert result["stats"] == []


def test_schema_changes():
    old = _frame()
    new = ops.apply_ops(old, [ops.drop_columns(["b"]), ops.cast({"c": "float"})]).assign(d=1)
    result = diff_tables(old, new)
    assert result["schema"]["added"] == [{"name": "d", "type": "int64"}]
    assert result["schema"]["removed"] == [{"name": "b", "type": "string"}]
    assert result["schema"]["retyped"] == [{"name": "c", "old": "int64", "new": "double"}]
    assert result["rows"]["compared_columns"] == ["a"]
    assert result["rows"]["unchanged"] == 4


def test_rows_added_and_removed():
    old = _frame()
    new = pd.concat([old.iloc[[0, 1, 1]], pd.DataFrame({"a": [9.0], "b": ["q"], "c": [9]})], ignore_index=True)
    rows = diff_rows(old, new, ["a", "b", "c"])
    # rows 2 and 3 removed; a second copy of row 1 and the new row added
    assert rows == {"added": 2, "removed": 2, "unchanged": 2}


def test_stats_deltas_after_processing():
    old = _frame()
    new = ops.apply_ops(old, [ops.dropna(subset=["a"])])
    changes = {(c["column"], c["field"]): c for c in diff_tables(old, new)["stats"]}
    assert changes[("a", "missing")]["delta"] == -1
    assert changes[("b", "count")] == {"column": "b", "field": "count", "old": 4, "new": 3, "delta": -1}
    assert ("a", "mean") not in changes  # the mean of the non-missing values is unchanged


def test_diff_schema_and_stats_on_stored_results():
    s1 = compute_stats(pd.DataFrame({"t": pd.to_datetime(["2020-01-01"])}))
    s2 = compute_stats(pd.DataFrame({"t": pd.to_datetime(["2021-01-01"])}))
    change = diff_stats(s1, s2)
    assert {"column": "t", "field": "min", "old": "2020-01-01T00:00:00", "new": "2021-01-01T00:00:00",
            "delta": None} in change
    assert diff_schema([{"name": "x", "type": "int64"}], [{"name": "x", "type": "int64"}]) == \
        {"added": [], "removed": [], "retyped": []}
