"""Spec validation: only scikit-learn classes, real params, sane torch settings."""
from __future__ import annotations

import sys
import textwrap

import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.train.specs import ModelSpec, validate_spec


def sk(path, **params):
    return ModelSpec(kind="sklearn", estimator=path, params=params)


def test_valid_sklearn_spec_passes():
    spec = validate_spec({"kind": "sklearn", "estimator": "sklearn.ensemble.RandomForestClassifier",
                          "params": {"n_estimators": 20, "max_depth": None}})
    assert spec.params == {"n_estimators": 20, "max_depth": None}


@pytest.mark.parametrize("path", ["os.system", "subprocess.Popen", "builtins.eval",
                                  "sklearnx.Thing", "posix.system"])
def test_paths_outside_sklearn_are_refused(path):
    with pytest.raises(MLHubError) as err:
        validate_spec(sk(path))
    assert err.value.code == ErrorCode.INVALID
    assert path in err.value.message


@pytest.fixture
def booby_trapped(tmp_path, monkeypatch):
    """Packages that write a marker file when imported."""
    marker = tmp_path / "imported.txt"
    for name in ("evilpkg", "sklearnx"):
        pkg = tmp_path / name
        pkg.mkdir()
        (pkg / "__init__.py").write_text(textwrap.dedent(f"""
            open({str(marker)!r}, "a").write("{name}\\n")
            class Estimator:
                pass
        """))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield marker
    for name in ("evilpkg", "sklearnx"):
        sys.modules.pop(name, None)


@pytest.mark.parametrize("path", ["evilpkg.Estimator", "sklearnx.Estimator", "evilpkg"])
def test_refused_paths_are_never_imported(booby_trapped, path):
    with pytest.raises(MLHubError):
        validate_spec(sk(path))
    assert not booby_trapped.exists()
    assert path.split(".")[0] not in sys.modules


@pytest.mark.parametrize("path", ["sklearn.metrics.accuracy_score", "sklearn.utils.Bunch",
                                  "sklearn.base.os.system", "sklearn.ensemble.NoSuchForest",
                                  "sklearn", "sklearn..x", "sklearn.ensemble.__dict__"])
def test_sklearn_paths_that_are_not_estimator_classes(path):
    with pytest.raises(MLHubError) as err:
        validate_spec(sk(path))
    assert err.value.code == ErrorCode.INVALID


def test_unknown_param_is_named_with_valid_ones():
    with pytest.raises(MLHubError) as err:
        validate_spec(sk("sklearn.ensemble.RandomForestClassifier", n_trees=10))
    msg = err.value.message
    assert "n_trees" in msg and "n_estimators" in msg and "max_depth" in msg
    assert err.value.details["unknown"] == ["n_trees"]


@pytest.mark.parametrize("params", [{"n_estimators": -1}, {"criterion": "nope"},
                                    {"max_depth": "deep"}])
def test_bad_param_values_are_caught_before_training(params):
    with pytest.raises(MLHubError) as err:
        validate_spec(sk("sklearn.ensemble.RandomForestClassifier", **params))
    assert err.value.code == ErrorCode.INVALID
    assert list(params)[0] in err.value.message


def test_pipeline_from_steps():
    steps = [["scale", "sklearn.preprocessing.StandardScaler", {}],
             ["clf", "sklearn.linear_model.LogisticRegression", {"C": 0.5}]]
    spec = validate_spec(ModelSpec(estimator="sklearn.pipeline.Pipeline", steps=steps,
                                   params={"clf__max_iter": 300}))
    from mlhub_ext.train.specs import build_sklearn_estimator

    pipe = build_sklearn_estimator(spec)
    assert [n for n, _ in pipe.steps] == ["scale", "clf"]
    assert pipe.get_params()["clf__C"] == 0.5 and pipe.get_params()["clf__max_iter"] == 300


@pytest.mark.parametrize("steps,params,needle", [
    ([["s", "os.system", {}]], {}, "os.system"),
    ([["clf", "sklearn.linear_model.LogisticRegression", {"Cee": 1}]], {}, "Cee"),
    ([["clf", "sklearn.linear_model.LogisticRegression", {}]], {"clf__bogus": 1}, "clf__bogus"),
    ([], {}, "steps"),
    ([["a", "sklearn.preprocessing.StandardScaler"]], {}, "only for"),
    ([["a", "sklearn.preprocessing.StandardScaler"], ["a", "sklearn.preprocessing.StandardScaler"]],
     {}, "twice"),
])
def test_bad_pipelines(steps, params, needle):
    path = "sklearn.svm.SVC" if needle == "only for" else "sklearn.pipeline.Pipeline"
    with pytest.raises(MLHubError) as err:
        validate_spec(ModelSpec(estimator=path, steps=steps, params=params))
    assert needle in err.value.message


def test_torch_defaults_filled_in():
    spec = validate_spec({"kind": "torch_mlp", "epochs": 3, "params": {"hidden_sizes": [8]}})
    assert spec.params == {"hidden_sizes": [8], "dropout": 0.0}
    cnn = validate_spec({"kind": "torch_cnn", "params": {"image_size": 8}})
    assert cnn.params["image_size"] == [8, 8] and cnn.params["channels"] == [16, 32]


@pytest.mark.parametrize("change,needle", [
    ({"epochs": 0}, "epochs"), ({"epochs": 2.5}, "epochs"), ({"batch_size": -4}, "batch_size"),
    ({"lr": 0}, "lr"), ({"lr": "fast"}, "lr"), ({"optimizer": "rmsprop"}, "optimizer"),
    ({"params": {"hidden_sizes": [0]}}, "hidden_sizes"), ({"params": {"layers": 3}}, "layers"),
    ({"params": {"dropout": 1.5}}, "dropout"), ({"test_size": 1.0}, "test_size"),
    ({"task": "ranking"}, "task"), ({"encode": "ordinal"}, "encode"),
])
def test_bad_torch_settings(change, needle):
    with pytest.raises(MLHubError) as err:
        validate_spec({"kind": "torch_mlp", **change})
    assert err.value.code == ErrorCode.INVALID and needle in err.value.message


def test_custom_needs_own_cluster_and_round_trips():
    import cloudpickle
    from sklearn.tree import DecisionTreeClassifier

    blob = cloudpickle.dumps(DecisionTreeClassifier(max_depth=2))
    spec = ModelSpec(kind="custom", estimator_pickle=blob)
    with pytest.raises(MLHubError, match="own Dask cluster"):
        validate_spec(spec)
    assert validate_spec(spec, allow_custom=True) is spec
    again = ModelSpec.from_dict(spec.to_dict())
    assert again.estimator_pickle == blob
    with pytest.raises(MLHubError, match="estimator_pickle"):
        validate_spec(ModelSpec(kind="custom"), allow_custom=True)


def test_unknown_kind_and_fields():
    with pytest.raises(MLHubError, match="kind"):
        validate_spec({"kind": "xgboost"})
    with pytest.raises(MLHubError, match="estimatr"):
        validate_spec({"kind": "sklearn", "estimatr": "sklearn.svm.SVC"})
    with pytest.raises(MLHubError) as err:
        validate_spec("sklearn.svm.SVC")
    assert err.value.code == ErrorCode.MALFORMED


def test_features_list_round_trips_and_is_checked():
    spec = validate_spec({"kind": "sklearn", "estimator": "sklearn.svm.SVC", "features": ["a", "b"],
                          "seed": 7, "test_size": 0.3, "encode": "onehot"})
    again = ModelSpec.from_dict(spec.to_dict())
    assert again.features == ["a", "b"] and again.seed == 7 and again.test_size == 0.3
    assert validate_spec({"kind": "sklearn", "estimator": "sklearn.svm.SVC"}).features is None
    for bad, needle in (([], "non-empty list"), ("a", "non-empty list"), (["a", 3], "strings"),
                        (["a", ""], "strings"), (["a", "b", "a"], "['a'] more than once")):
        with pytest.raises(MLHubError) as err:
            validate_spec({"kind": "sklearn", "estimator": "sklearn.svm.SVC", "features": bad})
        assert err.value.code == ErrorCode.INVALID and needle in err.value.message, (bad, err.value.message)


@pytest.mark.parametrize("field,value,needle", [("test_size", 0.95, "test_size must be"),
                                                ("seed", -1, "seed must be"),
                                                ("encode", "ordinal", "encode must be one of")])
def test_form_options_are_checked(field, value, needle):
    with pytest.raises(MLHubError, match=needle):
        validate_spec({"kind": "sklearn", "estimator": "sklearn.svm.SVC", field: value})
