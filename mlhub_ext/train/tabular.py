"""Turn a table and a target column into features, labels and an input schema.

Features stay a DataFrame (columns in schema order) so that a fitted model and the
prediction checks agree on names; non-numeric columns are refused unless the spec asks
for one-hot encoding, which the model then carries itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import invalid, quoted

# Integer targets with at most this many distinct values are treated as class labels.
MAX_INFERRED_CLASSES = 50
# A text feature with at most this many distinct values records them in the input schema
# (``categories``), so that a form can offer them as choices.
MAX_SCHEMA_CATEGORIES = 50


@dataclass
class PreparedTable:
    """Features and labels ready for training."""

    X: pd.DataFrame
    y: np.ndarray
    input_schema: list[dict[str, Any]]
    task: str
    classes: list[Any] | None = None
    categorical: list[str] = field(default_factory=list)


def column_dtype(series: pd.Series) -> str:
    """The schema dtype of a column: ``bool``, ``int``, ``float`` or ``string``."""
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return "string"


def infer_task(y: pd.Series) -> str:
    """Classification for non-numeric or few-valued integer targets, else regression."""
    if pd.api.types.is_bool_dtype(y) or not pd.api.types.is_numeric_dtype(y):
        return "classification"
    if pd.api.types.is_integer_dtype(y) and y.nunique() <= MAX_INFERRED_CLASSES:
        return "classification"
    return "regression"


def check_target(df: pd.DataFrame, target: Any) -> None:
    """Refuse an empty table or a target that is not one of its columns."""
    if not isinstance(df, pd.DataFrame):
        raise invalid(f"expected a table, got {type(df).__name__}")
    if len(df) == 0:
        raise invalid("the dataset is empty: it has no rows to train on")
    if target not in df.columns:
        raise invalid(f"target column {quoted(target)} not found; available columns: "
                      f"{[str(c) for c in df.columns]}")
    if df.shape[1] < 2:
        raise invalid(f"the dataset has no feature columns besides the target {quoted(target)}")


def select_features(df: pd.DataFrame, target: str, features: list[str] | None) -> pd.DataFrame:
    """``df`` cut to ``features`` (in that order) and the target; all columns when None.

    Raises ``MLHubError(INVALID)`` naming a feature that is not a column, or the target.
    """
    if features is None:
        return df
    names = [str(c) for c in df.columns]
    missing = [f for f in features if f not in names]
    if missing:
        raise invalid(f"feature column(s) {missing} not found; available columns: {names}", columns=missing)
    if target in features:
        raise invalid(f"the target {quoted(target)} cannot also be a feature; remove it from features")
    return df[[*features, target]] if target in names else df[list(features)]


def prepare_table(df: pd.DataFrame, target: str, *, encode: str | None = None,
                  task: str | None = None) -> PreparedTable:
    """Split ``df`` into features and target, checking both.

    ``task`` is ``"classification"``, ``"regression"`` or None (inferred from the target).
    """
    check_target(df, target)
    y_raw = df[target]
    missing = int(y_raw.isna().sum())
    if missing:
        raise invalid(f"target column {quoted(target)} has {missing} missing value(s)")
    task = task or infer_task(y_raw)
    X = df.drop(columns=[target])
    X.columns = [str(c) for c in X.columns]
    schema = [{"name": c, "dtype": column_dtype(X[c])} for c in X.columns]
    categorical = [s["name"] for s in schema if s["dtype"] == "string"]
    if categorical and encode != "onehot":
        raise invalid(f"non-numeric feature column(s) {categorical} need an encoding: "
                      "set encode='onehot' or leave them out of features", columns=categorical)
    for c in categorical:
        X[c] = X[c].astype(object).where(X[c].notna(), None)
    for s in schema:
        if s["dtype"] == "string":
            values = {str(v) for v in X[s["name"]] if v is not None}
            if len(values) <= MAX_SCHEMA_CATEGORIES:
                s["categories"] = sorted(values)
    for s in schema:
        if s["dtype"] == "bool":
            X[s["name"]] = X[s["name"]].astype(float)
    if task == "classification":
        y = np.asarray(y_raw.to_numpy())
        classes = sorted({to_python(v) for v in y}, key=_sort_key)
    else:
        if not pd.api.types.is_numeric_dtype(y_raw) or pd.api.types.is_bool_dtype(y_raw):
            raise invalid(f"regression needs a numeric target; {quoted(target)} is "
                          f"{column_dtype(y_raw)}")
        y = y_raw.to_numpy(dtype=float)
        classes = None
    return PreparedTable(X=X, y=y, input_schema=schema, task=task, classes=classes,
                         categorical=categorical)


def to_python(value: Any) -> Any:
    """A numpy scalar as the plain Python value JSON and ``torch.load`` accept."""
    return value.item() if isinstance(value, np.generic) else value


def _sort_key(value: Any) -> tuple[str, Any]:
    # Mixed label types sort by type name first instead of failing.
    return (type(value).__name__, value)
