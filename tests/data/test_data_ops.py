import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import mlhub_ext.data as data
from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.data import ops
from mlhub_ext.data.expr import check_filter


@pytest.fixture()
def df():
    return pd.DataFrame({
        "a": [1.0, 2.0, np.nan, 4.0, 4.0],
        "b": ["x", None, "y", "x", "x"],
        "c": [10, 20, 30, 40, 40],
    })


def _invalid(fn, *args, **kwargs) -> MLHubError:
    with pytest.raises(MLHubError) as err:
        fn(*args, **kwargs)
    assert err.value.code == ErrorCode.INVALID
    return err.value


def test_ops_reachable_through_the_package():
    assert data.ops.dropna(subset=["b"]) == {"op": "dropna", "subset": ["b"], "how": "any"}


def test_specs_are_json_serialisable_and_revalidate():
    specs = [ops.dropna(subset=["b"]), ops.fillna(["a"], strategy="median"), ops.drop_duplicates(),
             ops.drop_columns(["c"]), ops.rename_columns({"a": "alpha"}), ops.cast({"c": "float"}),
             ops.filter_rows("a > 1"), ops.minmax(["a"]), ops.standardize(["a"]), ops.one_hot(["b"]),
             ops.train_test_split(0.25, seed=3), ops.custom(lambda d: d)]
    for spec in json.loads(json.dumps(specs)):
        assert ops.validate_op(spec) == spec if spec["op"] != "custom" else ops.validate_op(spec)


def test_dropna(df):
    out = ops.apply_ops(df, [ops.dropna(subset=["b"])])
    assert out["b"].tolist() == ["x", "y", "x", "x"]
    assert len(ops.apply_ops(df, [ops.dropna()])) == 3
    assert len(df) == 5  # input untouched


@pytest.mark.parametrize("strategy, expected", [("mean", 11 / 4), ("median", 3.0), ("mode", 4.0)])
def test_fillna_strategies(df, strategy, expected):
    out = ops.apply_ops(df, [ops.fillna(["a"], strategy=strategy)])
    assert out["a"].iloc[2] == pytest.approx(expected)


def test_fillna_constant_and_all_columns(df):
    out = ops.apply_ops(df, [ops.fillna(["b"], strategy="constant", value="none")])
    assert out["b"].iloc[1] == "none"
    out = ops.apply_ops(df, [ops.fillna(strategy="mode")])
    assert not out.isna().any().any()
    out = ops.apply_ops(df, [ops.fillna(strategy="mean")])  # numeric columns only
    assert out["a"].isna().sum() == 0 and out["b"].isna().sum() == 1


def test_fillna_refuses_mean_of_text(df):
    err = _invalid(ops.apply_ops, df, [ops.fillna(["b"], strategy="mean")])
    assert err.message.startswith("op 0 (fillna): column 'b' is not numeric")


def test_fillna_argument_checks():
    assert "strategy" in _invalid(ops.fillna, ["a"], strategy="magic").message
    assert "needs a value" in _invalid(ops.fillna, ["a"], strategy="constant").message


def test_drop_duplicates(df):
    assert len(ops.apply_ops(df, [ops.drop_duplicates()])) == 4
    assert len(ops.apply_ops(df, [ops.drop_duplicates(subset=["b"])])) == 3


def test_drop_rename_cast(df):
    out = ops.apply_ops(df, [ops.drop_columns(["b"]), ops.rename_columns({"a": "alpha"}),
                             ops.cast({"c": "float", "alpha": "str"})])
    assert list(out.columns) == ["alpha", "c"]
    assert out["c"].dtype == np.float64 and out["alpha"].iloc[0] == "1.0"


def test_cast_errors_name_the_column(df):
    err = _invalid(ops.apply_ops, df, [ops.cast({"a": "int"})])
    assert "op 0 (cast): column 'a' has 1 missing values" in err.message
    err = _invalid(ops.apply_ops, df.dropna(), [ops.cast({"b": "int"})])
    assert "cannot cast column 'b' to 'int'" in err.message
    assert "unknown type" in _invalid(ops.cast, {"a": "complex"}).message
    dates = ops.apply_ops(pd.DataFrame({"d": ["2020-01-02", "2021-03-04"]}), [ops.cast({"d": "datetime"})])
    assert str(dates["d"].dtype).startswith("datetime64")


def test_rename_collision(df):
    assert "duplicate column names ['c']" in _invalid(ops.apply_ops, df, [ops.rename_columns({"a": "c"})]).message


def test_unknown_column_names_op_index(df):
    err = _invalid(ops.apply_ops, df, [ops.dropna(subset=["b"]), ops.drop_columns(["zzz"])])
    assert err.message == "op 1 (drop_columns): unknown column 'zzz'; columns are a, b, c"
    assert err.details["op_index"] == 1


def test_unknown_op_and_bad_args(df):
    assert "op 0: unknown operation 'explode'" in _invalid(ops.apply_ops, df, [{"op": "explode"}]).message
    assert "bad arguments" in _invalid(ops.apply_ops, df, [{"op": "dropna", "colums": ["a"]}]).message
    assert "must be a dict" in _invalid(ops.apply_ops, df, ["dropna"]).message


def test_filter_rows(df):
    out = ops.apply_ops(df, [ops.filter_rows("a >= 2 and b == 'x'")])
    assert out["c"].tolist() == [40, 40]
    out = ops.apply_ops(df, [ops.filter_rows("b in ['x', 'y'] and not (c > 30)")])
    assert out["c"].tolist() == [10, 30]
    spaced = df.rename(columns={"c": "my col"})
    assert len(ops.apply_ops(spaced, [ops.filter_rows("`my col` * 2 > 50")])) == 3


@pytest.mark.parametrize("expr, problem", [
    ("a.__class__", "attribute access"),
    ("__import__('os').system('x')", "function calls"),
    ("a[0] > 1", "subscripts"),
    ("a > @limit", "local variables"),
    ("(lambda: 1)()", "function calls"),
    ("zzz > 1", "unknown column 'zzz'"),
    ("a > ", "not valid"),
    ("a if b else c", "conditional"),
    ("__builtins__ > 1", "reserved name"),
])
def test_filter_refuses_unsafe_or_wrong_expressions(df, expr, problem):
    err = _invalid(ops.apply_ops, df, [ops.filter_rows(expr)])
    assert err.message.startswith("op 0 (filter_rows): ") and problem in err.message


def test_check_filter_reports_columns():
    assert check_filter("a > 1 or `b c` == 'x'", ["a", "b c", "d"]) == {"a", "b c"}


def test_filter_type_mismatch_is_reported(df):
    err = _invalid(ops.apply_ops, df, [ops.filter_rows("b > 3")])
    assert "cannot evaluate" in err.message


def test_minmax_and_standardize(df):
    out = ops.apply_ops(df, [ops.minmax(["a", "c"]), ops.standardize(["a"])])
    mm = (df["c"] - 10) / 30
    assert np.allclose(out["c"], mm)
    a = (df["a"] - 1) / 3
    assert np.allclose(out["a"].dropna(), ((a - a.mean()) / a.std(ddof=0)).dropna())
    const = ops.apply_ops(pd.DataFrame({"k": [5, 5, 5]}), [ops.minmax(["k"]), ops.standardize(["k"])])
    assert const["k"].tolist() == [0.0, 0.0, 0.0]
    assert "is not numeric" in _invalid(ops.apply_ops, df, [ops.standardize(["b"])]).message


def test_one_hot(df):
    out = ops.apply_ops(df, [ops.one_hot(["b"])])
    assert [c for c in out.columns if c.startswith("b_")] == ["b_x", "b_y"]
    assert out["b_x"].tolist() == [1, 0, 0, 1, 1]


def test_train_test_split_is_deterministic():
    frame = pd.DataFrame({"v": range(100)})
    a = ops.apply_ops(frame, [ops.train_test_split(test_size=0.2, seed=7)])
    b = ops.apply_ops(frame, [ops.train_test_split(test_size=0.2, seed=7)])
    c = ops.apply_ops(frame, [ops.train_test_split(test_size=0.2, seed=8)])
    assert (a["split"] == "test").sum() == 20
    assert a["split"].tolist() == b["split"].tolist() != c["split"].tolist()
    train, test = ops.split_frames(a)
    assert len(train) == 80 and len(test) == 20 and "split" not in train.columns
    assert "already exists" in _invalid(ops.apply_ops, a, [ops.train_test_split()]).message
    assert "between 0 and 1" in _invalid(ops.train_test_split, test_size=1.5).message


def double_c(frame):
    frame["c"] = frame["c"] * 2
    return frame


def test_custom_function_runs_and_records_source(df):
    spec = ops.custom(double_c)
    restored = json.loads(json.dumps(spec))
    out = ops.apply_ops(df, [restored])
    assert out["c"].tolist() == [20, 40, 60, 80, 80] and df["c"].tolist()[0] == 10
    assert spec["name"] == "double_c" and "frame['c'] * 2" in spec["source"].replace('"', "'")
    assert ops.lineage([spec])[0] == {k: v for k, v in spec.items() if k != "pickle"}


def test_custom_function_errors_are_reported(df):
    err = _invalid(ops.apply_ops, df, [ops.dropna(), ops.custom(lambda d: d["nope"])])
    assert err.message.startswith("op 1 (custom ") and "KeyError" in err.message
    err = _invalid(ops.apply_ops, df, [ops.custom(lambda d: 3)])
    assert "returned int, not a DataFrame" in err.message
    assert "pickled function" in _invalid(ops.apply_ops, df, [{"op": "custom", "name": "x"}]).message


def test_apply_ops_accepts_arrow_tables(df):
    out = ops.apply_ops(pa.Table.from_pandas(df, preserve_index=False), [ops.dropna()])
    assert isinstance(out, pd.DataFrame) and len(out) == 3
