"""Evaluation numbers equal scikit-learn's own metric functions."""
from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn import metrics as skm

from mlhub_ext.train.evaluation import (MAX_CURVE_POINTS, evaluate_classifier, evaluate_regressor,
                                        summary_metrics)
from mlhub_ext.train.plots import bokeh_plots


@pytest.fixture
def multiclass():
    rng = np.random.default_rng(1)
    labels = np.array(["cat", "dog", "eel"])
    y_true = labels[rng.integers(0, 3, 3000)]
    logits = rng.normal(size=(3000, 3)) + 0.8 * (y_true[:, None] == labels[None, :])
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y_true, labels[proba.argmax(1)], proba, labels.tolist()


def test_multiclass_numbers_match_sklearn(multiclass):
    y, pred, proba, labels = multiclass
    ev = evaluate_classifier(y, pred, proba, labels)
    assert ev["accuracy"] == skm.accuracy_score(y, pred)
    for avg in ("macro", "weighted"):
        assert ev[f"precision_{avg}"] == skm.precision_score(y, pred, average=avg)
        assert ev[f"recall_{avg}"] == skm.recall_score(y, pred, average=avg)
        assert ev[f"f1_{avg}"] == skm.f1_score(y, pred, average=avg)
    assert ev["confusion_matrix"] == {"labels": labels,
                                      "matrix": skm.confusion_matrix(y, pred, labels=labels).tolist()}
    assert ev["roc_auc_ovr"] == pytest.approx(
        skm.roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=labels), abs=1e-12)
    for i, curve in enumerate(ev["roc"]):
        assert curve["label"] == labels[i]
        assert curve["auc"] == skm.roc_auc_score(y == labels[i], proba[:, i])
        assert len(curve["fpr"]) <= MAX_CURVE_POINTS and len(curve["fpr"]) == len(curve["tpr"])
        fpr, tpr, _ = skm.roc_curve(y == labels[i], proba[:, i])
        assert len(fpr) > MAX_CURVE_POINTS     # so downsampling was exercised
        assert (curve["fpr"][0], curve["fpr"][-1]) == (fpr[0], fpr[-1])
    for i, curve in enumerate(ev["pr"]):
        assert curve["average_precision"] == skm.average_precision_score(y == labels[i], proba[:, i])
    json.dumps(ev)
    assert summary_metrics(ev)["roc_auc"] == ev["roc_auc_ovr"]


def test_binary_numbers_match_sklearn():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 300)
    score = np.clip(0.35 * y + rng.random(300) * 0.65, 0, 1)
    pred = (score > 0.5).astype(int)
    proba = np.column_stack([1 - score, score])
    ev = evaluate_classifier(y, pred, proba, [0, 1])
    assert ev["roc_auc"] == skm.roc_auc_score(y, score)
    assert ev["f1_macro"] == skm.f1_score(y, pred, average="macro")
    assert ev["precision_weighted"] == skm.precision_score(y, pred, average="weighted")
    assert len(ev["roc"]) == 1 and ev["roc"][0]["label"] == 1
    assert ev["pr"][0]["average_precision"] == skm.average_precision_score(y, score)
    # 1-D decision values give the same AUC
    assert evaluate_classifier(y, pred, score, [0, 1])["roc_auc"] == ev["roc_auc"]


def test_class_missing_from_truth_has_no_curve():
    y = np.array([0, 0, 1, 1])
    proba = np.array([[0.8, 0.1, 0.1], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.5, 0.4]])
    ev = evaluate_classifier(y, proba.argmax(1), proba, [0, 1, 2])
    assert [c["label"] for c in ev["roc"]] == [0, 1] and ev["roc_auc_ovr"] is None
    assert ev["confusion_matrix"]["matrix"][2] == [0, 0, 0]


def test_regression_numbers_match_sklearn():
    rng = np.random.default_rng(3)
    y = rng.normal(size=100)
    pred = y + rng.normal(scale=0.3, size=100)
    ev = evaluate_regressor(y, pred)
    assert ev["mae"] == skm.mean_absolute_error(y, pred)
    assert ev["rmse"] == skm.root_mean_squared_error(y, pred)
    assert ev["r2"] == skm.r2_score(y, pred)
    assert summary_metrics(ev) == {"mae": ev["mae"], "rmse": ev["rmse"], "r2": ev["r2"]}


def test_bokeh_plots(multiclass):
    from bokeh.models import Plot

    y, pred, proba, labels = multiclass
    ev = evaluate_classifier(y, pred, proba, labels)
    ev["loss_curve"] = [{"epoch": 1, "loss": 1.0, "val_loss": 1.1}, {"epoch": 2, "loss": 0.5, "val_loss": 0.7}]
    figs = bokeh_plots(ev)
    assert set(figs) == {"confusion_matrix", "roc", "pr", "loss"}
    assert all(isinstance(f, Plot) for f in figs.values())
    assert list(figs["confusion_matrix"].x_range.factors) == labels
    assert bokeh_plots(evaluate_regressor([1.0, 2.0], [1.5, 2.5])) == {}
