"""Schema, preview and per-column statistics, computed in one streaming pass.

:func:`compute_stats` reads record batches once and keeps only bounded summaries per
column (see :mod:`.sketches`): count, missing, mean, std, min and max are exact (std
with ``ddof=1``, as pandas); unique is exact up to ``distinct_cap`` distinct values, then
a HyperLogLog estimate (``unique_exact`` says which); p25/p50/p75 are exact while a
column has at most ``reservoir_size`` values and otherwise come from a seeded uniform
sample of that size (rank error about ``0.5/sqrt(reservoir_size)``; ``quantiles_exact``
says which); histograms hold exact counts in at most ``bins`` equal-width bins whose
edges adapt as the range grows, so no first pass over the data is needed. Memory is
bounded by the batch size plus these summaries, whatever the file size.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any, Union

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .formats import scan_batches
from .frames import dataframe_to_table
from .jsonsafe import json_safe
from .sketches import DistinctCounter, Moments, Reservoir, StreamingHistogram, distinct_values
from .topvalues import TopValues

Source = Union[str, os.PathLike, pa.Table, pd.DataFrame]
QUANTILES = (0.25, 0.5, 0.75)


def type_name(t: pa.DataType) -> str:
    """A short, stable name for an Arrow type (large variants named like the small ones)."""
    if pa.types.is_dictionary(t):
        return type_name(t.value_type)
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "string"
    if pa.types.is_large_binary(t):
        return "binary"
    return str(t)


def column_kind(t: pa.DataType) -> str:
    """``numeric``, ``boolean``, ``temporal``, ``string``, ``null`` or ``other``."""
    if pa.types.is_dictionary(t):
        return column_kind(t.value_type)
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "numeric"
    if pa.types.is_temporal(t):  # timestamps (with or without a time zone), dates, times, durations
        return "temporal"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return "string"
    if pa.types.is_null(t):
        return "null"
    return "other"


def schema_of(source: pa.Schema | pa.Table | pd.DataFrame) -> list[dict[str, str]]:
    """``[{"name": ..., "type": ...}]`` for a schema, table or DataFrame."""
    if isinstance(source, pd.DataFrame):
        source = dataframe_to_table(source.head(0))
    schema = source if isinstance(source, pa.Schema) else source.schema
    return [{"name": f.name, "type": type_name(f.type)} for f in schema]


def py_value(scalar: pa.Scalar) -> Any:
    """An Arrow scalar as a Python value; a date or time beyond Python's years 1-9999 as its
    ISO text (NumPy's, which has no such limit), rather than an OverflowError."""
    try:
        return scalar.as_py()
    except (OverflowError, ValueError):
        t = scalar.type
        if pa.types.is_timestamp(t) or pa.types.is_date64(t):
            unit = "ms" if pa.types.is_date64(t) else t.unit
            raw = pa.array([scalar], t).view(pa.int64())[0].as_py()
            return str(np.datetime64(raw, unit))
        return str(scalar)


def _lesser(a: Any, b: Any, greater: bool = False) -> Any:
    """The smaller (or greater) of two extremes; out-of-range dates (ISO text) compare as text."""
    try:
        pick_b = b > a if greater else b < a
    except TypeError:
        pick_b = str(b) > str(a) if greater else str(b) < str(a)
    return b if pick_b else a


class ColumnStats:
    """Summaries of one column, updated batch by batch."""

    def __init__(self, field: pa.Field, reservoir_size: int, distinct_cap: int, bins: int, seed: int):
        self.field = field
        self.kind = column_kind(field.type)
        self.rows = 0
        self.missing = 0
        self.distinct = DistinctCounter(distinct_cap)
        self.moments = Moments()
        self.reservoir = Reservoir(reservoir_size, seed)
        self.histogram = StreamingHistogram(bins)
        self.min: Any = None
        self.max: Any = None

    def update(self, arr: pa.Array) -> None:
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        self.rows += len(arr)
        if self.kind == "numeric":
            self._numeric(arr)
            return
        self.missing += arr.null_count
        if self.kind in ("null", "other"):
            return  # nested, binary and all-null columns: count and missing only
        valid = pc.drop_null(arr)
        if self.kind == "boolean":
            ints = valid.cast(pa.int8()).to_numpy(zero_copy_only=False)
            self.moments.update(ints.astype(np.float64))
            self.distinct.update(pd.util.hash_array(distinct_values(ints)))
            self._minmax(valid)
        elif self.kind == "temporal":
            # The stored integers (any unit, any time zone), reinterpreted without a cast:
            # Arrow has no cast from every temporal type to int64 (date64, time32...).
            width = pa.int64() if valid.type.bit_width == 64 else pa.int32()
            ints = valid.view(width).to_numpy(zero_copy_only=False)
            self.distinct.update(pd.util.hash_array(distinct_values(ints)))
            self._minmax(valid)
        elif self.kind == "string":
            uniq = pc.unique(valid).to_numpy(zero_copy_only=False).astype(object)
            self.distinct.update(pd.util.hash_array(uniq))

    def _numeric(self, arr: pa.Array) -> None:
        # Moments, quantiles and histograms are approximate by nature: an unsafe cast is
        # fine for them (integers beyond 2**53, decimals). Min, max and distinct values of
        # integers and decimals are taken from the exact values.
        values = arr.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False)
        values = values[~np.isnan(values)]
        self.missing += len(arr) - values.size
        self.moments.update(values)
        self.reservoir.update(values)
        self.histogram.update(values[np.isfinite(values)])
        if pa.types.is_integer(arr.type):
            self._minmax(arr)
            ints = pc.unique(pc.drop_null(arr)).to_numpy(zero_copy_only=False)
            self.distinct.update(pd.util.hash_array(ints))
        elif pa.types.is_decimal(arr.type):
            self._minmax(arr)
            exact = pc.unique(pc.drop_null(arr).cast(pa.string()))
            self.distinct.update(pd.util.hash_array(exact.to_numpy(zero_copy_only=False).astype(object)))
        elif values.size:
            lo, hi = float(values.min()), float(values.max())
            self.min = lo if self.min is None else min(self.min, lo)
            self.max = hi if self.max is None else max(self.max, hi)
            # + 0.0 folds -0.0 into 0.0, which pandas counts as one value
            self.distinct.update(pd.util.hash_array(pc.unique(pa.array(values + 0.0)).to_numpy()))

    def _minmax(self, arr: pa.Array) -> None:
        if len(arr) == arr.null_count:
            return
        if pa.types.is_duration(arr.type):  # min_max has no duration kernel: take it on the integers
            mm = pc.min_max(arr.view(pa.int64()))
            lo, hi = (py_value(pa.scalar(mm[k].as_py(), arr.type)) for k in ("min", "max"))
        else:
            mm = pc.min_max(arr)
            lo, hi = py_value(mm["min"]), py_value(mm["max"])
        self.min = lo if self.min is None else _lesser(self.min, lo)
        self.max = hi if self.max is None else _lesser(self.max, hi, greater=True)

    def result(self) -> dict[str, Any]:
        count = self.rows - self.missing
        numeric = self.kind == "numeric"
        quantiles = self.reservoir.quantiles(list(QUANTILES)) if numeric else None
        mean = self.moments.mean if self.moments.n and self.kind in ("numeric", "boolean") else None
        out: dict[str, Any] = {
            "name": self.field.name, "type": type_name(self.field.type), "kind": self.kind,
            "count": count, "missing": self.missing,
            "unique": self.distinct.count() if self.kind not in ("null", "other") else None,
            "unique_exact": self.distinct.exact,
            "mean": mean, "std": self.moments.std() if mean is not None else None,
            "min": self.min, "max": self.max,
            "p25": quantiles[0] if quantiles else None,
            "p50": quantiles[1] if quantiles else None,
            "p75": quantiles[2] if quantiles else None,
            "quantiles_exact": self.reservoir.exact if numeric else None,
            "histogram": self.histogram.result() if numeric else None,
        }
        return json_safe(out)


class StatsAccumulator:
    """Feed record batches with :meth:`update`; read the statistics with :meth:`result`."""

    def __init__(self, schema: pa.Schema, reservoir_size: int = 65_536, distinct_cap: int = 100_000,
                 bins: int = 20, seed: int = 0) -> None:
        self.schema = schema
        self.rows = 0
        self.columns = [ColumnStats(f, reservoir_size, distinct_cap, bins, seed) for f in schema]
        # Text and boolean columns also list their most frequent values ("top").
        self.top = [TopValues(distinct_cap) if column_kind(f.type) in ("string", "boolean") else None
                    for f in schema]

    def update(self, batch: pa.RecordBatch) -> None:
        self.rows += batch.num_rows
        for col, top, arr in zip(self.columns, self.top, batch.columns):
            col.update(arr)
            if top is not None:
                top.update(arr)

    def result(self) -> dict[str, Any]:
        """``{"num_rows", "num_columns", "columns": [per-column dicts]}``, JSON-safe."""
        columns = [c.result() for c in self.columns]
        for col, top in zip(columns, self.top):
            col["top"] = json_safe(top.result()) if top is not None else None
            col["top_exact"] = top.exact if top is not None else None
        return {"num_rows": self.rows, "num_columns": len(self.columns), "columns": columns}


def _as_table(source: pa.Table | pd.DataFrame) -> pa.Table:
    return dataframe_to_table(source) if isinstance(source, pd.DataFrame) else source


def compute_stats(source: Source | Iterable[pa.RecordBatch], fmt: str | None = None,
                  **options: Any) -> dict[str, Any]:
    """Statistics of a file path, ``pyarrow.Table``, DataFrame or batches, in one pass.

    ``options``: ``reservoir_size``, ``distinct_cap``, ``bins``, ``seed`` (see module doc).
    Returns ``{"num_rows", "num_columns", "columns": [{"name", "type", "kind", "count",
    "missing", "unique", "unique_exact", "mean", "std", "min", "max", "p25", "p50", "p75",
    "quantiles_exact", "histogram": {"edges", "counts"} | None, "top": [{"value", "count"}]
    (the 5 most frequent values of a text or boolean column, else None), "top_exact"}]}``.
    """
    def consume(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> dict[str, Any]:
        acc = StatsAccumulator(schema, **options)
        for batch in batches:
            acc.update(batch)
        return acc.result()

    if isinstance(source, (str, os.PathLike)):
        return scan_batches(source, consume, fmt)
    if isinstance(source, (pa.Table, pd.DataFrame)):
        table = _as_table(source)
        return consume(table.schema, iter(table.to_batches()))
    batches = iter(source)
    first = next(batches, None)
    if first is None:
        raise ValueError("compute_stats needs at least one record batch to know the schema")
    return consume(first.schema, _chain(first, batches))


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest


def preview(source: Source, n: int = 20, fmt: str | None = None) -> dict[str, Any]:
    """The first ``n`` rows as ``{"columns": [{"name","type"}], "rows": [[...]], "total_rows"}``.

    Values are JSON-safe (NaN -> None, timestamps -> ISO strings). A file is read only
    as far as needed; ``total_rows`` is None when that would need reading it all.
    """
    total: int | None
    if isinstance(source, (str, os.PathLike)):
        def head(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> pa.Table:
            taken: list[pa.RecordBatch] = []
            rows = 0
            for batch in batches:
                if rows >= n:
                    break
                taken.append(batch.slice(0, n - rows))
                rows += taken[-1].num_rows
            return pa.Table.from_batches(taken, schema=schema)
        table = scan_batches(source, head, fmt, batch_rows=max(n, 1))
        total = _parquet_rows(source)
    else:
        full = _as_table(source)
        total = full.num_rows
        table = full.slice(0, n)
    columns = [[json_safe(py_value(v)) for v in col] for col in table.columns]
    rows = [list(row) for row in zip(*columns)] if columns else [[] for _ in range(table.num_rows)]
    return {"columns": schema_of(table), "rows": rows, "total_rows": total}


def _parquet_rows(path: str | os.PathLike) -> int | None:
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (pa.ArrowInvalid, OSError):
        return None
