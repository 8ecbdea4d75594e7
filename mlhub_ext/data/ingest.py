"""One entry point for registering a file, folder or DataFrame as a dataset version.

The registry calls :func:`ingest` on an uploaded file (already on disk) and stores what
it returns in the version manifest: for a table, the Parquet copy's schema, row count and
statistics (computed in the same pass as the conversion); for an image collection, the
manifest from :func:`mlhub_ext.data.images.scan_images`. Nothing is written to
``parquet_dest`` unless the whole input is valid.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ..core.errors import invalid, quoted

from .archives import DEFAULT_LIMITS, ZipLimits
from .formats import IMAGES, detect_format
from .images import scan_images
from .parquet import convert_to_parquet, to_parquet
from .stats import compute_stats


def ingest(path: str | os.PathLike[str], parquet_dest: str | os.PathLike[str], fmt: str | None = None,
           limits: ZipLimits = DEFAULT_LIMITS, sheet: str | None = None, **stats_options: Any) -> dict[str, Any]:
    """Check and describe ``path``; for tables also write the typed copy to ``parquet_dest``.

    ``sheet``: which sheet of an Excel workbook to read. Returns ``{"kind": "table",
    "format", "num_rows", "bytes", "schema", "stats", "reading"}`` (``reading``: see
    :func:`.parquet.convert_to_parquet`) or ``{"kind": "images", "format": "images",
    "manifest": {...}}``. Raises ``MLHubError`` (INVALID, TOO_LARGE, NOT_FOUND) for bad
    input, and INVALID for any Arrow error the input causes (a message, not a 500).
    """
    fmt = detect_format(path, fmt)
    if fmt == IMAGES:
        if sheet is not None:
            raise invalid(f"sheet={quoted(sheet)} applies to Excel workbooks; this upload is an image collection")
        return {"kind": "images", "format": IMAGES, "manifest": scan_images(path, limits)}
    try:
        return {"kind": "table", **convert_to_parquet(path, parquet_dest, fmt, sheet=sheet, **stats_options)}
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
        # The readers translate what they know; anything else Arrow refuses in a file is
        # still about the file, so it is reported as such rather than as a server error.
        raise invalid(f"{Path(path).name} cannot be stored as a table: {type(exc).__name__}: {exc}") from exc


def ingest_dataframe(df: pd.DataFrame, parquet_dest: str | os.PathLike[str],
                     **stats_options: Any) -> dict[str, Any]:
    """The same as :func:`ingest` for an in-memory DataFrame (format ``"dataframe"``)."""
    written = to_parquet(df, parquet_dest)
    return {"kind": "table", "format": "dataframe", "num_rows": written["num_rows"],
            "bytes": written["bytes"], "schema": written["schema"],
            "stats": compute_stats(parquet_dest, **stats_options)}
