"""pandas DataFrames to Arrow tables, with the same rules as files.

A column of mixed types (``[1, 2, "A7"]``), which Arrow cannot type, becomes text, as
a CSV reader makes it; column names become text, a blank one gets a generated name and a
repeated one is refused (see :func:`.names.column_names`). The SDK uses this module to
write a DataFrame before uploading it, so the registry sees what a file would give.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from ..core.errors import invalid, quoted
from .names import ReadReport, column_names

_ARROW_ERRORS = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


def _as_text(value: Any) -> str | None:
    try:
        missing = value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # arrays and other containers
        missing = False
    return None if missing else str(value)


def frame_to_table(df: pd.DataFrame, source: str = "the DataFrame",
                   report: ReadReport | None = None) -> pa.Table:
    """Convert ``df`` (its index dropped) to a ``pyarrow.Table`` without pandas metadata.

    Columns Arrow cannot type are turned into text (``None``/NaN stay missing) and listed
    in ``report.text_columns``; renamed columns in ``report.renamed_columns``. Raises
    ``MLHubError(INVALID)`` naming a repeated column name, or a column that has no Arrow
    type and is not of object dtype (``source`` names what is read).
    """
    report = report if report is not None else ReadReport()
    names, renamed = column_names(list(df.columns), source)
    report.renamed_columns = renamed
    frame = df.set_axis(names, axis=1)
    try:
        return pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    except _ARROW_ERRORS:
        pass
    fixed = frame.copy()
    for name in names:
        try:
            pa.array(fixed[name], from_pandas=True)
        except _ARROW_ERRORS as exc:
            if fixed[name].dtype != object:
                raise invalid(f"{source}: column {quoted(name)} of dtype {fixed[name].dtype} cannot be stored: {exc}",
                              column=name) from exc
            fixed[name] = fixed[name].map(_as_text).astype(object)
            report.text_columns.append(name)
    try:
        return pa.Table.from_pandas(fixed, preserve_index=False).replace_schema_metadata(None)
    except _ARROW_ERRORS as exc:
        raise invalid(f"{source} cannot be stored as a table: {exc}") from exc


def dataframe_to_table(df: pd.DataFrame) -> pa.Table:
    """:func:`frame_to_table` without the report."""
    return frame_to_table(df)
