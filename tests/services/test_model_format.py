"""Serving never unpickles in a shared registry: skops files with a trusted-types check."""
from __future__ import annotations

import pickle

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import BaseEstimator
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.services.model_format import load_skops, skops_to_pickle, to_skops
from mlhub_ext.services.predictions import ServingCache


class Sneaky(BaseEstimator):
    """Stands for any class outside scikit-learn, NumPy and SciPy."""

    def fit(self, X, y):  # type: ignore[no-untyped-def]
        return self

    def predict(self, X):  # type: ignore[no-untyped-def]
        return np.zeros(len(X))


def test_round_trip_keeps_predictions() -> None:
    X, y = load_iris(return_X_y=True)
    model = make_pipeline(StandardScaler(), RandomForestClassifier(5, random_state=0)).fit(X, y)
    data = to_skops(pickle.dumps(model))
    assert not data.startswith(b"\x80")                   # a zip, not a pickle stream
    np.testing.assert_array_equal(load_skops(data).predict(X), model.predict(X))
    np.testing.assert_array_equal(pickle.loads(skops_to_pickle(data)).predict(X), model.predict(X))


def test_untrusted_types_are_refused_without_loading() -> None:
    data = sio.dumps(Sneaky())
    with pytest.raises(MLHubError) as e:
        load_skops(data)
    assert e.value.code == ErrorCode.INVALID and "Sneaky" in e.value.message
    with pytest.raises(MLHubError):
        load_skops(b"not a zip")


def test_shared_registry_refuses_pickles_local_mode_serves_them() -> None:
    X, y = load_iris(return_X_y=True)
    blob = pickle.dumps(RandomForestClassifier(3).fit(X, y))
    shared = ServingCache(allow_pickle=False)
    with pytest.raises(MLHubError) as e:
        shared.get("k", lambda: (blob, "sklearn-pickle"))
    assert "pickle" in e.value.message
    with pytest.raises(MLHubError):
        shared.get("c", lambda: (blob, "custom"))
    local = ServingCache(allow_pickle=True)
    assert local.get("k", lambda: (blob, "sklearn-pickle")).predict(X[:2]).shape == (2,)
    assert shared.get("s", lambda: (to_skops(blob), "sklearn")).predict(X[:2]).shape == (2,)


def test_trees_with_out_of_range_nodes_are_refused() -> None:
    from mlhub_ext.services.model_format import check_trees

    X, y = load_iris(return_X_y=True)
    forest = make_pipeline(StandardScaler(), RandomForestClassifier(4, random_state=0)).fit(X, y)
    assert check_trees(load_skops(to_skops(pickle.dumps(forest)))) == 4
    tree = forest[-1].estimators_[2].tree_
    state = tree.__getstate__()
    nodes = state["nodes"].copy()
    nodes["left_child"][0] = 10_000                      # points far outside the node array
    tree.__setstate__({**state, "nodes": nodes})
    with pytest.raises(MLHubError) as e:
        load_skops(sio.dumps(forest))
    assert "out of range" in e.value.message


def test_one_pass_predictions_equal_the_train_layers() -> None:
    from sklearn.linear_model import LogisticRegression

    from mlhub_ext.services.predictions import serve_predict
    from mlhub_ext.train.predict import predict

    import pandas as pd

    data, y = load_iris(return_X_y=True)
    X = pd.DataFrame(data, columns=[f"f{i}" for i in range(4)])
    names = np.asarray(["setosa", "versicolor", "virginica"])[y]
    schema = [{"name": f"f{i}", "dtype": "float"} for i in range(4)]
    rows = data[::7].tolist()
    for model in (RandomForestClassifier(20, random_state=0).fit(X, names),
                  make_pipeline(StandardScaler(), RandomForestClassifier(5, random_state=0)).fit(X, y),
                  LogisticRegression(max_iter=500).fit(X, names)):
        assert serve_predict(model, rows, schema) == predict(model, rows, schema)


def test_cached_tree_predictors_answer_as_the_train_layer() -> None:
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import LogisticRegression

    from mlhub_ext.services.predictions import serve_predict
    from mlhub_ext.train.predict import predict

    import pandas as pd

    data, y = load_iris(return_X_y=True)
    X = pd.DataFrame(data, columns=[f"f{i}" for i in range(4)])
    names = np.asarray(["setosa", "versicolor", "virginica"])[y]
    schema = [{"name": f"f{i}", "dtype": "float"} for i in range(4)]
    records = [dict(zip(X.columns, r)) for r in data[::9].tolist()]
    cache = ServingCache(allow_pickle=False, max_bytes=1)             # room for one model at a time
    forest = RandomForestClassifier(30, random_state=0).fit(X, names)
    model = cache.get("rf", lambda: (to_skops(pickle.dumps(forest)), "sklearn"))
    fast = cache.predictor("rf", model, schema)
    assert fast is not None and cache.predictor("rf", model, schema) is fast       # built once
    assert serve_predict(model, records, schema, fast) == predict(model, records, schema)
    with pytest.raises(MLHubError) as e:                                             # same checks as the slow path
        serve_predict(model, [[1.0, 2.0, "x", 4.0]], schema, fast)
    assert e.value.code == ErrorCode.INVALID and "f2" in e.value.message

    reg = RandomForestRegressor(10, random_state=0).fit(X, y.astype(float))
    model = cache.get("reg", lambda: (to_skops(pickle.dumps(reg)), "sklearn"))
    assert "rf" not in cache._predictors                                            # evicted with its model
    fast = cache.predictor("reg", model, schema)
    assert fast is not None
    assert serve_predict(model, records, schema, fast) == predict(model, records, schema)

    logistic = LogisticRegression(max_iter=500).fit(X, names)
    model = cache.get("lr", lambda: (to_skops(pickle.dumps(logistic)), "sklearn"))
    assert cache.predictor("lr", model, schema) is None
    strings = [{"name": "f0", "dtype": "float"}, {"name": "kind", "dtype": "string"}]
    assert ServingCache(allow_pickle=True).predictor("x", forest, strings) is None     # not all numeric
