"""Dataset formats, statistics and processing (pure Python over pyarrow/pandas).

Submodules load on first use, so ``mlhub_ext.data.ops.dropna`` works after
``import mlhub_ext.data`` without paying for pyarrow until it is needed:

- :mod:`.names` name normalisation; :mod:`.formats` detection and reading;
  :mod:`.archives` safe zip handling; :mod:`.images` image collections;
  :mod:`.stats` schema, preview and statistics; :mod:`.parquet` the columnar copy;
  :mod:`.ops` processing operations; :mod:`.diff` differences between versions;
  :mod:`.ingest` the one call that checks and describes an upload.
"""
from __future__ import annotations

import importlib
from types import ModuleType

_SUBMODULES = ("names", "formats", "archives", "images", "stats", "parquet", "ops", "diff", "ingest")

__all__ = list(_SUBMODULES)


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
