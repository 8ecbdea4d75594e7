"""Parameter importance for a metric over a project's runs, as W&B's parameter-importance panel
computes it: a random forest's impurity importance per param and the Pearson correlation.

Which runs count: those selected (by ids or by a filter) whose metric is a finite number (the
latest logged value, else the summary's value). Runs without it (or with NaN/infinity) are left
out and counted in ``skipped``. A param some counted runs lack: numbers are filled with the
median of the runs that have it; text gets a ``(missing)`` category. ``n`` of a row is how many
counted runs have the param. Text (and any non-numeric) params are one-hot encoded, the
importance of their columns summed back per param; their correlation is None. Booleans count
as 0/1. A param with one value only gets importance 0 and correlation None.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..core.errors import invalid, quoted
from ..core.run_table import MISSING, RunTable

MAX_INSIGHT_RUNS = 10_000
MAX_CATEGORIES = 50      # a text param's most frequent values kept; the rest is "(other)"
MAX_TREE_SAMPLES = 2_000
MISSING_CATEGORY = "(missing)"
OTHER_CATEGORY = "(other)"


@dataclass
class ParamImportance:
    param: str
    importance: float
    correlation: float | None
    n: int
    kind: str   # "number" | "category"

    def to_json(self) -> dict[str, Any]:
        return {"param": self.param, "importance": self.importance, "correlation": self.correlation,
                "n": self.n, "kind": self.kind}


@dataclass
class Insights:
    metric: str
    runs: int                                   # runs the table was computed over
    params: list[ParamImportance] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)   # {"without_metric": n}

    def to_json(self) -> dict[str, Any]:
        return {"metric": self.metric, "runs": self.runs, "skipped": self.skipped,
                "params": [p.to_json() for p in self.params]}


def project_insights(registry: Any, user: str, project: str, metric: Any, runs: Any = None,
                     filter: str | None = None, q: str | None = None) -> Insights:
    """The importance table of ``project``'s runs (read role) for ``metric``: all runs matching
    ``filter``/``q``, or the run ids ``runs``. 422 ``invalid`` naming the problem: an unknown
    or non-numeric metric, fewer than 2 runs with the metric, bad ids."""
    if not isinstance(metric, str) or not 0 < len(metric) <= 256:
        raise invalid("metric must be a metric key of 1-256 characters", field="metric")
    table = RunTable(registry)
    query = table.query(user, project, filter=filter, q=q)
    rows = table.store.table_values(query, metric, MAX_INSIGHT_RUNS)
    if runs is not None:
        if not isinstance(runs, list) or not all(isinstance(r, str) for r in runs) or len(runs) > MAX_INSIGHT_RUNS:
            raise invalid(f"runs must be a list of at most {MAX_INSIGHT_RUNS:,} run ids", field="runs")
        wanted = set(runs)
        rows = [r for r in rows if r[0] in wanted]
        unknown = wanted - {r[0] for r in rows}
        if unknown:
            raise invalid(f"{len(unknown)} of the runs are not in project {quoted(project)} (or do not match): "
                          f"{', '.join(sorted(unknown)[:5])}", field="runs")
    if rows and all(v is MISSING for _, _, v in rows):
        known = table.store.table_metric_keys(query, 50)
        raise invalid(f"no selected run of project {quoted(project)} has metric {quoted(metric)}; "
                      f"their metrics: {', '.join(known) or 'none'}", field="metric")
    return importance(rows, metric)


def importance(rows: Sequence[tuple[str, dict[str, Any], Any]], metric: str) -> Insights:
    """The table for ``(run id, params, metric value)`` rows (see the module docstring)."""
    usable: list[tuple[dict[str, Any], float]] = []
    without = 0
    for run_id, params, value in rows:
        if value is MISSING or value is None:
            without += 1
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid(f"metric {quoted(metric)} is not numeric: run {run_id} has {quoted(value)}; "
                          "choose a metric whose values are numbers", field="metric")
        if not math.isfinite(value):
            without += 1
            continue
        usable.append((params, float(value)))
    if len(usable) < 2:
        raise invalid(f"parameter importance needs at least 2 runs with a finite {quoted(metric)}; "
                      f"{len(usable)} of the {len(rows)} selected runs have one", field="metric")
    y = np.array([v for _, v in usable], dtype=np.float64)
    names = sorted({k for p, _ in usable for k in p})
    columns: list[np.ndarray] = []
    owners: list[int] = []
    results: list[ParamImportance] = []
    for i, name in enumerate(names):
        present = [p[name] for p, _ in usable if name in p]
        numeric = all(isinstance(v, (int, float)) and (isinstance(v, bool) or math.isfinite(v)) for v in present)
        row = ParamImportance(name, 0.0, None, len(present), "number" if numeric else "category")
        results.append(row)
        if numeric:
            col = np.array([float(p[name]) if name in p else np.nan for p, _ in usable])
            have = ~np.isnan(col)
            if np.ptp(col[have]) == 0:
                continue
            row.correlation = _pearson(col[have], y[have])
            col[~have] = np.median(col[have])
            columns.append(col)
            owners.append(i)
        else:
            labels = [_category(p[name]) if name in p else MISSING_CATEGORY for p, _ in usable]
            kept = _top_categories(labels)
            labels = [lab if lab in kept else OTHER_CATEGORY for lab in labels]
            distinct = sorted(set(labels))
            if len(distinct) < 2:
                continue
            arr = np.array(labels, dtype=object)
            for cat in distinct:
                columns.append((arr == cat).astype(np.float64))
                owners.append(i)
    if columns and np.ptp(y) > 0:
        from sklearn.ensemble import RandomForestRegressor

        # Each tree sees at most MAX_TREE_SAMPLES runs (bootstrap): 10,000 runs cost what 2,000 do.
        forest = RandomForestRegressor(n_estimators=100, random_state=0, n_jobs=1,
                                       max_samples=min(len(y), MAX_TREE_SAMPLES))
        forest.fit(np.column_stack(columns), y)
        sums = np.zeros(len(names))
        np.add.at(sums, np.array(owners), forest.feature_importances_)
        for row, value in zip(results, sums.tolist()):
            row.importance = float(value) if math.isfinite(value) else 0.0
    results.sort(key=lambda r: (-r.importance, -abs(r.correlation or 0.0), r.param))
    return Insights(metric, len(usable), results, {"without_metric": without})


def _pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    r = float(np.corrcoef(x, y)[0, 1])
    return r if math.isfinite(r) else None


def _category(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _top_categories(labels: list[str]) -> set[str]:
    counts: dict[str, int] = {}
    for lab in labels:
        counts[lab] = counts.get(lab, 0) + 1
    if len(counts) <= MAX_CATEGORIES:
        return set(counts)
    return set(sorted(counts, key=lambda k: (-counts[k], k))[:MAX_CATEGORIES - 1])
