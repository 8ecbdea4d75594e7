"""``mh.models`` end to end against a real `mlhub serve` (its own LocalCluster trains)."""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
import skops.io as sio

import mlhub_ext as mh
from mlhub_ext.core.errors import ErrorCode, MLHubError

RF = "sklearn.ensemble.RandomForestClassifier"


@pytest.fixture
def server(mlhub_server, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    from mlhub_ext.client import config

    monkeypatch.setenv("MLHUB_URL", mlhub_server.url)
    monkeypatch.setenv("MLHUB_TOKEN", mlhub_server.token)
    monkeypatch.setenv("MLHUB_CACHE_DIR", str(tmp_path / "cache"))
    config.clear_login()
    yield mlhub_server
    config.clear_login()


def iris() -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    df = data.frame.drop(columns=["target"])
    df.columns = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    df["species"] = np.asarray(data.target_names)[data.target]
    return df.drop(index=df.index[::4]).reset_index(drop=True), df.iloc[::4].reset_index(drop=True)


def test_issue_walkthrough(server, capsys) -> None:  # type: ignore[no-untyped-def]
    from sklearn.metrics import accuracy_score, f1_score

    train_df, holdout = iris()
    mh.datasets.upload(train_df, name="iris")
    mh.datasets.upload(holdout, name="iris_holdout")

    job = mh.models.train(dataset="iris", target="species", estimator=RF,
                          params={"n_estimators": 30, "random_state": 0}, name="iris_rf", tags=["iris"])
    mv = job.wait()
    assert (mv.name, mv.version) == ("iris_rf", 1)
    assert "train iris_rf" in capsys.readouterr().err          # the tqdm bar
    assert mv.info["run_id"] == job.run_id and mv.metrics["accuracy"] > 0.8

    ev = mv.evaluate(dataset="iris_holdout", progress=False)
    data = mv.download()                                   # a skops file, not a pickle
    model = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    X, y = holdout.drop(columns=["species"]), holdout["species"]
    assert ev["accuracy"] == pytest.approx(accuracy_score(y, model.predict(X)))
    assert ev["f1_macro"] == pytest.approx(f1_score(y, model.predict(X), average="macro"))
    assert (mv.evaluations()[0].dataset, mv.evaluations()[0].dataset_version) == ("iris_holdout", 1)

    mv.promote("staging")
    mv.promote("production")
    out = mh.models.predict("iris_rf", [[5.1, 3.5, 1.4, 0.2]], stage="production")
    assert out[0]["prediction"] == "setosa"
    full = mh.models.predict("iris_rf", X.head(3), full=True)
    assert full["version"] == 1 and [o["prediction"] for o in full["outputs"]] == list(model.predict(X.head(3)))
    assert len(mv.inferences()) == 2 and mv.report()["requests"] == 2
    assert mh.models.get("iris_rf", "production").version == 1

    figs = mh.plots(mv)
    assert {"confusion_matrix", "roc", "pr"} <= set(figs)
    assert set(mh.plots(ev)) >= {"confusion_matrix"}

    sweep = mh.models.sweep("iris", "species", RF, {"random_state": 0}, name="iris_rf",
                            space={"n_estimators": [3, 30], "max_depth": [1, None]}, metric="f1_macro")
    best = sweep.wait(progress=False)
    assert best.version == 2 and len(sweep.trials()) == 4
    assert [m.name for m in mh.models.list(stage="production")] == ["iris_rf"]
    assert mh.models.model("iris_rf").aliases() == {"production": 1, "staging": 1}
    counts = mh.models.counts()
    assert counts["models"] == 1 and counts["versions"] == 2


def test_bad_input_raises_before_queuing_and_abort(server) -> None:  # type: ignore[no-untyped-def]
    train_df, _ = iris()
    mh.datasets.upload(train_df, name="iris")
    with pytest.raises(MLHubError) as e:
        mh.models.train("iris", "species", "os.system", name="bad")
    assert e.value.code == ErrorCode.INVALID and "scikit-learn" in e.value.message
    with pytest.raises(MLHubError) as e:
        mh.models.train("iris", "nope", RF, name="bad")
    assert e.value.code == ErrorCode.INVALID and "'nope'" in e.value.message
    with pytest.raises(MLHubError) as e:
        mh.models.predict("missing", [[1, 2, 3, 4]])
    assert e.value.code == ErrorCode.NOT_FOUND
    assert mh.models.jobs() == []

    job = mh.models.train("iris", "species", kind="torch_mlp", epochs=5000, batch_size=4, name="mlp")
    deadline = time.monotonic() + 120
    while job.refresh().state == "queued" and time.monotonic() < deadline:
        time.sleep(0.2)
    job.abort()
    with pytest.raises(MLHubError) as e:
        job.wait(progress=False, timeout=120)
    assert "aborted" in e.value.message and job.state == "aborted"


def test_jobs_running_when_the_server_stops_are_marked_failed(server) -> None:  # type: ignore[no-untyped-def]
    train_df, _ = iris()
    mh.datasets.upload(train_df, name="iris")
    job = mh.models.train("iris", "species", kind="torch_mlp", epochs=5000, batch_size=4, name="mlp")
    server.stop()
    server.start()
    job.refresh()
    assert job.state == "failed" and "stopped" in job.info["error"]
