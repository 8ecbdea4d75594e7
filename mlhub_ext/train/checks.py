"""Checks on training data that need only the registry's schema and statistics.

A dataset version carries per-column statistics (count, missing, unique, min, max,
quartiles; :mod:`mlhub_ext.data.stats`). Whatever a worker would refuse minutes later and
can be told from them is refused here, before a job is queued, naming the columns and
the remedies the platform offers: missing values (``impute``, an estimator that accepts
them, a ``fillna``/``dropna`` version), a target that does not fit the estimator
(continuous for a classifier, text for a regression, a single class) and too few rows
for the held-out split. Each check raises ``MLHubError(INVALID)`` (422).
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from ..core.errors import invalid, quoted
from .specs import IMPUTE_STRATEGIES, ModelSpec, build_sklearn_estimator

# Arrow type names (data.stats.type_name) that training reads as numbers.
_NUMERIC_ARROW = ("int", "uint", "float", "double", "bool", "decimal", "halffloat")
_NUMERIC_DTYPES = ("float", "int", "bool")
IMPUTE_HINT = (f"train with impute='median' (a SimpleImputer step the model keeps, so predictions may leave "
               f"these features out too; strategies: {', '.join(IMPUTE_STRATEGIES)})")
NAN_ESTIMATORS = ("sklearn.ensemble.HistGradientBoostingClassifier", "sklearn.ensemble.HistGradientBoostingRegressor",
                  "sklearn.ensemble.RandomForestClassifier", "sklearn.ensemble.RandomForestRegressor")
REGRESSORS = ("sklearn.ensemble.RandomForestRegressor", "sklearn.ensemble.HistGradientBoostingRegressor",
              "sklearn.linear_model.Ridge")
CLASSIFIERS = ("sklearn.ensemble.RandomForestClassifier", "sklearn.ensemble.HistGradientBoostingClassifier",
               "sklearn.linear_model.LogisticRegression")


def accepts_missing(est: Any) -> bool:
    """Whether a scikit-learn estimator (or pipeline, by its first step) takes NaN in ``X``."""
    steps = getattr(est, "steps", None)
    if isinstance(steps, list):
        first = next((s for _, s in steps if s is not None and s != "passthrough"), None)
        return first is not None and accepts_missing(first)
    try:
        from sklearn.utils import get_tags

        return bool(get_tags(est).input_tags.allow_nan)
    except Exception:  # not a scikit-learn estimator (a custom object): assume not
        return False


def mark_nullable(schema: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The input schema with ``"nullable": true`` on numeric features (missing values allowed)."""
    return [{**c, "nullable": True} if c.get("dtype") in _NUMERIC_DTYPES else c for c in schema]


def is_numeric_type(type_name: Any) -> bool:
    return str(type_name or "").startswith(_NUMERIC_ARROW)


def _missing_list(cols: Sequence[dict[str, Any]], rows: int | None) -> str:
    of = f" of {rows:,}" if rows is not None else ""
    return ", ".join(f"{quoted(c['name'])} ({c['missing']:,}{of} rows)" for c in cols)


def _estimator_label(spec: ModelSpec) -> str:
    if spec.kind != "sklearn":
        return spec.kind
    if spec.steps:
        last = spec.steps[-1]
        path = last.get("estimator") if isinstance(last, dict) else (last[1] if len(last) > 1 else None)
        return f"the pipeline's final step {path}"
    return str(spec.estimator)


def _task_of(spec: ModelSpec) -> tuple[str | None, Any]:
    """The task the spec fixes (None: inferred from the target) and the built estimator."""
    if spec.kind == "sklearn":
        from sklearn.base import is_classifier, is_regressor

        est = build_sklearn_estimator(spec)
        if is_classifier(est):
            return "classification", est
        if is_regressor(est):
            return "regression", est
        return spec.task, est
    return spec.task, None


def _continuous_evidence(col: dict[str, Any]) -> float | None:
    """A non-integer value the statistics prove the column holds, or None. Only min and
    max count: they are values of the column, while quartiles are interpolated (the
    median of 0s and 1s can be 0.5), so whole-number labels are never refused."""
    for key in ("min", "max"):
        v = col.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v != int(v):
            return float(v)
    return None


def _counterpart(path: str | None) -> str | None:
    """``sklearn.ensemble.RandomForestRegressor`` for ``...RandomForestClassifier`` (if it exists)."""
    if not path or not path.endswith("Classifier"):
        return None
    other = path[: -len("Classifier")] + "Regressor"
    module, _, name = other.rpartition(".")
    try:
        import importlib

        return other if hasattr(importlib.import_module(module), name) else None
    except ImportError:
        return None


def check_target_fits(spec: ModelSpec, target: str, col: dict[str, Any], where: str) -> None:
    """Refuse a target the estimator cannot learn: missing labels, a continuous target for a
    classifier, a text target for a regression, a single class."""
    if col.get("missing"):
        raise invalid(f"target column {quoted(target)} has {col['missing']:,} missing value(s) in {where}; every "
                      "training row needs a label: make a version without them (the dataset operation "
                      f"dropna with subset [{quoted(target)}])", column=target, missing=col["missing"])
    task, _ = _task_of(spec)
    type_name, unique = col.get("type"), col.get("unique")
    label = _estimator_label(spec)
    distinct = f", {unique:,} distinct values" if isinstance(unique, int) else ""
    if task == "classification" and col.get("kind") == "numeric":
        sample = _continuous_evidence(col)
        if sample is not None:
            if spec.kind == "sklearn":
                fits = [p for p in (_counterpart(spec.estimator), *REGRESSORS) if p]
                remedy = f"use a regressor such as {', '.join(dict.fromkeys(fits))}"
            else:
                remedy = "set task='regression' (or leave task out)"
            raise invalid(f"target column {quoted(target)} is continuous ({type_name}{distinct}, e.g. {sample:g}) "
                          f"but {label} is a classifier, which needs class labels: {remedy}; or make a version "
                          "whose target holds classes", column=target, target_type=type_name, task="regression")
    if task == "regression" and col.get("kind") in ("string", "boolean", "temporal", "null", "other"):
        if spec.kind == "sklearn":
            remedy = f"use a classifier such as {', '.join(CLASSIFIERS)}"
        else:
            remedy = "set task='classification' (or leave task out)"
        raise invalid(f"target column {quoted(target)} is {type_name}{distinct}, not a number, but {label} does "
                      f"regression, which needs a numeric target: {remedy}", column=target,
                      target_type=type_name, task="classification")
    if task == "classification" and unique == 1 and col.get("count"):
        raise invalid(f"target column {quoted(target)} holds a single value in {where}; a classifier needs at "
                      "least two classes", column=target)


def check_split(spec: ModelSpec, rows: int | None, where: str) -> None:
    """Refuse a table too small to hold out ``spec.test_size`` (as :func:`fitting.split` would)."""
    if rows is None or not spec.test_size:
        return
    n_test = math.ceil(rows * spec.test_size)
    if n_test < 1 or rows - n_test < 1:
        raise invalid(f"{where} has {rows:,} row(s): too few to hold out test_size={spec.test_size} and still "
                      "train on the rest; add rows or set test_size=0 (evaluated on the training rows)")


def check_missing_features(spec: ModelSpec, feature_stats: Sequence[dict[str, Any]], rows: int | None,
                           where: str) -> None:
    """Refuse numeric features with missing values that the model would not accept."""
    gaps = [c for c in feature_stats if c.get("missing") and is_numeric_type(c.get("type"))]
    if not gaps or spec.kind == "custom" or spec.impute:
        return
    if spec.kind == "sklearn":
        _, est = _task_of(spec)
        if accepts_missing(est):
            return
        remedies = (f"{IMPUTE_HINT}; use an estimator that accepts missing values (e.g. "
                    f"{', '.join(NAN_ESTIMATORS[:2])}); or make a version without them (the dataset "
                    "operations fillna or dropna)")
    else:
        remedies = "make a version without them (the dataset operations fillna or dropna)"
    raise invalid(f"feature column(s) with missing values in {where}: {_missing_list(gaps, rows)}; "
                  f"{_estimator_label(spec)} does not accept missing values. Remedies: {remedies}",
                  columns={c["name"]: c["missing"] for c in gaps})


def check_training_data(spec: ModelSpec | None, target: str, stats: dict[str, Any] | None,
                        features: Sequence[str] | None, where: str) -> None:
    """Every check above, on a version's ``stats`` (``{"num_rows", "columns": [...]}``).

    ``features``: the columns to train on (None: all but the target). Columns the
    statistics do not list are left to the other checks (unknown columns are named there).
    """
    if spec is None or not stats:
        return
    by_name = {c.get("name"): c for c in stats.get("columns") or []}
    rows = stats.get("num_rows")
    check_split(spec, rows, where)
    if target in by_name:
        check_target_fits(spec, target, by_name[target], where)
    names = list(features) if features is not None else [n for n in by_name if n != target]
    if spec.kind == "torch_cnn":   # images: no tabular features
        if spec.image_column is not None and spec.image_column not in by_name:
            raise invalid(f"image column {quoted(spec.image_column)} not found in {where}; available columns: "
                          f"{quoted(list(by_name))}", column=spec.image_column)
        return
    check_missing_features(spec, [by_name[n] for n in names if n in by_name], rows, where)


def check_evaluation_data(schema: Sequence[dict[str, Any]], stats: dict[str, Any] | None,
                          columns: Sequence[str], where: str, target: str | None = None) -> None:
    """Refuse an evaluation dataset with missing labels, that lacks the model's features, or
    has missing values in features the model cannot take missing."""
    by_name = {c.get("name"): c for c in (stats or {}).get("columns") or []}
    label = by_name.get(target) or {}
    if label.get("missing"):
        raise invalid(f"target column {quoted(target)} has {label['missing']:,} missing value(s) in {where}; "
                      "an evaluation compares every row's label: evaluate on a version without them (the dataset "
                      f"operation dropna with subset [{quoted(target)}])", column=target, missing=label["missing"])
    if len(schema) == 1 and schema[0].get("dtype") == "image":
        return
    lacking = [c["name"] for c in schema if c["name"] not in columns]
    if lacking:
        raise invalid(f"{where} lacks the model's feature column(s) {quoted(lacking)}; the model was trained on "
                      f"{quoted([c['name'] for c in schema])}", columns=lacking)
    gaps = [by_name[c["name"]] for c in schema
            if not c.get("nullable") and c.get("dtype") in _NUMERIC_DTYPES and (by_name.get(c["name"]) or {}).get("missing")]
    if gaps:
        raise invalid(f"feature column(s) with missing values in {where}: "
                      f"{_missing_list(gaps, (stats or {}).get('num_rows'))}; this model version was trained without "
                      "missing values and cannot take them. Evaluate on a version without them (the dataset "
                      "operations fillna or dropna), or train a version with impute='median'",
                      columns={c["name"]: c["missing"] for c in gaps})
