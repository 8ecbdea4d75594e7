"""The typed columnar copy of a tabular dataset (Parquet via pyarrow).

:func:`convert_to_parquet` streams any supported file into Parquet and computes its
statistics in the same pass; writes go to a temporary file renamed into place, so a
failed conversion leaves nothing behind.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.errors import invalid
from .formats import detect_format, scan_batches
from .frames import dataframe_to_table
from .names import ReadReport
from .stats import StatsAccumulator, schema_of

COMPRESSION = "zstd"
ROW_GROUP_ROWS = 128 * 1024


def _temp_next_to(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def to_parquet(table: pa.Table | pd.DataFrame, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Write a table or DataFrame to ``path`` atomically.

    Returns ``{"path", "num_rows", "bytes", "schema": [{"name", "type"}]}``.
    """
    path = Path(path)
    if isinstance(table, pd.DataFrame):
        table = dataframe_to_table(table)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_next_to(path)
    try:
        pq.write_table(table, tmp, compression=COMPRESSION)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return {"path": str(path), "num_rows": table.num_rows, "bytes": path.stat().st_size,
            "schema": schema_of(table)}


def convert_to_parquet(src: str | os.PathLike[str], dest: str | os.PathLike[str], fmt: str | None = None,
                       with_stats: bool = True, sheet: str | None = None, **stats_options: Any) -> dict[str, Any]:
    """Stream ``src`` (any tabular format) into the Parquet file ``dest``, in one pass.

    ``sheet``: the sheet of an Excel workbook (see :func:`.formats.read_xlsx`). Returns
    ``{"format", "num_rows", "bytes", "schema": [{"name","type"}], "stats": {...} | None,
    "reading": {...}}`` where ``stats`` is :func:`mlhub_ext.data.stats.compute_stats`'s
    result and ``reading`` is :meth:`.names.ReadReport.to_json` (renamed columns, columns
    read as text, the sheet read and all sheets; ``{}`` when none applies). Raises
    ``MLHubError(INVALID)`` for unreadable input, with ``dest`` untouched.
    """
    src, dest = Path(src), Path(dest)
    fmt = detect_format(src, fmt)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_next_to(dest)

    def consume(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> dict[str, Any]:
        acc = StatsAccumulator(schema, **stats_options) if with_stats else None
        rows = 0
        pending: list[pa.RecordBatch] = []
        with pq.ParquetWriter(tmp, schema, compression=COMPRESSION) as writer:
            for batch in batches:
                pending.append(batch)
                rows += batch.num_rows
                if acc is not None:
                    acc.update(batch)
                # Readers' small batches make poor row groups; write about ROW_GROUP_ROWS at once.
                if sum(b.num_rows for b in pending) >= ROW_GROUP_ROWS:
                    writer.write_table(pa.Table.from_batches(pending, schema=schema))
                    pending = []
            if pending:
                writer.write_table(pa.Table.from_batches(pending, schema=schema))
        if not schema.names:
            raise invalid(f"{src.name} has no columns")
        return {"format": fmt, "num_rows": rows, "schema": schema_of(schema),
                "stats": acc.result() if acc is not None else None}

    try:
        report = ReadReport()
        result = scan_batches(src, consume, fmt, sheet=sheet, report=report)
        result["reading"] = report.to_json()
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    result["bytes"] = dest.stat().st_size
    return result


def read_parquet(path: str | os.PathLike[str], columns: list[str] | None = None) -> pa.Table:
    """Read the columnar copy back as a ``pyarrow.Table``."""
    return pq.read_table(path, columns=columns)


def load_pandas(path: str | os.PathLike[str], columns: list[str] | None = None) -> pd.DataFrame:
    """Load the columnar copy as a DataFrame (what ``Dataset.to_pandas()`` returns)."""
    return pd.read_parquet(path, columns=columns)
