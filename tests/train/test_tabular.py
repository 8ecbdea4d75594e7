"""Features from tables and images: clear errors for what cannot be trained on."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.train.fitting import fit_spec
from mlhub_ext.train.images import prepare_images
from mlhub_ext.train.predict import predict
from mlhub_ext.train.specs import validate_spec
from mlhub_ext.train.tabular import prepare_table


def test_prepare_iris(iris):
    prep = prepare_table(iris, "species")
    assert prep.task == "classification"
    assert prep.classes == ["setosa", "versicolor", "virginica"]
    assert prep.input_schema == [{"name": n, "dtype": "float"} for n in
                                 ["sepal_length", "sepal_width", "petal_length", "petal_width"]]
    assert list(prep.X.columns) == [c["name"] for c in prep.input_schema] and len(prep.y) == 150


def test_missing_target_names_available_columns(iris):
    with pytest.raises(MLHubError) as err:
        prepare_table(iris, "kind")
    assert "'kind'" in err.value.message and "petal_width" in err.value.message


def test_non_numeric_features_need_encoding():
    df = pd.DataFrame({"colour": ["red", "blue"] * 10, "size": range(20), "shape": ["a", "b"] * 10,
                       "y": [0, 1] * 10})
    with pytest.raises(MLHubError) as err:
        prepare_table(df, "y")
    assert "colour" in err.value.message and "shape" in err.value.message
    assert "size" not in err.value.details["columns"]
    prep = prepare_table(df, "y", encode="onehot")
    assert prep.categorical == ["colour", "shape"]
    assert [c["dtype"] for c in prep.input_schema] == ["string", "int", "string"]
    assert prep.input_schema[0]["categories"] == ["blue", "red"] and "categories" not in prep.input_schema[1]
    many = pd.DataFrame({"id": [f"k{i}" for i in range(60)], "y": [0, 1] * 30})
    assert "categories" not in prepare_table(many, "y", encode="onehot").input_schema[0]   # too many to offer


def test_empty_dataset_is_refused(iris):
    with pytest.raises(MLHubError, match="empty"):
        prepare_table(iris.iloc[:0], "species")
    with pytest.raises(MLHubError, match="no feature columns"):
        prepare_table(iris[["species"]], "species")


def test_targets_checked():
    with pytest.raises(MLHubError, match="missing value"):
        prepare_table(pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, None]}), "y")
    with pytest.raises(MLHubError, match="numeric target"):
        prepare_table(pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]}), "y", task="regression")
    assert prepare_table(pd.DataFrame({"x": [1.0, 2.0], "y": [0.5, 1.5]}), "y").task == "regression"


@pytest.mark.parametrize("kind,estimator", [("sklearn", "sklearn.linear_model.LogisticRegression"),
                                            ("torch_mlp", None)])
def test_onehot_models_predict_from_raw_records(kind, estimator):
    rng = np.random.default_rng(0)
    colour = rng.choice(["red", "green", "blue"], 300)
    x = rng.normal(size=300)
    y = np.where(colour == "red", "hot", "cold")
    df = pd.DataFrame({"colour": colour, "x": x, "y": y})
    spec = validate_spec({"kind": kind, "estimator": estimator, "encode": "onehot", "epochs": 30,
                          "lr": 0.05})
    fit = fit_spec(spec, df, "y")
    out = predict(fit.model, [{"colour": "red", "x": 0.1}, {"colour": "blue", "x": 0.2},
                              {"colour": "purple", "x": 0.0}], fit.input_schema)
    assert [o["prediction"] for o in out[:2]] == ["hot", "cold"]
    assert set(out[2]["probabilities"]) == {"cold", "hot"}


def test_digits_pixel_columns_read_as_images():
    from sklearn.datasets import load_digits

    d = load_digits(as_frame=True).frame.iloc[:50]
    prep = prepare_images(d, "target")
    assert prep.X.shape == (50, 1, 8, 8) and 0.0 <= prep.X.min() and prep.X.max() <= 1.0
    assert prep.input_schema == [{"name": "image", "dtype": "image", "shape": [1, 8, 8]}]


def test_png_images_are_decoded_and_resized(digits_png):
    prep = prepare_images(digits_png.iloc[:20], "label", image_size=[16, 16])
    assert prep.X.shape == (20, 1, 16, 16)
    assert prep.input_schema[0]["name"] == "image"


def test_features_pick_the_columns_trained_on():
    df = pd.DataFrame({"note": ["x", "y"] * 20, "a": np.arange(40.0), "b": np.arange(40) % 3,
                       "colour": ["red", "blue"] * 20, "y": [0, 1] * 20})
    spec = validate_spec({"kind": "sklearn", "estimator": "sklearn.linear_model.LogisticRegression",
                          "features": ["b", "a"]})
    fit = fit_spec(spec, df, "y")        # the text columns left out need no encoding
    assert [c["name"] for c in fit.input_schema] == ["b", "a"]
    spec = validate_spec({"kind": "sklearn", "estimator": "sklearn.linear_model.LogisticRegression",
                          "features": ["a", "colour"]})
    with pytest.raises(MLHubError, match="leave them out of features") as err:
        fit_spec(spec, df, "y")
    assert err.value.details["columns"] == ["colour"]
    for features, needle in ((["a", "nope"], "['nope'] not found"), (["a", "y"], "cannot also be a feature")):
        spec = validate_spec({"kind": "sklearn", "estimator": "sklearn.linear_model.LogisticRegression",
                              "features": features})
        with pytest.raises(MLHubError) as err:
            fit_spec(spec, df, "y")
        assert needle in err.value.message
