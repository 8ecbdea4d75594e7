"""Grid sweeps: expand a space into trial specs, run them in parallel, pick the best.

A space maps parameter names to lists of values. Names are estimator params (for
pipelines ``step__param``), or, for torch kinds, also training fields (``epochs``,
``lr``, ...). Every trial is validated before any is queued.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.errors import invalid, quoted
from .evaluation import CLASSIFICATION_METRICS, REGRESSION_METRICS, higher_is_better
from .jobs import TrainJob, submit_train
from .loading import TableSource
from .specs import TORCH_KINDS, TRAINING_FIELDS, ModelSpec, validate_spec

MAX_TRIALS = 500
# What train_task's "metrics" hold: evaluation scalars, plus final losses for torch.
KNOWN_METRICS = frozenset(CLASSIFICATION_METRICS) | frozenset(REGRESSION_METRICS) | {"loss", "val_loss"}


def expand_grid(spec: ModelSpec | dict[str, Any], space: dict[str, list[Any]], *,
                allow_custom: bool = False) -> list[ModelSpec]:
    """One validated spec per point of the grid (in ``itertools.product`` order)."""
    if isinstance(spec, dict):
        spec = ModelSpec.from_dict(spec)
    if not isinstance(space, dict) or not space:
        raise invalid("a sweep space must map parameter names to lists of values")
    for name, values in space.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise invalid(f"sweep values for {quoted(name)} must be a non-empty list")
    total = 1
    for values in space.values():
        total *= len(values)
    if total > MAX_TRIALS:
        raise invalid(f"the space has {total} trials; at most {MAX_TRIALS} are allowed")
    names = list(space)
    trials = []
    for combo in itertools.product(*(space[n] for n in names)):
        point = dict(zip(names, combo))
        fields = {k: v for k, v in point.items() if spec.kind in TORCH_KINDS and k in TRAINING_FIELDS}
        params = {**spec.params, **{k: v for k, v in point.items() if k not in fields}}
        trials.append(validate_spec(replace(spec, params=params, **fields), allow_custom=allow_custom))
    return trials


def trial_point(trial: ModelSpec, space: dict[str, list[Any]]) -> dict[str, Any]:
    """The values a trial takes for the swept names."""
    return {k: (getattr(trial, k) if k in TRAINING_FIELDS and trial.kind in TORCH_KINDS
                else trial.params.get(k)) for k in space}


# Parameters whose larger values make a fit longer (None, "no limit", the longest of all),
# and those whose smaller values do; matched on the name after any ``step__`` prefix.
_LONGER_WHEN_LARGER = frozenset({"n_estimators", "max_iter", "n_iter", "epochs", "max_depth", "max_leaf_nodes",
                                 "num_leaves", "hidden_sizes", "hidden_layer_sizes", "hidden_size", "channels",
                                 "max_features", "n_components"})
_LONGER_WHEN_SMALLER = frozenset({"batch_size", "min_samples_leaf", "min_samples_split", "tol"})


def trial_costs(trials: list[ModelSpec], space: dict[str, list[Any]]) -> list[float]:
    """A guess at each trial's relative training time, from the swept values alone.

    Only for ordering: a sweep starts its longest trials first, so that on a few workers
    the short ones fill the gaps at the end instead of a long one running alone (on a
    2-worker cluster this takes a 12-trial forest grid from 1.65x to about 1.9x serial).
    Unknown parameters count as equal, which keeps the grid's order among them.
    """
    points = [trial_point(t, space) for t in trials]
    costs = [1.0] * len(trials)
    for name in space:
        base = name.rsplit("__", 1)[-1]
        if base not in _LONGER_WHEN_LARGER and base not in _LONGER_WHEN_SMALLER:
            continue
        sizes = [_size(p[name]) for p in points]
        known = [v for v in sizes if v is not None and v > 0]
        if not known:
            continue
        unlimited = 2.0 * max(known)          # None: no limit, longer than any limit given
        for i, v in enumerate(sizes):
            v = unlimited if v is None else max(v, 1e-12)
            costs[i] *= v if base in _LONGER_WHEN_LARGER else 1.0 / v
    return costs


def _size(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return float(sum(value)) or 1.0
    return 1.0                                # "sqrt", "auto", ...: no guess


def check_metric(metric: str, spec: ModelSpec | None = None) -> str:
    """Refuse a metric name sweeps cannot rank by (or, for scikit-learn specs, one that
    does not fit the estimator: ``rmse`` for a classifier, ``accuracy`` for a regressor)."""
    if metric not in KNOWN_METRICS:
        raise invalid(f"unknown metric {quoted(metric)}; choose one of {sorted(KNOWN_METRICS)}")
    if spec is not None and spec.kind == "sklearn":
        from sklearn.base import is_classifier, is_regressor

        from .specs import build_sklearn_estimator

        est = build_sklearn_estimator(spec)
        valid = (CLASSIFICATION_METRICS if is_classifier(est)
                 else REGRESSION_METRICS if is_regressor(est) else None)
        if valid is not None and metric not in valid:
            raise invalid(f"metric {quoted(metric)} does not apply to {spec.estimator}; choose one "
                          f"of {list(valid)}")
    if spec is not None and spec.kind not in TORCH_KINDS and metric in ("loss", "val_loss"):
        raise invalid(f"metric {quoted(metric)} exists only for torch models")
    return metric


def select_best(metrics: list[dict[str, Any] | None], metric: str) -> int | None:
    """Index of the best trial by ``metric`` (higher is better except for errors/losses).

    Trials with no value (failed, or the metric missing) are skipped; None if none has one.
    """
    scored = [(i, m[metric]) for i, m in enumerate(metrics)
              if m is not None and isinstance(m.get(metric), (int, float))]
    if not scored:
        return None
    sign = 1 if higher_is_better(metric) else -1
    # First best wins ties, so the result does not depend on completion order.
    return max(scored, key=lambda t: (sign * t[1], -t[0]))[0]


@dataclass
class Sweep:
    """A running sweep: one :class:`~.jobs.TrainJob` per trial."""

    sweep_id: str
    metric: str
    space: dict[str, list[Any]]
    trials: list[ModelSpec]
    jobs: list[TrainJob]
    results: list[dict[str, Any] | None] = field(default_factory=list)

    def wait(self) -> dict[str, Any]:
        """Gather every trial; returns the summary (see :meth:`summary`)."""
        self.results = []
        for job in self.jobs:
            try:
                self.results.append(job.result())
            except (Exception, asyncio.CancelledError):
                # A failed or aborted trial is reported in its row, not raised.
                self.results.append(None)
            job.close()
        return self.summary()

    def summary(self) -> dict[str, Any]:
        """``{"best": index | None, "metric", "trials": [{index, params, state, metrics, error}]}``."""
        rows = []
        for i, (trial, job) in enumerate(zip(self.trials, self.jobs)):
            res = self.results[i] if i < len(self.results) else None
            rows.append({"index": i, "job_id": job.job_id, "params": trial_point(trial, self.space),
                         "state": job.state(), "metrics": res["metrics"] if res else None,
                         "error": job.error()})
        best = select_best([r["metrics"] for r in rows], self.metric)
        return {"sweep_id": self.sweep_id, "metric": self.metric,
                "higher_is_better": higher_is_better(self.metric), "best": best, "trials": rows}

    def abort(self) -> None:
        for job in self.jobs:
            job.abort()


def submit_sweep(client: Any, spec: ModelSpec | dict[str, Any], table: TableSource, target: str,
                 space: dict[str, list[Any]], metric: str, *, sweep_id: str | None = None,
                 allow_custom: bool = False) -> Sweep:
    """Validate every trial, then queue them all; the table is sent to the cluster once."""
    trials = expand_grid(spec, space, allow_custom=allow_custom)
    check_metric(metric, trials[0])
    sweep_id = sweep_id or uuid.uuid4().hex[:12]
    source: Any = table
    if not isinstance(table, (str, os.PathLike)):
        # One copy on the cluster shared by every trial, instead of one per task.
        source = client.scatter(table, broadcast=True, hash=False)
    # Longest first; ties keep the grid's order. Submitted in that order too: a free worker
    # starts the first task that reaches the scheduler before the next one is even sent.
    costs = trial_costs(trials, space)
    order = sorted(range(len(trials)), key=lambda i: (-costs[i], i))
    jobs: list[Any] = [None] * len(trials)
    for rank, i in enumerate(order):
        jobs[i] = submit_train(client, trials[i], source, target, job_id=f"{sweep_id}-{i}",
                               allow_custom=allow_custom, priority=len(trials) - rank)
    return Sweep(sweep_id=sweep_id, metric=metric, space=space, trials=trials, jobs=jobs)


def run_sweep(client: Any, spec: ModelSpec | dict[str, Any], table: TableSource, target: str,
              space: dict[str, list[Any]], metric: str, **kw: Any) -> dict[str, Any]:
    """Submit and wait; the summary plus ``best_result`` (the best trial's train result)."""
    sweep = submit_sweep(client, spec, table, target, space, metric, **kw)
    summary = sweep.wait()
    best = summary["best"]
    summary["best_result"] = sweep.results[best] if best is not None else None
    return summary
