"""Locating problems in text files: the first non-UTF-8 byte, the first ragged CSV row.

These run only after a reader has failed, to turn a terse parser error into a message
that names the byte offset or line. They stream the file in fixed-size chunks.
"""
from __future__ import annotations

import codecs
import csv
import os
from pathlib import Path

from ..core.errors import MLHubError, invalid

_CHUNK = 1 << 20


def first_invalid_utf8(path: str | os.PathLike[str]) -> tuple[int, int, bytes] | None:
    """Return ``(byte_offset, line_number, bad_bytes)`` of the first invalid UTF-8 byte, or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    consumed = 0
    newlines = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(_CHUNK)
            final = not chunk
            try:
                decoder.decode(chunk, final)
            except UnicodeDecodeError as exc:
                # exc.start is relative to the decoder's pending buffer plus this chunk.
                pending = len(exc.object) - len(chunk)
                local = exc.start - pending
                offset = consumed + local
                line = newlines + exc.object[: exc.start].count(b"\n") + 1
                return offset, line, bytes(exc.object[exc.start:exc.end])
            if final:
                return None
            newlines += chunk.count(b"\n")
            consumed += len(chunk)


def first_ragged_row(path: str | os.PathLike[str], delimiter: str) -> tuple[int, int, int] | None:
    """Return ``(line_number, fields, expected)`` of the first row whose field count differs
    from the header's, or None. Line numbers are 1-based and count the header line."""
    with open(path, "r", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        expected = None
        for row in reader:
            if not row:
                continue  # blank lines are skipped by the Arrow reader too
            if expected is None:
                expected = len(row)
            elif len(row) != expected:
                return reader.line_num, len(row), expected
    return None


def describe_bytes(data: bytes) -> str:
    """Render bytes for an error message, e.g. ``0xe9``."""
    return " ".join(f"0x{b:02x}" for b in data[:4])


def is_blank(head: bytes) -> bool:
    """True when ``head`` holds only whitespace (and perhaps a UTF-8 byte order mark)."""
    return not head.removeprefix(codecs.BOM_UTF8).strip()


def utf8_error(path: str | os.PathLike[str]) -> MLHubError:
    """An ``MLHubError(INVALID)`` naming the first invalid UTF-8 byte of ``path``."""
    path = Path(path)
    found = first_invalid_utf8(path)
    if found is None:
        return invalid(f"{path.name}: text is not valid UTF-8")
    offset, line, data = found
    return invalid(
        f"{path.name}: not UTF-8 text: byte {describe_bytes(data)} at byte offset {offset} "
        f"(line {line}) is invalid UTF-8; save the file as UTF-8 and upload it again",
        offset=offset, line=line)


__all__ = ["first_invalid_utf8", "first_ragged_row", "describe_bytes", "is_blank", "utf8_error"]
