"""Dataset formats: detection from extension and content, and reading into Arrow.

:func:`detect_format` trusts neither the extension nor the content alone: the content
must agree with the extension (a ``.csv`` that is really a zip, Excel or Parquet file is
refused), and content decides when there is no known extension. :func:`scan_batches`
streams record batches into a consumer (CSV/TSV, JSON Lines and Parquet are streamed;
JSON and Excel are read whole, as their formats do not allow otherwise), and
:func:`read_table` collects them into one ``pyarrow.Table``. Every reader names columns
by one rule (:func:`.names.column_names`) and says what it changed or chose (renamed
columns, columns read as text, the workbook sheet) in a :class:`.names.ReadReport`.
"""
from __future__ import annotations

import codecs
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ..core.errors import invalid, not_found, quoted
from .csvread import scan_csv
from .frames import dataframe_to_table, frame_to_table  # noqa: F401  (dataframe_to_table: re-exported)
from .names import ReadReport, column_names
from .textcheck import is_blank, utf8_error

T = TypeVar("T")

TABULAR_FORMATS: tuple[str, ...] = ("csv", "tsv", "json", "jsonl", "xlsx", "parquet")
IMAGES = "images"
FORMATS: tuple[str, ...] = TABULAR_FORMATS + (IMAGES,)

EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".jsonl": "jsonl",
    ".ndjson": "jsonl", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet",
    ".zip": IMAGES,
}
_TEXT_EXTENSIONS = {".txt", ".dat", ""}

BATCH_ROWS = 65_536
_HEAD = 64 * 1024

_CONTENT_NAMES = {
    "zip": "a zip archive", "xlsx": "an Excel workbook", "parquet": "a Parquet file",
    "xls": "a legacy Excel (.xls) workbook", "gzip": "gzip-compressed data", "png": "a PNG image",
    "jpeg": "a JPEG image", "pdf": "a PDF document", "binary": "binary data",
    "utf16": "UTF-16 text", "text": "delimited text", "json": "JSON", "jsonl": "JSON Lines",
}
_MAGIC = [
    (b"PAR1", "parquet"), (b"\xd0\xcf\x11\xe0", "xls"), (b"\x1f\x8b", "gzip"),
    (b"\x89PNG", "png"), (b"\xff\xd8\xff", "jpeg"), (b"%PDF", "pdf"),
    (codecs.BOM_UTF16_LE, "utf16"), (codecs.BOM_UTF16_BE, "utf16"),
]


def sniff_content(path: str | os.PathLike[str]) -> str:
    """Classify a file by its first bytes: one of the keys of ``_CONTENT_NAMES`` or ``"empty"``."""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    if is_blank(head):
        return "empty" if len(head) < _HEAD else "text"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(path)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"\x00" in head:
        return "binary"
    text = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        first, _, rest = text.partition(b"\n")
        try:
            row = json.loads(first)
        except ValueError:
            return "json"
        if not rest.strip() and isinstance(row, dict) and row and all(isinstance(v, list) for v in row.values()):
            return "json"  # a one-line object of columns
        return "jsonl" if isinstance(row, dict) else "json"
    return "text"


def _sniff_zip(path: str | os.PathLike[str]) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip"  # damaged; the reader reports it
    return "xlsx" if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names) else "zip"


def _delimiter_guess(path: Path) -> str:
    with open(path, "rb") as fh:
        first = fh.readline(_HEAD)
    return "tsv" if first.count(b"\t") > first.count(b",") else "csv"


def csv_delimiter(path: str | os.PathLike[str]) -> str:
    """The delimiter of a ``.csv`` file: a comma unless the header has none but has ``;`` or ``|``
    (as spreadsheets in many locales write)."""
    with open(path, "rb") as fh:
        header = fh.readline(_HEAD)
    if header.count(b",") == 0:
        counts = {d: header.count(d.encode()) for d in (";", "|", "\t")}
        best = max(counts, key=lambda d: counts[d])
        if counts[best]:
            return best
    return ","


def detect_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """Return the format of ``path``: one of :data:`FORMATS`.

    ``fmt`` (or else the extension) says what the file should be; the content must agree.
    A folder is an image collection. Raises ``MLHubError(INVALID)`` for an empty file, an
    unknown format, or content that contradicts the extension or ``fmt``.
    """
    path = Path(path)
    if not path.exists():
        raise not_found("file", str(path))
    if path.is_dir():
        if fmt not in (None, IMAGES):
            raise invalid(f"{path.name} is a folder; only image collections can be folders, not {fmt}")
        return IMAGES
    if fmt is not None and fmt not in FORMATS:
        raise invalid(f"unknown format {quoted(fmt)}; supported: {', '.join(FORMATS)}")
    if path.stat().st_size == 0:
        raise invalid(f"{path.name} is empty (0 bytes)")
    content = sniff_content(path)
    if content == "empty":
        raise invalid(f"{path.name} is empty (only whitespace)")
    ext = path.suffix.lower()
    declared = fmt or EXTENSIONS.get(ext)
    if declared is None and ext not in _TEXT_EXTENSIONS:
        if content in ("json", "jsonl", "xlsx", "parquet"):  # unambiguous content
            return _from_content(path, content)
        raise invalid(f"unknown format for {path.name}: extension {quoted(ext)} is not supported "
                      f"(content looks like {_CONTENT_NAMES.get(content, content)}); "
                      f"supported: .csv .tsv .json .jsonl .xlsx .parquet .zip")
    if declared is None:
        return _from_content(path, content)
    return _reconcile(path, declared, content)


def _from_content(path: Path, content: str) -> str:
    if content == "text":
        return _delimiter_guess(path)
    if content in ("json", "jsonl", "xlsx", "parquet"):
        return content
    if content == "zip":
        return IMAGES
    raise invalid(f"unknown format for {path.name}: content is {_CONTENT_NAMES.get(content, content)}")


def _mismatch(path: Path, declared: str, content: str) -> Exception:
    return invalid(f"{path.name} should be {declared} but its content is "
                   f"{_CONTENT_NAMES.get(content, content)}; format mismatch", expected=declared,
                   found=content)


def _reconcile(path: Path, declared: str, content: str) -> str:
    if content == "xls":
        raise invalid(f"{path.name} is a legacy .xls workbook; save it as .xlsx")
    if content == "utf16":
        raise invalid(f"{path.name} is UTF-16 text; save it as UTF-8")
    if declared in ("csv", "tsv"):
        if content not in ("text", "json", "jsonl"):
            raise _mismatch(path, declared, content)
        return declared
    if declared in ("json", "jsonl"):
        if content not in ("json", "jsonl"):
            raise _mismatch(path, declared, content)
        return content
    if declared == "xlsx":
        if content == "zip":
            raise invalid(f"{path.name} is not a valid Excel workbook (corrupt, or a zip that is not .xlsx)")
        if content != "xlsx":
            raise invalid(f"{path.name} is not a valid Excel workbook: its content is "
                          f"{_CONTENT_NAMES.get(content, content)} (corrupt or mismatched)")
        return declared
    if declared == "parquet":
        if content != "parquet":
            raise _mismatch(path, declared, content)
        return declared
    if content != "zip":
        raise _mismatch(path, "a zip archive of images", content)
    return IMAGES


# --- readers -------------------------------------------------------------------------

Consumer = Callable[[pa.Schema, Iterator[pa.RecordBatch]], T]


def scan_batches(path: str | os.PathLike[str], consume: Consumer[T], fmt: str | None = None,
                 batch_rows: int = BATCH_ROWS, memory_pool: pa.MemoryPool | None = None,
                 sheet: str | None = None, report: ReadReport | None = None) -> T:
    """Stream a tabular file as record batches into ``consume(schema, batches)``.

    ``consume`` must be restartable: for CSV whose later rows need a wider column type
    than the first block suggested, it is called again from the start (see ``csvread``).
    Column names follow :func:`.names.column_names` in every format (a blank one gets
    ``column_<position>``, a repeated one is refused). ``sheet`` names the sheet of an
    Excel workbook to read (default: the first that holds rows; see :func:`read_xlsx`).
    What reading changed or chose goes into ``report``. Returns what ``consume`` returns.
    """
    path = Path(path)
    fmt = detect_format(path, fmt)
    report = report if report is not None else ReadReport()
    if sheet is not None and fmt != "xlsx":
        raise invalid(f"sheet={quoted(sheet)} applies to Excel workbooks; {path.name} is {fmt}")
    if fmt in ("csv", "tsv"):
        return scan_csv(path, consume, "\t" if fmt == "tsv" else csv_delimiter(path), memory_pool, report)
    if fmt == "parquet":
        return _scan_parquet(path, _named(path, consume, report), batch_rows)
    if fmt == "jsonl":
        return _scan_jsonl(path, _named(path, consume, report))
    if fmt == IMAGES:
        raise invalid(f"{path.name} is an image collection, not a table; use mlhub_ext.data.images")
    table = _read_json(path, report) if fmt == "json" else read_xlsx(path, sheet, report)
    return _named(path, consume, report)(table.schema, iter(table.to_batches(max_chunksize=batch_rows)))


def _named(path: Path, consume: Consumer[T], report: ReadReport) -> Consumer[T]:
    """``consume`` given batches whose columns are named by the header rule."""
    def wrapped(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> T:
        names, renamed = column_names(schema.names, path.name)
        if not renamed:
            return consume(schema, batches)
        report.renamed_columns = renamed
        named = pa.schema([f.with_name(n) for f, n in zip(schema, names)])
        return consume(named, (pa.RecordBatch.from_arrays(b.columns, schema=named) for b in batches))
    return wrapped


def read_table(path: str | os.PathLike[str], fmt: str | None = None, sheet: str | None = None,
               report: ReadReport | None = None) -> pa.Table:
    """Read a tabular file into a ``pyarrow.Table`` (format detected as in :func:`detect_format`)."""
    def collect(schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> pa.Table:
        return pa.Table.from_batches(list(batches), schema=schema)
    return scan_batches(path, collect, fmt, sheet=sheet, report=report)


def _scan_parquet(path: Path, consume: Consumer[T], batch_rows: int) -> T:
    try:
        pf = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise invalid(f"{path.name} is not a readable Parquet file: {exc}") from exc

    def gen() -> Iterator[pa.RecordBatch]:
        try:
            yield from pf.iter_batches(batch_size=batch_rows)
        except (pa.ArrowInvalid, OSError) as exc:
            raise invalid(f"{path.name}: corrupt Parquet data: {exc}") from exc
    return consume(pf.schema_arrow, gen())


def _text_error(path: Path, exc: Exception) -> Exception:
    if isinstance(exc, UnicodeDecodeError) or "UTF8" in str(exc) or "UTF-8" in str(exc):
        return utf8_error(path)
    return invalid(f"{path.name}: cannot read JSON: {exc}")


def _scan_jsonl(path: Path, consume: Consumer[T]) -> T:
    try:
        reader = pajson.open_json(path, read_options=pajson.ReadOptions(block_size=4 << 20))
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise _text_error(path, exc) from exc

    def gen() -> Iterator[pa.RecordBatch]:
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise invalid(f"{path.name}: JSON Lines rows disagree or are malformed: {exc}") from exc
            yield batch
    return consume(reader.schema, gen())


def _read_json(path: Path, report: ReadReport) -> pa.Table:
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise _text_error(path, exc) from exc
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # one object per line: JSON Lines under a .json name
            return _scan_jsonl(path, lambda s, b: pa.Table.from_batches(list(b), schema=s))
        raise invalid(f"{path.name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                      line=exc.lineno) from exc
    if isinstance(data, list) and all(isinstance(r, dict) for r in data):
        if not data:
            raise invalid(f"{path.name} holds an empty JSON array; there are no rows")
        try:
            return pa.Table.from_pylist(data)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # a column of mixed types: read it as text
            return frame_to_table(pd.DataFrame(data), path.name, report)
    if isinstance(data, dict) and data and all(isinstance(v, list) for v in data.values()):
        try:
            return pa.table(data)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            try:
                frame = pd.DataFrame(data)
            except ValueError as exc:  # columns of different lengths
                raise invalid(f"{path.name}: the columns hold different numbers of values: {exc}") from exc
            return frame_to_table(frame, path.name, report)
    raise invalid(f"{path.name}: JSON must be an array of objects (rows) or an object of arrays (columns)")


def _open_workbook(path: Path) -> pd.ExcelFile:
    try:
        return pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise invalid(f"{path.name} is a corrupt Excel workbook: {exc}") from exc
    except ValueError as exc:
        raise invalid(f"{path.name}: cannot read the Excel workbook: {exc}") from exc
    except Exception as exc:  # openpyxl raises assorted parser errors for damaged XML
        if type(exc).__module__.split(".")[0] in ("openpyxl", "xml", "lxml"):
            raise invalid(f"{path.name} is a corrupt Excel workbook: {exc}") from exc
        raise


def _parse_sheet(book: pd.ExcelFile, path: Path, sheet: str) -> pd.DataFrame:
    """The sheet's cells (no header taken yet), without blank rows above the table."""
    try:
        cells = pd.read_excel(book, sheet_name=sheet, header=None)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as exc:
        raise invalid(f"{path.name}: cannot read sheet {quoted(sheet)}: {exc}") from exc
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in ("openpyxl", "xml", "lxml"):
            raise invalid(f"{path.name}: sheet {quoted(sheet)} is corrupt: {exc}") from exc
        raise
    filled = cells.notna().any(axis=1).to_numpy()
    return cells.iloc[int(filled.argmax()):] if filled.any() else cells.iloc[0:0]


def workbook_sheets(path: str | os.PathLike[str]) -> list[str]:
    """The sheet names of an Excel workbook, in order."""
    path = Path(path)
    with _open_workbook(path) as book:
        return [str(s) for s in book.sheet_names]


def read_xlsx(path: str | os.PathLike[str], sheet: str | None = None,
              report: ReadReport | None = None) -> pa.Table:
    """One sheet of an Excel workbook as a table; its first row is the header.

    ``sheet`` names the sheet; without it, the first sheet that holds at least one row
    under its header (a sheet with only a note is passed over), else the first sheet with
    a header. ``report`` gets the sheet read, all sheet names, renamed and text columns.
    Raises ``MLHubError(INVALID)`` for a sheet that does not exist (naming the sheets
    there are), an empty sheet or workbook, or a corrupt file.
    """
    path = Path(path)
    report = report if report is not None else ReadReport()
    with _open_workbook(path) as book:
        sheets = [str(s) for s in book.sheet_names]
        report.sheets = sheets
        if sheet is not None:
            if sheet not in sheets:
                raise invalid(f"{path.name} has no sheet {quoted(sheet)}; its sheets are "
                              f"{', '.join(repr(s) for s in sheets)}", sheet=sheet, sheets=sheets)
            chosen, cells = sheet, _parse_sheet(book, path, sheet)
            if cells.empty:
                raise invalid(f"{path.name}: sheet {quoted(sheet)} is empty", sheet=sheet, sheets=sheets)
        else:
            chosen, cells = None, None
            for name in sheets:
                found = _parse_sheet(book, path, name)
                if len(found) >= 2:
                    chosen, cells = name, found
                    break
                if len(found) == 1 and cells is None:
                    chosen, cells = name, found  # a header only: kept unless a later sheet has rows
            if cells is None or chosen is None:
                raise invalid(f"{path.name}: no sheet of the workbook holds any cells "
                              f"(sheets: {', '.join(repr(s) for s in sheets)})", sheets=sheets)
    report.sheet = chosen
    header = list(cells.iloc[0])
    data = cells.iloc[1:].reset_index(drop=True).infer_objects()
    for i, cell in enumerate(header):
        # Under a blank header cell a column of whole numbers was typed float by the
        # header's NaN; typed on its own rows (as pandas does below a header) it is int64.
        column = data.iloc[:, i]
        if pd.isna(cell) and column.dtype.kind == "f" and column.notna().all() and len(column) \
                and bool((column % 1 == 0).all()) and float(column.abs().max()) <= 2**53:
            data[data.columns[i]] = column.astype("int64")
    names, renamed = column_names(header, f"{path.name}, sheet {quoted(chosen)}")
    table = frame_to_table(data.set_axis(names, axis=1), f"{path.name}, sheet {quoted(chosen)}", report)
    report.renamed_columns = renamed
    return table
