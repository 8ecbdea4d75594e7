"""Evaluation of classifiers and regressors, as JSON-ready dicts.

Every number comes from scikit-learn's own metric functions; curves are downsampled to
at most :data:`MAX_CURVE_POINTS` points for storage and plotting, while AUC and average
precision are computed on the full curves.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

MAX_CURVE_POINTS = 200
# Metrics for which a smaller value is better (sweeps and comparisons use this).
LOWER_IS_BETTER = frozenset({"mae", "rmse", "mse", "loss", "val_loss", "log_loss"})
CLASSIFICATION_METRICS = ("accuracy", "precision_macro", "recall_macro", "f1_macro",
                          "precision_weighted", "recall_weighted", "f1_weighted", "roc_auc")
REGRESSION_METRICS = ("mae", "rmse", "r2")


def evaluate_classifier(y_true: Sequence[Any], y_pred: Sequence[Any],
                        y_score: Any | None = None,
                        classes: Sequence[Any] | None = None) -> dict[str, Any]:
    """Accuracy, precision/recall/F1 (macro, weighted), confusion matrix, ROC and PR curves.

    ``y_score``: ``predict_proba`` output (one column per class in ``classes`` order), or
    decision values (1-D for binary). ``classes`` defaults to the sorted labels seen.
    """
    from sklearn import metrics as skm

    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    labels = list(classes) if classes is not None else sorted(set(y_true.tolist()) | set(y_pred.tolist()))
    labels_arr = np.asarray(labels, dtype=object if y_true.dtype == object else None)
    out: dict[str, Any] = {"task": "classification", "n": int(len(y_true)),
                           "accuracy": _num(skm.accuracy_score(y_true, y_pred))}
    for avg in ("macro", "weighted"):
        p, r, f, _ = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels_arr,
                                                         average=avg, zero_division=0)
        out[f"precision_{avg}"], out[f"recall_{avg}"], out[f"f1_{avg}"] = _num(p), _num(r), _num(f)
    cm = skm.confusion_matrix(y_true, y_pred, labels=labels_arr)
    out["confusion_matrix"] = {"labels": [_py(v) for v in labels], "matrix": cm.tolist()}
    if y_score is not None:
        out.update(_curves(y_true, np.asarray(y_score, dtype=float), labels))
    return out


def evaluate_regressor(y_true: Sequence[float], y_pred: Sequence[float]) -> dict[str, Any]:
    """MAE, RMSE and R²."""
    from sklearn import metrics as skm

    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    return {"task": "regression", "n": int(len(y_true)),
            "mae": _num(skm.mean_absolute_error(y_true, y_pred)),
            "rmse": _num(skm.root_mean_squared_error(y_true, y_pred)),
            "r2": _num(skm.r2_score(y_true, y_pred)) if len(y_true) > 1 else None}


def summary_metrics(evaluation: dict[str, Any]) -> dict[str, float]:
    """The scalar metrics of an evaluation (for run summaries and sweeps)."""
    names = CLASSIFICATION_METRICS if evaluation.get("task") == "classification" else REGRESSION_METRICS
    out = {k: evaluation[k] for k in names if evaluation.get(k) is not None}
    if evaluation.get("roc_auc") is None and evaluation.get("roc_auc_ovr") is not None:
        out["roc_auc"] = evaluation["roc_auc_ovr"]
    return out


def higher_is_better(metric: str) -> bool:
    """Whether a larger value of ``metric`` is better."""
    return metric not in LOWER_IS_BETTER


def downsample(xs: Sequence[float], ys: Sequence[float],
               limit: int = MAX_CURVE_POINTS) -> list[list[float]]:
    """At most ``limit`` evenly spaced points of a curve, keeping both ends."""
    n = len(xs)
    idx = np.arange(n) if n <= limit else np.unique(np.linspace(0, n - 1, limit).round().astype(int))
    return [[_num(s[i]) for i in idx] for s in (xs, ys)]


def _curves(y_true: np.ndarray, score: np.ndarray, labels: list[Any]) -> dict[str, Any]:
    from sklearn import metrics as skm

    if len(labels) == 2:
        pos = labels[1]
        s = score[:, 1] if score.ndim == 2 else score
        targets = [(pos, y_true == pos, s)]
    else:
        if score.ndim != 2 or score.shape[1] != len(labels):
            return {}
        targets = [(c, y_true == c, score[:, i]) for i, c in enumerate(labels)]
    roc, pr, aucs = [], [], []
    for label, positive, s in targets:
        positive = np.asarray(positive, dtype=int)
        if positive.min() == positive.max():
            continue                     # a class absent (or alone) in y_true has no curve
        fpr, tpr, _ = skm.roc_curve(positive, s)
        auc = _num(skm.roc_auc_score(positive, s))
        aucs.append(auc)
        fx, ty = downsample(fpr, tpr)
        roc.append({"label": _py(label), "fpr": fx, "tpr": ty, "auc": auc})
        precision, recall, _ = skm.precision_recall_curve(positive, s)
        rx, py_ = downsample(recall, precision)
        pr.append({"label": _py(label), "recall": rx, "precision": py_,
                   "average_precision": _num(skm.average_precision_score(positive, s))})
    out: dict[str, Any] = {"roc": roc, "pr": pr}
    if len(labels) == 2:
        out["roc_auc"] = aucs[0] if aucs else None
    else:
        # Mean of the per-class one-vs-rest AUCs is sklearn's multi_class="ovr", "macro".
        out["roc_auc_ovr"] = _num(np.mean(aucs)) if aucs and len(aucs) == len(labels) else None
    return out


def _num(v: Any) -> float | None:
    f = float(v)
    return None if math.isnan(f) or math.isinf(f) else f


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v
