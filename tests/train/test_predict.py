"""Prediction inputs are checked against the model's input schema."""
from __future__ import annotations

import numpy as np
import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.train.predict import check_inputs, load_model, predict

SCHEMA = [{"name": "sepal_length", "dtype": "float"}, {"name": "sepal_width", "dtype": "float"},
          {"name": "petal_length", "dtype": "float"}, {"name": "petal_width", "dtype": "float"}]
MIXED = [{"name": "age", "dtype": "int"}, {"name": "city", "dtype": "string"},
         {"name": "member", "dtype": "bool"}]


def test_rows_as_lists_records_or_one_row():
    frame = check_inputs([[5.1, 3.5, 1.4, 0.2], [6, 3, 5, 2]], SCHEMA)
    assert list(frame.columns) == [c["name"] for c in SCHEMA] and frame.shape == (2, 4)
    rec = check_inputs([{"petal_width": 0.2, "sepal_length": 5.1, "sepal_width": 3.5,
                         "petal_length": 1.4}], SCHEMA)
    assert rec.iloc[0].tolist() == [5.1, 3.5, 1.4, 0.2]
    assert check_inputs([5.1, 3.5, 1.4, 0.2], SCHEMA).shape == (1, 4)
    assert check_inputs({"age": 3, "city": "Oslo", "member": True}, MIXED).shape == (1, 3)


@pytest.mark.parametrize("inputs,needle", [
    ([[5.1, 3.5, 1.4]], "3 value(s)"),
    ([[5.1, 3.5, 1.4, "wide"]], "'petal_width' must be float"),
    ([[5.1, 3.5, 1.4, None]], "row 0: feature 'petal_width' is missing (null), and this model version was "
                              "trained without missing values"),
    ([[5.1, 3.5, 1.4, True]], "'petal_width' must be float"),
    ([{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4}], "missing feature(s) ['petal_width']"),
    ([{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 1, "x": 2}],
     "unknown feature(s) ['x']"),
    ([], "no inputs"),
    ("5.1,3.5", "list of rows"),
    ([7], "1 value(s)"),
])
def test_bad_inputs_name_the_schema(inputs, needle):
    with pytest.raises(MLHubError) as err:
        check_inputs(inputs, SCHEMA)
    assert err.value.code == ErrorCode.INVALID
    assert needle in err.value.message
    assert "sepal_length (float), sepal_width (float), petal_length (float), petal_width (float)" \
        in err.value.message or needle == "list of rows"


@pytest.mark.parametrize("row,needle", [([1.5, "Oslo", True], "'age' must be int"),
                                        ([1, 7, True], "'city' must be string"),
                                        ([1, "Oslo", "yes"], "'member' must be bool")])
def test_types_per_column(row, needle):
    with pytest.raises(MLHubError, match=needle):
        check_inputs([row], MIXED)


def test_image_inputs():
    schema = [{"name": "image", "dtype": "image", "shape": [1, 8, 8]}]
    from .conftest import png_bytes

    arr = check_inputs([png_bytes(np.full((8, 8), 16.0)), np.zeros((16, 16)), {"image": [[0.5] * 8] * 8}],
                       schema)
    assert arr.shape == (3, 1, 8, 8) and arr[0].max() == pytest.approx(1.0)
    with pytest.raises(MLHubError, match="not an image"):
        check_inputs(["/etc/passwd.png"], schema)
    with pytest.raises(MLHubError, match="not an image"):
        check_inputs([3.0], schema)
    with pytest.raises(MLHubError, match="could not decode"):
        check_inputs([b"\x89PNG garbage"], schema)


def test_predict_and_load(iris):
    import pickle

    from sklearn.tree import DecisionTreeClassifier

    model = DecisionTreeClassifier(random_state=0).fit(iris[[c["name"] for c in SCHEMA]], iris["species"])
    loaded = load_model(pickle.dumps(model), "sklearn")
    out = predict(loaded, [[5.1, 3.5, 1.4, 0.2]], SCHEMA)
    assert out == [{"prediction": "setosa",
                    "probabilities": {"setosa": 1.0, "versicolor": 0.0, "virginica": 0.0}}]
    with pytest.raises(MLHubError, match="own cluster"):
        load_model(b"anything", "custom")
    with pytest.raises(MLHubError, match="model type"):
        load_model(b"anything", "onnx")
    with pytest.raises(MLHubError):
        load_model(b"garbage", "sklearn")


def test_regressor_outputs_have_no_probabilities():
    from sklearn.linear_model import LinearRegression

    schema = [{"name": "x", "dtype": "float"}]
    import pandas as pd

    model = LinearRegression().fit(pd.DataFrame({"x": [0.0, 1.0, 2.0]}), [1.0, 3.0, 5.0])
    assert predict(model, [[3.0]], schema) == [{"prediction": pytest.approx(7.0)}]


def test_model_cache_is_bounded_and_lru():
    import pickle

    from sklearn.dummy import DummyClassifier

    from mlhub_ext.train.cache import ModelCache

    blob = pickle.dumps(DummyClassifier().fit([[0], [1]], [0, 1]))
    cache = ModelCache(max_bytes=2 * len(blob))
    loads = []

    def fetch():
        loads.append(1)
        return blob, "sklearn"

    a = cache.get("a", fetch)
    assert cache.get("a", fetch) is a and len(loads) == 1
    cache.get("b", fetch)
    cache.get("a", fetch)            # a is now the most recent
    cache.get("c", fetch)            # evicts b
    assert len(cache) == 2 and cache.size_bytes <= 2 * len(blob)
    cache.get("a", fetch)
    assert len(loads) == 3
    cache.get("b", fetch)
    assert len(loads) == 4 and (cache.hits, cache.misses) == (3, 4)


def test_model_cache_keeps_a_model_larger_than_its_bound_alone():
    import pickle

    from sklearn.dummy import DummyClassifier

    from mlhub_ext.train.cache import ModelCache

    blob = pickle.dumps(DummyClassifier().fit([[0], [1]], [0, 1]))
    cache = ModelCache(max_bytes=len(blob) // 2)
    big = cache.get("big", lambda: (blob, "sklearn"))
    assert cache.get("big", lambda: pytest.fail("loaded again")) is big
    assert len(cache) == 1 and cache.size_bytes == len(blob)
    cache.get("next", lambda: (blob, "sklearn"))     # the next one takes its place
    assert len(cache) == 1 and cache.misses == 2
    cache.discard("next")
    assert len(cache) == 0 and cache.size_bytes == 0


def test_float_rows_make_the_same_frame_as_the_column_casts():
    frame = check_inputs([[5, 3.5, 1.4, 0.2], [6.25, 3, 5, 2]], SCHEMA)
    assert list(frame.dtypes) == [np.dtype("float64")] * 4
    assert frame.to_numpy().tolist() == [[5.0, 3.5, 1.4, 0.2], [6.25, 3.0, 5.0, 2.0]]
    mixed = check_inputs([[3, "Oslo", True]], MIXED)
    assert (str(mixed.dtypes["age"]), str(mixed.dtypes["member"])) == ("int64", "float64")


def test_pipelines_transform_once_for_both_answers():
    import pandas as pd
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from mlhub_ext.train.predict import through_transforms

    data = load_iris()
    X = pd.DataFrame(data.data, columns=[c["name"] for c in SCHEMA])
    pipe = Pipeline([("scale", StandardScaler()), ("skip", "passthrough"),
                     ("model", LogisticRegression(max_iter=500))]).fit(X, data.target_names[data.target])
    final, Xt = through_transforms(pipe, X)
    assert final is pipe.steps[-1][1]
    np.testing.assert_array_equal(final.predict_proba(Xt), pipe.predict_proba(X))
    rows = data.data[::10].tolist()
    out = predict(pipe, rows, SCHEMA)
    assert [o["prediction"] for o in out] == pipe.predict(X.iloc[::10]).tolist()
    assert [list(o["probabilities"].values()) for o in out] == pipe.predict_proba(X.iloc[::10]).tolist()
    plain = LogisticRegression(max_iter=500).fit(X, data.target)
    assert through_transforms(plain, X) == (plain, X)
