"""Dataset name normalisation, as the ML Mini Platform did it.

``"My DataSet.csv"`` becomes ``"my_dataset"``: the file's base name without its
extension, accents folded to ASCII, lower case, every run of other characters turned
into one underscore, no underscores at the ends. CamelCase is not split
(``DataSet`` -> ``dataset``), matching the reference behaviour.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath, PurePosixPath, PureWindowsPath

from ..core.errors import invalid

#: Extensions removed from a file name before normalising (compound ones first).
DATASET_EXTENSIONS: tuple[str, ...] = (
    ".csv.gz", ".tsv.gz", ".tar.gz",
    ".csv", ".tsv", ".tab", ".txt", ".json", ".jsonl", ".ndjson",
    ".xlsx", ".xlsm", ".xls", ".parquet", ".pq", ".zip",
)

MAX_NAME_LENGTH = 128

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def strip_extension(filename: str) -> str:
    """Return ``filename``'s base name without a known dataset extension."""
    base = PureWindowsPath(filename).name if "\\" in filename else PurePosixPath(filename).name
    lowered = base.lower()
    for ext in DATASET_EXTENSIONS:
        if lowered.endswith(ext) and len(base) > len(ext):
            return base[: -len(ext)]
    return base


def normalize_name(name: str | PurePath) -> str:
    """Normalise a file name or free text into a dataset name.

    >>> normalize_name("My DataSet.csv")
    'my_dataset'

    Raises ``MLHubError(INVALID)`` when nothing usable is left (e.g. ``"???.csv"``).
    """
    text = strip_extension(str(name))
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    result = _NON_ALNUM.sub("_", folded.lower()).strip("_")
    if not result:
        raise invalid(f"cannot make a dataset name from {str(name)!r}: no letters or digits left")
    if len(result) > MAX_NAME_LENGTH:
        result = result[:MAX_NAME_LENGTH].rstrip("_")
    return result


def is_normalized(name: str) -> bool:
    """True when ``name`` is already a valid normalised dataset name."""
    return bool(name) and len(name) <= MAX_NAME_LENGTH and _NON_ALNUM.sub("_", name) == name \
        and not name.startswith("_") and not name.endswith("_") and "__" not in name
