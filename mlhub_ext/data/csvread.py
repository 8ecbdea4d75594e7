"""Streaming CSV/TSV reading with pyarrow and clear errors.

Types are inferred by Arrow from the first block, except that whole numbers beyond int64
(64-bit unsigned hashes) are read as uint64 rather than rounded to doubles. When a later
block holds a value the inferred type cannot take (an integer column that later holds
``1.5`` or ``unknown``), the column is widened (int or all-empty -> float -> string) and
the stream restarts; callers that consume
batches pass a restartable consumer (see :func:`scan_csv`), so no batch of the wrong type
is ever mixed with others and no extra pass is made over well-typed files.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..core.errors import invalid, quoted as shown
from .names import ReadReport, column_names
from .textcheck import first_ragged_row, utf8_error

T = TypeVar("T")

# Bytes per block. Arrow's streaming reader keeps a few blocks in flight, so peak memory
# is a small constant multiple of this (about 40 MB at 1 MiB), whatever the file size.
BLOCK_SIZE = 1 << 20

_CONVERSION = re.compile(r"In CSV column #(\d+): .*CSV conversion error to (\w+)")
_VALUE = re.compile(r"invalid value '(.*)'")


class _Widen(Exception):
    """Raised inside the batch iterator when a column must take a wider type."""

    def __init__(self, column: str, new_type: pa.DataType) -> None:
        super().__init__(column)
        self.column = column
        self.new_type = new_type


def _ragged_error(path: Path, delimiter: str, message: str) -> Exception:
    found = first_ragged_row(path, delimiter)
    if found is None:
        return invalid(f"{path.name}: malformed CSV: {message}")
    line, got, expected = found
    return invalid(f"{path.name}: line {line} has {got} fields but the header has {expected} (ragged rows)",
                   line=line)


_HEADER_MARKS = re.compile(rb'["\r\n]')


def _header_end(path: Path) -> int:
    """The byte offset just past the header row: its first line end outside double quotes
    (a quoted header cell may hold a line break, which Arrow's ``skip_rows`` would split)."""
    quoted, offset = False, 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 16):
            for match in _HEADER_MARKS.finditer(block):
                if match.group() == b'"':  # a doubled quote toggles twice
                    quoted = not quoted
                elif not quoted:
                    end = offset + match.start() + 1
                    if match.group() == b"\r":
                        fh.seek(end)
                        if fh.read(1) == b"\n":
                            end += 1
                    return end
            offset += len(block)
    return offset


def _open(path: Path, delimiter: str, column_types: dict[str, pa.DataType],
          memory_pool: pa.MemoryPool | None, names: list[str] | None = None) -> pacsv.CSVStreamingReader:
    # With ``names``, the data after the header row is read under these names instead.
    source: Path | pa.NativeFile = path
    read = pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=False)
    if names is not None:
        source = pa.OSFile(str(path))
        source.seek(_header_end(path))
        read = pacsv.ReadOptions(block_size=BLOCK_SIZE, use_threads=False, column_names=names)
    return pacsv.open_csv(
        source,
        read_options=read,
        parse_options=pacsv.ParseOptions(delimiter=delimiter),
        convert_options=pacsv.ConvertOptions(column_types=column_types, strings_can_be_null=True),
        memory_pool=memory_pool,
    )


def _translate(exc: pa.ArrowInvalid, path: Path, delimiter: str, schema: pa.Schema | None) -> Exception:
    text = str(exc)
    if "invalid UTF8" in text:
        return utf8_error(path)
    if "Expected" in text and "columns" in text:
        return _ragged_error(path, delimiter, text)
    if "Empty CSV file" in text:
        return invalid(f"{path.name} is empty")
    match = _CONVERSION.search(text)
    if match and schema is not None:
        field = schema.field(int(match.group(1)))
        value = _VALUE.search(text)
        to_float = (pa.types.is_integer(field.type) or pa.types.is_null(field.type)) and value is not None \
            and _looks_float(value.group(1))
        return _Widen(field.name, pa.float64() if to_float else pa.string())
    return invalid(f"{path.name}: cannot read CSV: {text}")


def _looks_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


_WHOLE = r"^\+?[0-9]+$"
_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1


def _unsigned_candidates(schema: pa.Schema, column_types: dict[str, pa.DataType]) -> list[str]:
    return [f.name for f in schema if pa.types.is_float64(f.type) and f.name not in column_types]


def _unsigned_columns(path: Path, delimiter: str, schema: pa.Schema, column_types: dict[str, pa.DataType],
                      names: list[str] | None) -> list[str]:
    """Columns Arrow typed double whose first block holds only whole numbers, some beyond
    int64 and none beyond uint64: read as uint64 they stay exact. (Arrow's CSV inference
    goes from int64 to double; a later value that does not fit widens the column to
    double through the usual restart.)"""
    candidates = _unsigned_candidates(schema, column_types)
    if not candidates:
        return []
    reader = _open(path, delimiter, {**column_types, **{n: pa.string() for n in candidates}}, None, names)
    try:
        first = reader.read_next_batch()
    except StopIteration:
        return []
    del reader  # frees its read-ahead blocks before the caller opens the next reader
    found = []
    for name in candidates:
        text = pc.drop_null(first.column(name))
        if len(text) == 0 or not pc.all(pc.match_substring_regex(text, _WHOLE)).as_py():
            continue
        values = [int(v) for v in text.to_pylist()]
        if max(values) > _INT64_MAX and max(values) <= _UINT64_MAX:
            found.append(name)
    return found


# What Arrow's CSV inference would read as a number (NaN and infinities included).
_NUMBER = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$|^[+-]?(nan|NaN|inf|Inf|infinity|Infinity)$"


class _MixedText:
    """The text columns that hold numbers and other values alike (``1, 2, A7, 4``): columns of
    mixed types read as text, as a DataFrame's are (recorded in the reading's ``text_columns``).
    A column is checked only until both kinds of value were seen in it."""

    def __init__(self, names: list[str]) -> None:
        self._order = list(names)
        self._numbers: set[str] = set()
        self._words: set[str] = set()

    def see(self, batch: pa.RecordBatch) -> None:
        for name in self._order:
            if name in self._numbers and name in self._words:
                continue
            values = pc.drop_null(batch.column(name))
            if len(values) == 0:
                continue
            numeric = pc.match_substring_regex(values, _NUMBER)
            if pc.any(numeric).as_py():
                self._numbers.add(name)
            if not pc.all(numeric).as_py():
                self._words.add(name)

    def found(self) -> list[str]:
        return [n for n in self._order if n in self._numbers and n in self._words]


def _batches(path: Path, delimiter: str, column_types: dict[str, pa.DataType],
             memory_pool: pa.MemoryPool | None,
             report: ReadReport | None = None) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    try:
        reader = _open(path, delimiter, column_types, memory_pool)
        names, renamed = column_names(reader.schema.names, path.name)
        if renamed and _header_end(path) >= path.stat().st_size:  # a header and no rows
            schema = pa.schema([pa.field(n, column_types.get(n, pa.null())) for n in names])
            if report is not None:
                report.renamed_columns = renamed
            return schema, iter(())
        # One reader alive at a time: each reads up to 32 blocks ahead on Arrow's IO threads
        # and holds them until it is freed (``close()`` does not release them), so a reader
        # still referenced while the next one reads doubles the peak memory.
        if renamed:  # blank header cells: read again under the generated names
            del reader
            reader = _open(path, delimiter, column_types, memory_pool, names)
        if _unsigned_candidates(reader.schema, column_types):
            schema = reader.schema
            del reader
            unsigned = _unsigned_columns(path, delimiter, schema, column_types, names if renamed else None)
            # 64-bit unsigned integers (hashes...) that Arrow would round to doubles
            column_types.update({n: pa.uint64() for n in unsigned})
            reader = _open(path, delimiter, column_types, memory_pool, names if renamed else None)
    except pa.ArrowInvalid as exc:
        raise _translate(exc, path, delimiter, None) from exc
    if report is not None:
        report.renamed_columns = renamed
    schema = reader.schema
    if any(pa.types.is_binary(f.type) for f in schema):
        raise utf8_error(path)

    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]

    def gen() -> Iterator[pa.RecordBatch]:
        mixed = _MixedText(text)
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                if report is not None:
                    report.text_columns = mixed.found()
                return
            except pa.ArrowInvalid as exc:
                raise _translate(exc, path, delimiter, schema) from exc
            mixed.see(batch)
            yield batch

    return schema, gen()


def scan_csv(path: str | os.PathLike[str], consume: Callable[[pa.Schema, Iterator[pa.RecordBatch]], T],
             delimiter: str = ",", memory_pool: pa.MemoryPool | None = None,
             report: ReadReport | None = None) -> T:
    """Stream a CSV file into ``consume(schema, batches)`` and return its result.

    ``consume`` may be called more than once (with widened types) and must start from
    fresh state each time. Blank header cells are named as :func:`.names.column_names`
    says (recorded in ``report``). Raises ``MLHubError(INVALID)`` naming the line of a
    ragged row, the byte offset of invalid UTF-8 or a repeated column name.
    """
    path = Path(path)
    column_types: dict[str, pa.DataType] = {}
    while True:
        schema, batches = _batches(path, delimiter, column_types, memory_pool, report)
        try:
            return consume(schema, batches)
        except _Widen as widen:
            if column_types.get(widen.column) == widen.new_type:
                raise invalid(f"{path.name}: column {shown(widen.column)} cannot be read as {widen.new_type}") \
                    from widen
            column_types[widen.column] = widen.new_type
