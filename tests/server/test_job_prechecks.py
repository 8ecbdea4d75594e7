"""Training that would fail on a worker for a reason the registry already knows is refused
when submitted (issue 12, case 5): POST /jobs, POST /sweeps and evaluations answer 422
naming the columns, counts and remedies, and nothing is queued. The remedy ``impute``
then trains, on a real LocalCluster, a model that predicts with missing values."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from .test_models_api import call, upload, wait_job

LOGREG = "sklearn.linear_model.LogisticRegression"
RF = "sklearn.ensemble.RandomForestClassifier"


@pytest.fixture
def jp_server_config(jp_server_config):  # type: ignore[no-untyped-def]
    cfg = dict(jp_server_config)
    cfg["ServerApp"] = {**cfg["ServerApp"], "tornado_settings": {"mlhub.datasets_in_process": True}}
    return cfg


@pytest.fixture(scope="module", autouse=True)
def cluster():  # type: ignore[no-untyped-def]
    from mlhub_ext.train.cluster import close_cluster

    yield
    close_cluster()


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"a": rng.normal(size=30).round(3), "b": rng.normal(size=30).round(3),
                       "c": rng.normal(size=30).round(3)})
    df["label"] = np.where(df["a"] > 0, "pos", "neg")
    df["price"] = (df["a"] * 10 + 50.125).round(3)
    return df


async def datasets(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    df = frame()
    gappy = df.copy()
    gappy.loc[[2, 4, 8], "a"] = np.nan
    gappy.loc[[5], "c"] = np.nan
    unlabelled = df.copy()
    unlabelled.loc[[0, 1], "label"] = None
    for name, table in (("clean", df), ("gappy", gappy), ("unlabelled", unlabelled), ("one_row", df.head(1)),
                        ("no_c", df.drop(columns="c"))):
        await upload(jp_fetch, f"{name}.csv", table.to_csv(index=False).encode(), name=name)


CASES: list[tuple[dict[str, Any], str]] = [
    ({"dataset": "gappy", "target": "label", "estimator": LOGREG},
     "feature column(s) with missing values in dataset 'gappy' version 1: 'a' (3 of 30 rows), 'c' (1 of 30 rows); "
     "sklearn.linear_model.LogisticRegression does not accept missing values. Remedies: train with impute='median' "
     "(a SimpleImputer step the model keeps, so predictions may leave these features out too; strategies: mean, "
     "median, most_frequent); use an estimator that accepts missing values (e.g. "
     "sklearn.ensemble.HistGradientBoostingClassifier, sklearn.ensemble.HistGradientBoostingRegressor); or make a "
     "version without them (the dataset operations fillna or dropna)"),
    ({"dataset": "gappy", "target": "label", "kind": "torch_mlp"},
     "feature column(s) with missing values in dataset 'gappy' version 1: 'a' (3 of 30 rows), 'c' (1 of 30 rows); "
     "torch_mlp does not accept missing values. Remedies: make a version without them (the dataset operations "
     "fillna or dropna)"),
    ({"dataset": "clean", "target": "price", "estimator": RF},
     "target column 'price' is continuous (double, 30 distinct values, e.g. 25.715) but "
     "sklearn.ensemble.RandomForestClassifier is a classifier, which needs class labels: use a regressor such as "
     "sklearn.ensemble.RandomForestRegressor, sklearn.ensemble.HistGradientBoostingRegressor, "
     "sklearn.linear_model.Ridge; or make a version whose target holds classes"),
    ({"dataset": "clean", "target": "label", "estimator": "sklearn.linear_model.Ridge"},
     "target column 'label' is string, 2 distinct values, not a number, but sklearn.linear_model.Ridge does "
     "regression, which needs a numeric target: use a classifier such as sklearn.ensemble.RandomForestClassifier, "
     "sklearn.ensemble.HistGradientBoostingClassifier, sklearn.linear_model.LogisticRegression"),
    ({"dataset": "unlabelled", "target": "label", "estimator": RF},
     "target column 'label' has 2 missing value(s) in dataset 'unlabelled' version 1; every training row needs a "
     "label: make a version without them (the dataset operation dropna with subset ['label'])"),
    ({"dataset": "one_row", "target": "label", "estimator": RF},
     "dataset 'one_row' version 1 has 1 row(s): too few to hold out test_size=0.2 and still train on the rest; "
     "add rows or set test_size=0 (evaluated on the training rows)"),
    ({"dataset": "gappy", "target": "label", "estimator": LOGREG, "impute": "zero"},
     "impute must be one of ['mean', 'median', 'most_frequent'] or null, not 'zero'"),
]


async def test_refused_before_queuing_on_jobs_and_sweeps(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    await datasets(jp_fetch)
    for body, message in CASES:
        code, err = await call(jp_fetch, "POST", "jobs", body={**body, "name": "m"})
        assert (code, err["error"]["code"], err["error"]["message"]) == (422, "invalid", message), body
        code, err = await call(jp_fetch, "POST", "sweeps", body={**body, "name": "m", "metric": "accuracy",
                                                                 "space": {"seed": [0, 1]}})
        assert (code, err["error"]["message"]) == (422, message), body
    code, jobs = await call(jp_fetch, "GET", "jobs")
    assert jobs["total"] == 0                       # nothing was queued
    code, err = await call(jp_fetch, "POST", "jobs", body={**CASES[0][0], "name": "m"})
    assert err["error"]["details"]["columns"] == {"a": 3, "c": 1}


async def test_remedies_train_and_evaluation_is_checked(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    await datasets(jp_fetch)
    # impute: the model keeps a SimpleImputer step; predictions may leave numbers out.
    code, job = await call(jp_fetch, "POST", "jobs", body={"dataset": "gappy", "target": "label", "name": "imp",
                                                           "estimator": LOGREG, "impute": "median"})
    assert code == 202, job
    done = await wait_job(jp_fetch, job["id"])
    assert done["state"] == "finished", done
    code, mv = await call(jp_fetch, "GET", "models", "imp", "versions", "1")
    assert mv["input_schema"][0] == {"name": "a", "dtype": "float", "nullable": True}
    code, p = await call(jp_fetch, "POST", "models", "imp", "predictions",
                         body={"version": 1, "inputs": [{"a": None, "b": 0.1, "c": None, "price": 50.0}]})
    assert code == 200 and p["outputs"][0]["prediction"] in ("pos", "neg")
    # An estimator that takes NaN itself is not refused, and predicts with nulls too (a forest:
    # its compiled fast path for rows without them, scikit-learn for rows with them).
    code, job = await call(jp_fetch, "POST", "jobs", body={"dataset": "gappy", "target": "label", "name": "rf",
                                                           "estimator": RF, "params": {"n_estimators": 5}})
    assert code == 202, job
    assert (await wait_job(jp_fetch, job["id"]))["state"] == "finished"
    rows = [{"a": 1.5, "b": 0.0, "c": 0.0, "price": 65.0}, {"a": None, "b": 0.0, "c": 0.0, "price": 65.0}]
    code, p = await call(jp_fetch, "POST", "models", "rf", "predictions", body={"version": 1, "inputs": rows})
    assert code == 200 and [o["prediction"] for o in p["outputs"]][0] == "pos"
    assert p["outputs"][1]["prediction"] in ("pos", "neg") and len(p["outputs"][1]["probabilities"]) == 2
    code, p = await call(jp_fetch, "POST", "models", "rf", "predictions", body={"version": 1, "inputs": rows[:1]})
    assert code == 200 and p["outputs"][0]["prediction"] == "pos"
    # Evaluations: the model's features must be there, and be complete unless the model imputes.
    code, job = await call(jp_fetch, "POST", "jobs", body={"dataset": "clean", "target": "label", "name": "lr",
                                                           "estimator": LOGREG})
    assert code == 202 and (await wait_job(jp_fetch, job["id"]))["state"] == "finished"
    code, err = await call(jp_fetch, "POST", "models", "lr", "versions", "1", "evaluations", body={"dataset": "gappy"})
    assert (code, err["error"]["message"]) == (422, (
        "feature column(s) with missing values in dataset 'gappy' version 1: 'a' (3 of 30 rows), 'c' (1 of 30 rows); "
        "this model version was trained without missing values and cannot take them. Evaluate on a version without "
        "them (the dataset operations fillna or dropna), or train a version with impute='median'"))
    code, err = await call(jp_fetch, "POST", "models", "lr", "versions", "1", "evaluations", body={"dataset": "no_c"})
    assert (code, err["error"]["message"]) == (422, "dataset 'no_c' version 1 lacks the model's feature column(s) "
                                                    "['c']; the model was trained on ['a', 'b', 'c', 'price']")
    code, err = await call(jp_fetch, "POST", "models", "lr", "versions", "1", "evaluations",
                           body={"dataset": "unlabelled"})
    assert (code, err["error"]["message"]) == (422, (
        "target column 'label' has 2 missing value(s) in dataset 'unlabelled' version 1; an evaluation compares "
        "every row's label: evaluate on a version without them (the dataset operation dropna with subset ['label'])"))
    code, ev = await call(jp_fetch, "POST", "models", "imp", "versions", "1", "evaluations", body={"dataset": "gappy"})
    assert code == 202, ev
    assert (await wait_job(jp_fetch, ev["id"]))["state"] == "finished"
    code, jobs = await call(jp_fetch, "GET", "jobs", params={"limit": "50"})
    assert sorted(j["kind"] for j in jobs["jobs"]) == ["evaluate", "train", "train", "train"]   # imp, rf, lr
