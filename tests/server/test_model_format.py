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
from mlhub_ext.server.model_format import load_skops, skops_to_pickle, to_skops
from mlhub_ext.server.serving import ServingCache


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
    from mlhub_ext.server.model_format import check_trees

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

    from mlhub_ext.server.serving import serve_predict
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
