"""Dataset and column names.

Dataset names are normalised as the ML Mini Platform did it:

``"My DataSet.csv"`` becomes ``"my_dataset"``: the file's base name without its
extension, accents folded to ASCII, lower case, every run of other characters turned
into one underscore, no underscores at the ends. CamelCase is not split
(``DataSet`` -> ``dataset``), matching the reference behaviour.

Column names come from a file's header: :func:`column_names` gives blank header cells a
generated name and refuses a repeated one; :class:`ReadReport` records such changes.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath, PurePosixPath, PureWindowsPath

from ..core.errors import invalid, quoted

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
        raise invalid(f"cannot make a dataset name from {quoted(str(name))}: no letters or digits left")
    if len(result) > MAX_NAME_LENGTH:
        result = result[:MAX_NAME_LENGTH].rstrip("_")
    return result


def is_normalized(name: str) -> bool:
    """True when ``name`` is already a valid normalised dataset name."""
    return bool(name) and len(name) <= MAX_NAME_LENGTH and _NON_ALNUM.sub("_", name) == name \
        and not name.startswith("_") and not name.endswith("_") and "__" not in name


# --- column names ----------------------------------------------------------------------

def _blank(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and cell != cell) or not str(cell).strip()


def column_names(header: Sequence[object], source: str) -> tuple[list[str], list[dict[str, object]]]:
    """Column names from a header row: ``(names, renamed)``.

    A blank cell (empty or only spaces) gets the generated name ``column_<position>``
    (1-based; ``column_<position>_2``... if the file already has that name); other cells are
    kept as text, unchanged. ``renamed`` lists ``{"position", "original", "name"}`` per
    generated name. A name that is truly repeated raises ``MLHubError(INVALID)`` naming it,
    as the header then does not say which column is which; ``source`` names the file.
    """
    names = ["" if _blank(c) else str(c) for c in header]
    given = [n for n in names if n]
    dupes = sorted({n for n in given if given.count(n) > 1})
    if dupes:
        raise invalid(f"{source}: the header repeats column names {dupes}; give each column its own name")
    taken = set(given)
    renamed: list[dict[str, object]] = []
    for i, cell in enumerate(header):
        if names[i]:
            continue
        name, k = f"column_{i + 1}", 2
        while name in taken:
            name, k = f"column_{i + 1}_{k}", k + 1
        taken.add(name)
        names[i] = name
        renamed.append({"position": i + 1, "original": "" if cell is None or cell != cell else str(cell),
                        "name": name})
    return names, renamed


@dataclass
class ReadReport:
    """What reading a file changed or chose, recorded in the version (manifest ``reading``).

    ``renamed_columns``: blank header cells and the names generated for them (see
    :func:`column_names`); ``text_columns``: columns of mixed types read as text; ``sheet``
    and ``sheets``: the workbook sheet read and all sheets of the workbook, in order.
    """

    renamed_columns: list[dict[str, object]] = field(default_factory=list)
    text_columns: list[str] = field(default_factory=list)
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """Only what applies: ``{}`` for a file read as it is."""
        out: dict[str, object] = {}
        if self.renamed_columns:
            out["renamed_columns"] = [dict(r) for r in self.renamed_columns]
        if self.text_columns:
            out["text_columns"] = list(self.text_columns)
        if self.sheet is not None:
            out["sheet"] = self.sheet
            out["sheets"] = list(self.sheets)
        return out
