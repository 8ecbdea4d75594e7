"""Differences between two versions of a tabular dataset.

Schema: columns added, removed and retyped. Rows: each row of the columns both versions
share with the same type is hashed to 64 bits (batch by batch, so only 8 bytes per row
are held) and the two multisets of hashes are compared, giving rows added, removed and
unchanged regardless of order. Statistics: per shared column, the changes in count,
missing, unique, mean, std, min, max and quartiles (from :func:`compute_stats` results).
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any, Union

import numpy as np
import pandas as pd
import pyarrow as pa

from .formats import scan_batches
from .frames import dataframe_to_table
from .jsonsafe import json_safe
from .stats import compute_stats, schema_of

Tabular = Union[str, os.PathLike, pa.Table, pd.DataFrame]
STAT_FIELDS = ("count", "missing", "unique", "mean", "std", "min", "max", "p25", "p50", "p75")


def diff_schema(old: list[dict[str, str]], new: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    """``{"added": [{name,type}], "removed": [{name,type}], "retyped": [{name, old, new}]}``."""
    old_types = {c["name"]: c["type"] for c in old}
    new_types = {c["name"]: c["type"] for c in new}
    return {
        "added": [c for c in new if c["name"] not in old_types],
        "removed": [c for c in old if c["name"] not in new_types],
        "retyped": [{"name": n, "old": old_types[n], "new": t} for n, t in new_types.items()
                    if n in old_types and old_types[n] != t],
    }


def diff_stats(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Changed statistics of columns present in both: ``[{column, field, old, new, delta}]``.

    ``delta`` is ``new - old`` for numbers, None otherwise (e.g. timestamps as strings).
    """
    old_cols = {c["name"]: c for c in old["columns"]}
    changes: list[dict[str, Any]] = []
    for col in new["columns"]:
        before = old_cols.get(col["name"])
        if before is None:
            continue
        for field in STAT_FIELDS:
            a, b = before.get(field), col.get(field)
            if a == b:
                continue
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
            changes.append({"column": col["name"], "field": field, "old": a, "new": b,
                            "delta": b - a if numeric else None})
    return changes


def _hashable(batch: pa.RecordBatch) -> pd.DataFrame:
    """The batch as a frame pandas can hash: nested values (lists, structs, maps), which
    pandas holds as unhashable objects, become their canonical JSON text."""
    frame = batch.to_pandas()
    for field in batch.schema:
        if pa.types.is_nested(field.type):
            frame[field.name] = [json.dumps(json_safe(v), sort_keys=True) for v in batch.column(field.name).to_pylist()]
    return frame


def _row_hashes(source: Tabular, columns: list[str]) -> np.ndarray:
    def consume(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> np.ndarray:
        parts = [np.zeros(0, dtype=np.uint64)]
        for batch in batches:
            frame = _hashable(batch.select(columns)) if columns else pd.DataFrame(index=range(batch.num_rows))
            if columns:
                parts.append(pd.util.hash_pandas_object(frame, index=False).to_numpy(np.uint64))
            else:
                parts.append(np.zeros(batch.num_rows, dtype=np.uint64))
        return np.concatenate(parts)

    if isinstance(source, (str, os.PathLike)):
        return scan_batches(source, consume)
    table = dataframe_to_table(source) if isinstance(source, pd.DataFrame) else source
    return consume(table.schema, iter(table.to_batches()))


def diff_rows(old: Tabular, new: Tabular, columns: list[str]) -> dict[str, int]:
    """Compare rows (as multisets over ``columns``): ``{"added", "removed", "unchanged"}``."""
    a_vals, a_counts = np.unique(_row_hashes(old, columns), return_counts=True)
    b_vals, b_counts = np.unique(_row_hashes(new, columns), return_counts=True)
    common, ia, ib = np.intersect1d(a_vals, b_vals, assume_unique=True, return_indices=True)
    shared = int(np.minimum(a_counts[ia], b_counts[ib]).sum())
    return {"added": int(b_counts.sum()) - shared, "removed": int(a_counts.sum()) - shared,
            "unchanged": shared}


def _schema(source: Tabular) -> list[dict[str, str]]:
    if isinstance(source, (str, os.PathLike)):
        return scan_batches(source, lambda schema, batches: schema_of(schema))
    return schema_of(source)


def diff_tables(old: Tabular, new: Tabular, old_stats: dict[str, Any] | None = None,
                new_stats: dict[str, Any] | None = None) -> dict[str, Any]:
    """Diff two versions (paths, tables or DataFrames).

    Pass the versions' stored statistics to avoid recomputing them. Returns
    ``{"schema": diff_schema(...), "rows": {"old", "new", "added", "removed", "unchanged",
    "compared_columns": [...]}, "stats": diff_stats(...)}``. Rows are compared on the
    columns both versions have with the same type, so dropping a column alone does not
    count every row as changed.
    """
    old_schema, new_schema = _schema(old), _schema(new)
    schema = diff_schema(old_schema, new_schema)
    new_types = {c["name"]: c["type"] for c in new_schema}
    compared = [c["name"] for c in old_schema if new_types.get(c["name"]) == c["type"]]
    old_stats = old_stats or compute_stats(old)
    new_stats = new_stats or compute_stats(new)
    rows = diff_rows(old, new, compared)
    return {
        "schema": schema,
        "rows": {"old": old_stats["num_rows"], "new": new_stats["num_rows"], **rows,
                 "compared_columns": compared},
        "stats": diff_stats(old_stats, new_stats),
    }
