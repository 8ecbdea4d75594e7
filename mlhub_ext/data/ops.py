"""Dataset processing operations as serialisable specs.

Each constructor (``dropna(subset=["b"])``...) returns a plain dict such as
``{"op": "dropna", "subset": ["b"], "how": "any"}`` that can be stored as lineage, sent
over REST and replayed by :func:`apply_ops` in a kernel or on a Dask worker. Arguments
are checked when a spec is built and again, against the actual columns, when it is
applied; errors name the operation's index and the problem.

``custom(fn)`` carries the function pickled with cloudpickle (base64) plus its source
for lineage. Unpickling runs code, so :func:`apply_ops` must only run where the user's
own code may run (their kernel or their Dask workers), never in the registry process.
"""
from __future__ import annotations

import base64
import inspect
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import MLHubError, invalid, quoted
from .expr import check_filter

OpSpec = dict[str, Any]

FILL_STRATEGIES = ("mean", "median", "mode", "constant")
CAST_TYPES: dict[str, str] = {
    "int": "int64", "int64": "int64", "int32": "int32", "Int64": "Int64", "float": "float64",
    "float64": "float64", "float32": "float32", "str": "str", "string": "str", "bool": "bool",
    "boolean": "boolean", "category": "category", "datetime": "datetime",
}


def _columns_arg(name: str, columns: Any, allow_none: bool = False) -> list[str] | None:
    if columns is None and allow_none:
        return None
    if isinstance(columns, str):
        columns = [columns]
    if not isinstance(columns, (list, tuple)) or not columns or \
            not all(isinstance(c, str) for c in columns):
        raise invalid(f"{name}: columns must be a non-empty list of column names, got {quoted(columns)}")
    return list(columns)


def _mapping_arg(name: str, mapping: Any) -> dict[str, str]:
    if not isinstance(mapping, dict) or not mapping or \
            not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise invalid(f"{name}: expects a non-empty mapping of column name to string, got {quoted(mapping)}")
    return dict(mapping)


# --- constructors (the SDK's ``mh.data.ops.*``) ------------------------------------------

def dropna(subset: Sequence[str] | None = None, how: str = "any") -> OpSpec:
    """Drop rows with missing values (in ``subset`` columns; ``how="all"`` needs all missing)."""
    if how not in ("any", "all"):
        raise invalid(f"dropna: how must be 'any' or 'all', got {quoted(how)}")
    return {"op": "dropna", "subset": _columns_arg("dropna", subset, allow_none=True), "how": how}


def fillna(columns: Sequence[str] | None = None, strategy: str = "mean", value: Any = None) -> OpSpec:
    """Fill missing values by ``mean``, ``median``, ``mode`` or a ``constant`` ``value``.

    ``columns=None`` means every column with missing values (numeric ones for mean/median).
    """
    if strategy not in FILL_STRATEGIES:
        raise invalid(f"fillna: strategy must be one of {', '.join(FILL_STRATEGIES)}, got {quoted(strategy)}")
    if strategy == "constant" and value is None:
        raise invalid("fillna: strategy 'constant' needs a value")
    if strategy != "constant" and value is not None:
        raise invalid(f"fillna: value is only used with strategy 'constant', not {quoted(strategy)}")
    return {"op": "fillna", "columns": _columns_arg("fillna", columns, allow_none=True),
            "strategy": strategy, "value": value}


def drop_duplicates(subset: Sequence[str] | None = None, keep: str = "first") -> OpSpec:
    """Drop repeated rows (comparing ``subset`` columns), keeping the ``first`` or ``last``."""
    if keep not in ("first", "last"):
        raise invalid(f"drop_duplicates: keep must be 'first' or 'last', got {quoted(keep)}")
    return {"op": "drop_duplicates", "subset": _columns_arg("drop_duplicates", subset, allow_none=True),
            "keep": keep}


def drop_columns(columns: Sequence[str]) -> OpSpec:
    """Remove columns."""
    return {"op": "drop_columns", "columns": _columns_arg("drop_columns", columns)}


def rename_columns(mapping: dict[str, str]) -> OpSpec:
    """Rename columns, ``{"old": "new"}``."""
    return {"op": "rename_columns", "mapping": _mapping_arg("rename_columns", mapping)}


def cast(mapping: dict[str, str]) -> OpSpec:
    """Change column types, ``{"a": "float"}``; types: see :data:`CAST_TYPES`."""
    mapping = _mapping_arg("cast", mapping)
    for col, typ in mapping.items():
        if typ not in CAST_TYPES:
            raise invalid(f"cast: unknown type {quoted(typ)} for column {quoted(col)}; use one of {', '.join(CAST_TYPES)}")
    return {"op": "cast", "mapping": mapping}


def filter_rows(expr: str) -> OpSpec:
    """Keep rows where a pandas-query expression holds, e.g. ``"a > 0 and b == 'x'"``."""
    if not isinstance(expr, str) or not expr.strip():
        raise invalid("filter_rows: expr must be a non-empty string")
    return {"op": "filter_rows", "expr": expr}


def minmax(columns: Sequence[str]) -> OpSpec:
    """Scale numeric columns to [0, 1] (a constant column becomes 0)."""
    return {"op": "minmax", "columns": _columns_arg("minmax", columns)}


def standardize(columns: Sequence[str]) -> OpSpec:
    """Z-score numeric columns: ``(x - mean) / std`` with population std (as scikit-learn)."""
    return {"op": "standardize", "columns": _columns_arg("standardize", columns)}


def one_hot(columns: Sequence[str]) -> OpSpec:
    """Replace categorical columns by 0/1 indicator columns named ``<column>_<value>``."""
    return {"op": "one_hot", "columns": _columns_arg("one_hot", columns)}


def train_test_split(test_size: float = 0.2, seed: int = 0, column: str = "split") -> OpSpec:
    """Add a ``split`` column of ``"train"``/``"test"``; the same seed gives the same split."""
    if not isinstance(test_size, (int, float)) or not 0 < test_size < 1:
        raise invalid(f"train_test_split: test_size must be between 0 and 1, got {quoted(test_size)}")
    if not isinstance(seed, int):
        raise invalid(f"train_test_split: seed must be an integer, got {quoted(seed)}")
    return {"op": "train_test_split", "test_size": float(test_size), "seed": seed, "column": column}


def custom(fn: Callable[[pd.DataFrame], pd.DataFrame], name: str | None = None) -> OpSpec:
    """Wrap a Python function ``DataFrame -> DataFrame`` (pickled with cloudpickle)."""
    import cloudpickle

    if not callable(fn):
        raise invalid(f"custom: expects a callable DataFrame -> DataFrame, got {type(fn).__name__}")
    try:
        source: str | None = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        source = None
    return {"op": "custom", "name": name or getattr(fn, "__qualname__", repr(fn)), "source": source,
            "pickle": base64.b64encode(cloudpickle.dumps(fn)).decode("ascii")}


CONSTRUCTORS: dict[str, Callable[..., OpSpec]] = {
    "dropna": dropna, "fillna": fillna, "drop_duplicates": drop_duplicates,
    "drop_columns": drop_columns, "rename_columns": rename_columns, "cast": cast,
    "filter_rows": filter_rows, "minmax": minmax, "standardize": standardize, "one_hot": one_hot,
    "train_test_split": train_test_split,
}


def validate_op(op: Any) -> OpSpec:
    """Check a spec received as JSON and return it normalised (as its constructor builds it)."""
    if not isinstance(op, dict) or not isinstance(op.get("op"), str):
        raise invalid(f"an operation must be a dict with an 'op' name, got {quoted(op)}")
    name = op["op"]
    args = {k: v for k, v in op.items() if k != "op"}
    if name == "custom":
        if not isinstance(args.get("pickle"), str):
            raise invalid("custom: the spec lacks its pickled function; build it with ops.custom(fn)")
        return dict(op)
    if name not in CONSTRUCTORS:
        raise invalid(f"unknown operation {quoted(name)}; known: {', '.join([*CONSTRUCTORS, 'custom'])}")
    try:
        return CONSTRUCTORS[name](**args)
    except TypeError as exc:
        raise invalid(f"{name}: bad arguments {sorted(args)}: {exc}") from exc


def lineage(ops: Sequence[OpSpec]) -> list[OpSpec]:
    """The specs as recorded in a version's lineage: without the pickled payload of custom ops."""
    return [{k: v for k, v in op.items() if k != "pickle"} for op in ops]


# --- application ------------------------------------------------------------------------

class _OpError(Exception):
    pass


def _need(df: pd.DataFrame, columns: Sequence[str] | None) -> None:
    missing = [c for c in columns or [] if c not in df.columns]
    if missing:
        raise _OpError(f"unknown column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}; "
                       f"columns are {', '.join(map(str, df.columns))}")


def _need_numeric(df: pd.DataFrame, columns: Sequence[str]) -> None:
    _need(df, columns)
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]
    if bad:
        raise _OpError(f"column{'s' if len(bad) > 1 else ''} {', '.join(map(repr, bad))} "
                       f"{'are' if len(bad) > 1 else 'is'} not numeric ({', '.join(str(df[c].dtype) for c in bad)})")


def _whole(value: Any) -> bool:
    """True for a whole number (``2`` or ``2.0``), False for anything else."""
    try:
        return float(value).is_integer()
    except (TypeError, ValueError, OverflowError):
        return False


def _fillna(df: pd.DataFrame, op: OpSpec) -> pd.DataFrame:
    strategy = op["strategy"]
    columns = op["columns"]
    if columns is None:
        columns = [c for c in df.columns if df[c].isna().any() and (
            strategy in ("mode", "constant") or
            (pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])))]
    elif strategy in ("mean", "median"):
        _need_numeric(df, columns)
    else:
        _need(df, columns)
    out = df.copy()
    for col in columns:
        if strategy == "constant":
            fill = op["value"]
        elif strategy == "mode":
            modes = df[col].mode(dropna=True)
            if modes.empty:
                raise _OpError(f"column {quoted(col)} has no values to take the mode of")
            fill = modes.iloc[0]
        else:
            fill = getattr(df[col], strategy)()
            if pd.isna(fill):
                raise _OpError(f"column {quoted(col)} has no values to take the {strategy} of")
        series = df[col]
        if pd.api.types.is_integer_dtype(series.dtype) and not _whole(fill):
            # A nullable integer column (exact integers with gaps) filled with a mean such as
            # 2.5 becomes float64, as a column of integers with NaN always was.
            series = series.astype("float64")
        try:
            out[col] = series.fillna(fill)
        except (TypeError, ValueError) as exc:
            raise _OpError(f"cannot fill column {quoted(col)} with {quoted(fill)}: {exc}") from exc
    return out


def _rename(df: pd.DataFrame, op: OpSpec) -> pd.DataFrame:
    mapping = op["mapping"]
    _need(df, list(mapping))
    result = [mapping.get(c, c) for c in df.columns]
    dupes = sorted({c for c in result if result.count(c) > 1})
    if dupes:
        raise _OpError(f"renaming would give duplicate column names {dupes}")
    return df.rename(columns=mapping)


def _cast(df: pd.DataFrame, op: OpSpec) -> pd.DataFrame:
    _need(df, list(op["mapping"]))
    out = df.copy()
    for col, typ in op["mapping"].items():
        target = CAST_TYPES[typ]
        missing = int(df[col].isna().sum())
        if target in ("int64", "int32", "bool") and missing:
            raise _OpError(f"column {quoted(col)} has {missing} missing values, which {quoted(typ)} cannot hold; "
                           "fill or drop them first, or cast to 'Int64'/'boolean'")
        try:
            out[col] = pd.to_datetime(df[col]) if target == "datetime" else df[col].astype(target)
        except (TypeError, ValueError, OverflowError) as exc:
            raise _OpError(f"cannot cast column {quoted(col)} to {quoted(typ)}: {exc}") from exc
    return out


def _filter(df: pd.DataFrame, op: OpSpec) -> pd.DataFrame:
    try:
        check_filter(op["expr"], [str(c) for c in df.columns])
    except MLHubError as exc:
        raise _OpError(exc.message) from exc
    try:
        return df.query(op["expr"], engine="python").reset_index(drop=True)
    except Exception as exc:  # pandas raises many types for type mismatches in expressions
        raise _OpError(f"cannot evaluate {quoted(op['expr'])}: {type(exc).__name__}: {exc}") from exc


def _scale(df: pd.DataFrame, op: OpSpec) -> pd.DataFrame:
    _need_numeric(df, op["columns"])
    out = df.copy()
    for col in op["columns"]:
        x = df[col].astype("float64")
        if op["op"] == "minmax":
            lo, span = x.min(), x.max() - x.min()
            out[col] = (x - lo) / span if span else x * 0.0
        else:
            std = x.std(ddof=0)
            out[col] = (x - x.mean()) / std if std else x * 0.0
    return out


def _split(df: pd.DataFrame, op: OpSpec) -> pd.DataFrame:
    column = op["column"]
    if column in df.columns:
        raise _OpError(f"column {quoted(column)} already exists; pass column= to name the split column")
    n = len(df)
    n_test = int(round(n * op["test_size"]))
    labels = np.full(n, "train", dtype=object)
    labels[np.random.default_rng(op["seed"]).permutation(n)[:n_test]] = "test"
    return df.assign(**{column: pd.Series(labels, index=df.index, dtype="str")})


def _custom(df: pd.DataFrame, op: OpSpec) -> pd.DataFrame:
    import cloudpickle

    try:
        fn = cloudpickle.loads(base64.b64decode(op["pickle"]))
    except Exception as exc:  # a pickle from another environment can fail in many ways
        raise _OpError(f"cannot load the function {quoted(op.get('name'))}: {type(exc).__name__}: {exc}") from exc
    try:
        result = fn(df.copy())
    except Exception as exc:  # the user's own code; report its error as is
        raise _OpError(f"function {quoted(op.get('name'))} raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(result, pd.DataFrame):
        raise _OpError(f"function {quoted(op.get('name'))} returned {type(result).__name__}, not a DataFrame")
    return result


def _apply(df: pd.DataFrame, op: OpSpec) -> pd.DataFrame:
    name = op["op"]
    if name == "dropna":
        _need(df, op["subset"])
        return df.dropna(subset=op["subset"], how=op["how"]).reset_index(drop=True)
    if name == "fillna":
        return _fillna(df, op)
    if name == "drop_duplicates":
        _need(df, op["subset"])
        return df.drop_duplicates(subset=op["subset"], keep=op["keep"]).reset_index(drop=True)
    if name == "drop_columns":
        _need(df, op["columns"])
        return df.drop(columns=op["columns"])
    if name == "rename_columns":
        return _rename(df, op)
    if name == "cast":
        return _cast(df, op)
    if name == "filter_rows":
        return _filter(df, op)
    if name in ("minmax", "standardize"):
        return _scale(df, op)
    if name == "one_hot":
        _need(df, op["columns"])
        return pd.get_dummies(df, columns=op["columns"], dtype="int8")
    if name == "train_test_split":
        return _split(df, op)
    return _custom(df, op)


def apply_ops(df: pd.DataFrame, ops: Sequence[OpSpec]) -> pd.DataFrame:
    """Apply ``ops`` in order and return the new DataFrame (the input is not modified).

    Accepts a ``pyarrow.Table`` too. Raises ``MLHubError(INVALID)`` like
    ``"op 1 (dropna): unknown column 'z'; columns are a, b"``, naming the 0-based index.
    """
    if not isinstance(df, pd.DataFrame):
        to_pandas = getattr(df, "to_pandas", None)
        if to_pandas is None:
            raise invalid(f"apply_ops needs a pandas DataFrame or pyarrow Table, got {type(df).__name__}")
        df = to_pandas()
    for index, raw in enumerate(ops):
        try:
            op = validate_op(raw)
        except MLHubError as exc:
            raise invalid(f"op {index}: {exc.message}", op_index=index) from exc
        try:
            df = _apply(df, op)
        except _OpError as exc:
            label = op["op"] if op["op"] != "custom" else f"custom {op.get('name')}"
            raise invalid(f"op {index} ({label}): {exc}", op_index=index) from exc
    return df


def split_frames(df: pd.DataFrame, column: str = "split") -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(train, test)`` rows of a frame processed by :func:`train_test_split`, without ``column``."""
    if column not in df.columns:
        raise invalid(f"no {quoted(column)} column; apply ops.train_test_split first")
    rest = df.drop(columns=[column])
    return (rest[df[column] == "train"].reset_index(drop=True),
            rest[df[column] == "test"].reset_index(drop=True))
