"""The task functions called directly (as a worker would), and table loading."""
from __future__ import annotations

import io
import json

import pytest

from mlhub_ext.core.errors import MLHubError
from mlhub_ext.train.loading import load_table
from mlhub_ext.train.predict import load_model, predict
from mlhub_ext.train.progress import Reporter, RunHooks
from mlhub_ext.train.tasks import evaluate_task, train_task


def json_part(result):
    return {k: v for k, v in result.items() if k != "model_bytes"}


def test_regression_result_is_json_ready():
    from sklearn.datasets import load_diabetes

    df = load_diabetes(as_frame=True).frame
    res = train_task({"kind": "sklearn", "estimator": "sklearn.linear_model.Ridge",
                      "params": {"alpha": 0.5}}, df, "target")
    json.dumps(json_part(res))
    assert res["task"] == "regression" and res["classes"] is None
    assert res["estimator_name"] == "Ridge"
    assert set(res["metrics"]) == {"mae", "rmse", "r2"} and res["metrics"]["r2"] > 0.2
    assert res["param_count"] == 10 and res["n_train"] + res["n_test"] == len(df)
    ev = evaluate_task(res["model_bytes"], "sklearn", df.iloc[:50], "target", res["input_schema"])
    assert ev["n"] == 50 and "rmse" in ev["metrics"]


def test_custom_estimator_only_on_own_cluster(iris):
    import cloudpickle
    from sklearn.neighbors import KNeighborsClassifier

    spec = {"kind": "custom", "estimator_pickle": cloudpickle.dumps(KNeighborsClassifier(3))}
    with pytest.raises(MLHubError, match="own Dask cluster"):
        train_task(spec, iris, "species")
    res = train_task(spec, iris, "species", allow_custom=True)
    assert res["model_type"] == "custom" and res["metrics"]["accuracy"] > 0.85
    json.dumps(json_part(res))
    model = load_model(res["model_bytes"], "custom", allow_custom=True)
    assert predict(model, [[5.1, 3.5, 1.4, 0.2]], res["input_schema"])[0]["prediction"] == "setosa"
    bad = {"kind": "custom", "estimator_pickle": cloudpickle.dumps(object())}
    with pytest.raises(MLHubError, match="fit and predict"):
        train_task(bad, iris, "species", allow_custom=True)


def test_evaluate_on_another_table_checks_columns(iris):
    res = train_task({"kind": "sklearn", "estimator": "sklearn.tree.DecisionTreeClassifier"},
                     iris, "species")
    with pytest.raises(MLHubError, match="petal_width"):
        evaluate_task(res["model_bytes"], "sklearn", iris.drop(columns=["petal_width"]), "species",
                      res["input_schema"], res["classes"])
    relabelled = iris.assign(species=iris["species"].str.upper())
    with pytest.raises(MLHubError, match="never saw"):
        evaluate_task(res["model_bytes"], "sklearn", relabelled, "species", res["input_schema"],
                      res["classes"])


def test_pipeline_spec_trains(iris):
    spec = {"kind": "sklearn", "estimator": "sklearn.pipeline.Pipeline",
            "steps": [["scale", "sklearn.preprocessing.StandardScaler", {}],
                      ["svm", "sklearn.svm.SVC", {"C": 2.0}]]}
    res = train_task(spec, iris, "species")
    # SVC without probability=True: ROC curves come from decision_function
    assert res["evaluation"]["roc_auc_ovr"] is not None and res["metrics"]["accuracy"] > 0.85
    assert res["estimator_name"] == "Pipeline(StandardScaler, SVC)"


def test_load_table_sources(tmp_path, iris):
    buf = io.BytesIO()
    iris.to_parquet(buf)
    assert load_table(buf.getvalue()).equals(iris)
    assert load_table(iris.to_csv(index=False).encode()).shape == iris.shape
    iris.to_csv(tmp_path / "iris.csv", index=False)
    iris.to_parquet(tmp_path / "iris.parquet")
    assert load_table(str(tmp_path / "iris.csv")).shape == iris.shape
    assert load_table(tmp_path / "iris.parquet").equals(iris)
    with pytest.raises(MLHubError, match="not found"):
        load_table(str(tmp_path / "nope.csv"))
    with pytest.raises(MLHubError, match="no images"):
        load_table(str(tmp_path))
    with pytest.raises(MLHubError):
        load_table(42)


def test_reporter_without_a_cluster_is_a_no_op():
    rep = Reporter(RunHooks.for_job("offline"))
    rep.emit("progress", progress=0.5)
    assert rep.should_abort() is False
    rep.close()
    assert RunHooks.coerce(RunHooks.for_job("x").to_dict()) == RunHooks.for_job("x")


def test_image_zip_trains_a_cnn(tmp_path, digits_png):
    import zipfile

    with zipfile.ZipFile(tmp_path / "digits.zip", "w") as zf:
        for i, (img, label) in enumerate(zip(digits_png.image[:200], digits_png.label[:200])):
            zf.writestr(f"digits/{label}/{i}.png", img)
    table = load_table(tmp_path / "digits.zip")
    assert list(table.columns) == ["image", "label"] and len(table) == 200
    res = train_task({"kind": "torch_cnn", "epochs": 2, "params": {"channels": [4]}},
                     str(tmp_path / "digits.zip"), "label")
    assert res["classes"] == [str(i) for i in range(10)]
    assert res["input_schema"][0]["shape"] == [1, 8, 8]


def test_uint8_pixel_arrays_scale_by_255():
    import numpy as np

    from mlhub_ext.train.images import decode_image

    dark = np.full((4, 4), 10, dtype=np.uint8)
    assert decode_image(dark).max() == pytest.approx(10 / 255)
    assert decode_image(np.zeros((4, 4, 3), dtype=np.uint8)).shape == (3, 4, 4)
