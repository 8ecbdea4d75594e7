"""Pre-queue training checks on the statistics the registry holds (issue 12, case 5),
against statistics computed by the data layer from real tables, and the imputing model."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.data.stats import compute_stats
from mlhub_ext.train.checks import accepts_missing, check_evaluation_data, check_training_data
from mlhub_ext.train.fitting import fit_spec
from mlhub_ext.train.predict import predict
from mlhub_ext.train.specs import ModelSpec, build_sklearn_estimator, validate_spec

WHERE = "dataset 'd' version 1"
LOGREG = "sklearn.linear_model.LogisticRegression"


def gappy() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40), "c": rng.normal(size=40),
                       "y": np.array(["x", "z"] * 20)})
    df.loc[[1, 5], "a"] = np.nan
    df.loc[[7], "b"] = np.nan
    return df


def refused(spec: dict, df: pd.DataFrame, target: str = "y", features: list[str] | None = None) -> MLHubError:
    with pytest.raises(MLHubError) as e:
        check_training_data(validate_spec(spec), target, compute_stats(df), features, WHERE)
    assert e.value.code == ErrorCode.INVALID
    return e.value


def test_missing_values_are_named_with_counts_and_remedies() -> None:
    err = refused({"estimator": LOGREG}, gappy())
    assert err.message.startswith("feature column(s) with missing values in dataset 'd' version 1: "
                                  "'a' (2 of 40 rows), 'b' (1 of 40 rows); "
                                  "sklearn.linear_model.LogisticRegression does not accept missing values.")
    assert "impute='median'" in err.message and "fillna or dropna" in err.message
    assert "sklearn.ensemble.HistGradientBoostingClassifier" in err.message
    assert err.details["columns"] == {"a": 2, "b": 1}
    # Only the features trained on count.
    check_training_data(validate_spec({"estimator": LOGREG}), "y", compute_stats(gappy()), ["c"], WHERE)
    # torch models: the dataset operations are the remedy.
    err = refused({"kind": "torch_mlp"}, gappy())
    assert "torch_mlp does not accept missing values" in err.message and "impute" not in err.message


@pytest.mark.parametrize("spec", [
    {"estimator": LOGREG, "impute": "median"},                                  # the platform imputes
    {"estimator": "sklearn.ensemble.HistGradientBoostingClassifier"},           # takes NaN itself
    {"steps": [["fill", "sklearn.impute.SimpleImputer"], ["clf", LOGREG]]},     # the user's own imputer
])
def test_missing_values_pass_where_the_model_handles_them(spec: dict) -> None:
    check_training_data(validate_spec(spec), "y", compute_stats(gappy()), None, WHERE)


def test_impute_is_checked_in_the_spec() -> None:
    with pytest.raises(MLHubError, match=r"impute must be one of \['mean', 'median', 'most_frequent'\] or null, "
                                         r"not 'zero'"):
        validate_spec({"estimator": LOGREG, "impute": "zero"})
    with pytest.raises(MLHubError, match="impute applies to scikit-learn models, not kind 'torch_mlp'"):
        validate_spec({"kind": "torch_mlp", "impute": "mean"})


def test_continuous_target_for_a_classifier_names_type_and_regressors() -> None:
    df = gappy().fillna(0.0).assign(price=np.linspace(0.5, 40.25, 40))
    err = refused({"estimator": "sklearn.ensemble.RandomForestClassifier"}, df.drop(columns="y"), target="price")
    assert err.message.startswith("target column 'price' is continuous (double, 40 distinct values, e.g. 0.5) "
                                  "but sklearn.ensemble.RandomForestClassifier is a classifier")
    assert "use a regressor such as sklearn.ensemble.RandomForestRegressor, " \
           "sklearn.ensemble.HistGradientBoostingRegressor, sklearn.linear_model.Ridge" in err.message
    assert err.details["task"] == "regression"
    err = refused({"kind": "torch_mlp", "task": "classification"}, df.drop(columns="y"), target="price")
    assert "set task='regression'" in err.message
    # Whole-number floats are class labels: accepted.
    labels = df.assign(price=[0.0, 1.0] * 20)
    check_training_data(validate_spec({"estimator": LOGREG}), "price", compute_stats(labels.drop(columns="y")),
                        None, WHERE)


def test_text_target_for_a_regressor_and_other_target_checks() -> None:
    df = gappy().fillna(0.0)
    err = refused({"estimator": "sklearn.linear_model.Ridge"}, df)
    assert err.message.startswith("target column 'y' is string, 2 distinct values, not a number, but "
                                  "sklearn.linear_model.Ridge does regression")
    assert "use a classifier such as sklearn.ensemble.RandomForestClassifier" in err.message
    err = refused({"estimator": LOGREG}, df.assign(y="same"))
    assert err.message == "target column 'y' holds a single value in dataset 'd' version 1; a classifier needs " \
                          "at least two classes"
    err = refused({"estimator": LOGREG}, df.assign(y=["x", None] * 20))
    assert err.message.startswith("target column 'y' has 20 missing value(s) in dataset 'd' version 1")
    assert "dropna with subset ['y']" in err.message


def test_too_few_rows_for_the_split() -> None:
    one = gappy().fillna(0.0).head(1)
    err = refused({"estimator": LOGREG}, one.assign(y=["x"]))
    assert err.message.startswith("dataset 'd' version 1 has 1 row(s): too few to hold out test_size=0.2")


def test_evaluation_data_checks() -> None:
    schema = [{"name": "a", "dtype": "float"}, {"name": "b", "dtype": "float"}]
    with pytest.raises(MLHubError, match=r"lacks the model's feature column\(s\) \['b'\]"):
        check_evaluation_data(schema, compute_stats(gappy().drop(columns="b")), ["a", "c", "y"], WHERE)
    with pytest.raises(MLHubError, match=r"missing values in dataset 'd' version 1: 'a' \(2 of 40 rows\), "
                                         r"'b' \(1 of 40 rows\); this model version was trained without"):
        check_evaluation_data(schema, compute_stats(gappy()), ["a", "b", "c", "y"], WHERE)
    nullable = [{**c, "nullable": True} for c in schema]
    check_evaluation_data(nullable, compute_stats(gappy()), ["a", "b", "c", "y"], WHERE)
    with pytest.raises(MLHubError, match=r"^target column 'y' has 20 missing value\(s\) in dataset 'd' version 1; "
                                         r"an evaluation compares every row's label"):
        check_evaluation_data(nullable, compute_stats(gappy().assign(y=["x", None] * 20)), ["a", "b", "c", "y"],
                              WHERE, "y")


def test_image_column_is_checked_for_a_cnn_on_a_table() -> None:
    df = pd.DataFrame({"pixels": [b"x", b"y"] * 10, "label": ["a", "b"] * 10})
    err = refused({"kind": "torch_cnn", "image_column": "img"}, df, target="label")
    assert err.message == "image column 'img' not found in dataset 'd' version 1; available columns: " \
                          "['pixels', 'label']"
    check_training_data(validate_spec({"kind": "torch_cnn", "image_column": "pixels"}), "label",
                        compute_stats(df), None, WHERE)


def test_impute_trains_a_model_that_predicts_with_missing_values() -> None:
    spec = validate_spec({"estimator": LOGREG, "impute": "median"})
    fit = fit_spec(spec, gappy(), "y")
    assert [s for _, s in fit.model.steps][0].__class__.__name__ == "SimpleImputer"
    assert fit.input_schema[0] == {"name": "a", "dtype": "float", "nullable": True}
    out = predict(fit.model, [{"a": None, "b": 0.1, "c": None}], fit.input_schema)
    assert out[0]["prediction"] in ("x", "z")
    # With text features too: one ColumnTransformer imputes the numbers and encodes the text.
    text = gappy().assign(colour=["red", "blue", None, "red"] * 10)
    spec = validate_spec({"estimator": LOGREG, "impute": "mean", "encode": "onehot"})
    fit = fit_spec(spec, text, "y")
    out = predict(fit.model, [{"a": None, "b": 1.0, "c": 2.0, "colour": "red"}], fit.input_schema)
    assert out[0]["prediction"] in ("x", "z")
    # Without impute, a model that takes no NaN refuses a null, naming row and feature.
    plain = fit_spec(validate_spec({"estimator": LOGREG}), gappy().fillna(0.0), "y")
    assert "nullable" not in plain.input_schema[0]
    with pytest.raises(MLHubError, match=r"row 1: feature 'b' is missing \(null\), and this model version was "
                                         r"trained without missing values"):
        predict(plain.model, [[1.0, 2.0, 3.0], [1.0, None, 3.0]], plain.input_schema)


def test_accepts_missing_follows_the_first_pipeline_step() -> None:
    assert accepts_missing(build_sklearn_estimator(ModelSpec(estimator="sklearn.ensemble.RandomForestClassifier")))
    assert not accepts_missing(build_sklearn_estimator(ModelSpec(estimator=LOGREG)))
    assert accepts_missing(build_sklearn_estimator(ModelSpec(steps=[["i", "sklearn.impute.SimpleImputer"],
                                                                     ["m", LOGREG]])))
    assert not accepts_missing(object())
