"""The functions sent to Dask workers: train a spec, evaluate a stored model.

Both take and return plain data (dicts, bytes, a table source) so they pickle cheaply
and the registry can store the result as is. Progress and abort go through
:mod:`.progress`; a torch loop that sees the abort event raises
:class:`~.torch_models.TrainingAborted`, which the caller's future then holds.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from .evaluation import evaluate_classifier, evaluate_regressor, summary_metrics
from .fitting import describe_model, fit_spec
from .loading import TableSource, load_table
from .predict import features_from_table, load_model
from .progress import Reporter, RunHooks
from .specs import validate_spec


def train_task(spec_dict: dict[str, Any], table: TableSource, target: str,
               run_hooks: RunHooks | dict[str, Any] | None = None,
               allow_custom: bool = False) -> dict[str, Any]:
    """Train and evaluate on a worker. Returns a dict the registry stores:

    ``model_bytes`` (bytes), ``model_type`` ("sklearn" | "torch" | "custom"), ``task``,
    ``estimator_name`` (e.g. "RandomForestClassifier", "Pipeline(StandardScaler, SVC)", "MLP"),
    ``metrics`` (scalar metrics of the held-out evaluation, plus final ``loss`` /
    ``val_loss`` for torch), ``evaluation`` (see :mod:`.evaluation`, with ``loss_curve``
    for torch and ``evaluated_on``), ``history`` (per-epoch metrics), ``input_schema``,
    ``classes``, ``param_count``, ``n_train``, ``n_test``, ``spec`` (normalised),
    ``duration_s``.
    """
    started = time.time()
    reporter = Reporter(run_hooks)
    try:
        reporter.emit("state", state="running", worker=reporter.worker_address())
        spec = validate_spec(spec_dict, allow_custom=allow_custom)
        reporter.emit("progress", progress=0.0, message="loading data")
        df = load_table(table)
        reporter.emit("progress", progress=0.05, message=f"training on {len(df)} rows")

        def on_epoch(epoch: int, metrics: dict[str, float]) -> None:
            reporter.emit("epoch", epoch=epoch, epochs=spec.epochs, progress=epoch / spec.epochs,
                          metrics={k: float(v) for k, v in metrics.items()})

        fit = fit_spec(spec, df, target, on_epoch=on_epoch, should_abort=reporter.should_abort)
        reporter.emit("progress", progress=0.95, message="evaluating")
        evaluation = evaluate_model(fit.model, fit.X_test, fit.y_test, fit.task, fit.classes)
        evaluation["evaluated_on"] = fit.evaluated_on
        metrics = summary_metrics(evaluation)
        if fit.history:
            evaluation["loss_curve"] = [
                {k: h[k] for k in ("epoch", "loss", "val_loss") if k in h} for h in fit.history]
            last = fit.history[-1]
            metrics.update({k: last[k] for k in ("loss", "val_loss") if k in last})
        reporter.emit("progress", progress=1.0, message="registering the version")
        return {
            "model_bytes": fit.model_bytes, "model_type": fit.model_type, "task": fit.task,
            "estimator_name": describe_model(fit.model),
            "metrics": metrics, "evaluation": evaluation, "history": fit.history,
            "input_schema": fit.input_schema, "classes": fit.classes,
            "param_count": int(fit.param_count), "n_train": int(fit.n_train),
            "n_test": int(len(fit.y_test)), "spec": spec.to_dict(),
            "duration_s": time.time() - started,
        }
    finally:
        reporter.close()


def evaluate_task(model_bytes: bytes, model_type: str, table: TableSource, target: str,
                  input_schema: list[dict[str, Any]], classes: list[Any] | None = None,
                  allow_custom: bool = False) -> dict[str, Any]:
    """Evaluate a stored model on another table (which must hold the schema's features)."""
    from ..core.errors import invalid, quoted
    from .tabular import check_target

    model = load_model(model_bytes, model_type, allow_custom=allow_custom)
    df = load_table(table)
    check_target(df, target)
    X = features_from_table(df, input_schema)
    task = "classification" if classes is not None else "regression"
    y = df[target].to_numpy()
    if task == "classification":
        unseen = sorted({str(v) for v in y} - {str(c) for c in classes or []})
        if unseen:
            raise invalid(f"target {quoted(target)} has labels the model never saw: {unseen[:10]}")
    evaluation = evaluate_model(model, X, y, task, classes)
    evaluation["evaluated_on"] = "dataset"
    evaluation["metrics"] = summary_metrics(evaluation)
    return evaluation


def evaluate_model(model: Any, X: Any, y: Any, task: str,
                   classes: list[Any] | None) -> dict[str, Any]:
    """Predict ``X`` and score against ``y`` (probabilities or decision values for curves)."""
    y_pred = model.predict(X)
    if task != "classification":
        return evaluate_regressor(np.asarray(y, dtype=float), y_pred)
    score = None
    for method in ("predict_proba", "decision_function"):
        fn = getattr(model, method, None)
        if callable(fn):
            try:
                score = fn(X)
                break
            except AttributeError:     # estimators that expose the method but refuse it
                continue
    return evaluate_classifier(y, y_pred, score, classes)

