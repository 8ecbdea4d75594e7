"""TreePredictor answers exactly as scikit-learn's own trees and forests do."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes, load_iris, make_classification
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, GradientBoostingClassifier,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlhub_ext.train.tree_predict import TreePredictor


def _iris() -> tuple[pd.DataFrame, np.ndarray]:
    data, y = load_iris(return_X_y=True)
    X = pd.DataFrame(data, columns=["sl", "sw", "pl", "pw"])
    return X, np.asarray(["setosa", "versicolor", "virginica"])[y]


@pytest.mark.parametrize("model", [RandomForestClassifier(60, random_state=0, max_depth=4),
                                   ExtraTreesClassifier(30, random_state=1),
                                   DecisionTreeClassifier(random_state=0, max_depth=3),
                                   RandomForestClassifier(25, random_state=2, class_weight="balanced")])
def test_classifiers_match_bit_for_bit(model) -> None:  # type: ignore[no-untyped-def]
    X, y = _iris()
    model.fit(X, y)
    fast = TreePredictor.compile(model, list(X.columns))
    assert fast is not None
    rows = X.to_numpy()
    np.testing.assert_array_equal(fast.predict_proba(rows), model.predict_proba(X))
    np.testing.assert_array_equal(fast.predict(rows), model.predict(X))
    one = rows[70:71]
    np.testing.assert_array_equal(fast.predict_proba(one), model.predict_proba(X.iloc[70:71]))


def test_integer_classes_and_plain_arrays() -> None:
    X, y = make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    model = RandomForestClassifier(20, random_state=0).fit(X, y + 10)
    fast = TreePredictor.compile(model)                 # fitted on an array: no feature names
    assert fast is not None and fast.classes.tolist() == [10, 11, 12]
    np.testing.assert_array_equal(fast.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(fast.predict(X), model.predict(X))


@pytest.mark.parametrize("model", [RandomForestRegressor(30, random_state=0), ExtraTreesRegressor(10, random_state=0),
                                   DecisionTreeRegressor(max_depth=5, random_state=0)])
def test_regressors_match_bit_for_bit(model) -> None:  # type: ignore[no-untyped-def]
    X, y = load_diabetes(return_X_y=True)
    model.fit(X, y)
    fast = TreePredictor.compile(model)
    assert fast is not None and fast.classes is None
    np.testing.assert_array_equal(fast.predict(X), model.predict(X))
    with pytest.raises(TypeError):
        fast.predict_proba(X)


def test_what_it_does_not_compile() -> None:
    X, y = _iris()
    names = list(X.columns)
    assert TreePredictor.compile(make_pipeline(StandardScaler(), RandomForestClassifier(3)).fit(X, y), names) is None
    assert TreePredictor.compile(GradientBoostingClassifier(n_estimators=3).fit(X, y), names) is None
    multi = RandomForestClassifier(3, random_state=0).fit(X, np.stack([y, y], axis=1))
    assert TreePredictor.compile(multi, names) is None
    forest = RandomForestClassifier(3, random_state=0).fit(X, y)
    assert TreePredictor.compile(forest, names[::-1]) is None       # columns in another order
    assert TreePredictor.compile(forest, None) is None

    class Lookalike:                                                  # the name alone is not enough
        n_outputs_ = 1
    Lookalike.__name__ = "RandomForestClassifier"
    assert TreePredictor.compile(Lookalike()) is None


def test_tables_beyond_the_bound_keep_scikit_learns_path() -> None:
    X, y = _iris()
    forest = RandomForestClassifier(10, random_state=0).fit(X, y)
    size = sum(e.tree_.node_count for e in forest.estimators_) * 3 * 8
    assert TreePredictor.compile(forest, list(X.columns), max_bytes=size) is not None
    assert TreePredictor.compile(forest, list(X.columns), max_bytes=size - 1) is None


def test_wrong_width_is_refused() -> None:
    X, y = _iris()
    fast = TreePredictor.compile(RandomForestClassifier(3, random_state=0).fit(X, y), list(X.columns))
    assert fast is not None
    with pytest.raises(ValueError, match="4 features"):
        fast.predict_proba([[1.0, 2.0, 3.0]])
