"""Metric values on the wire: finite floats as numbers, non-finite ones as strings."""
from __future__ import annotations

import binascii
import math
import sys
from array import array
from typing import Any

from .errors import malformed, quoted

COMPACT_ENCODING = "base64-le"

NAN, POS_INF, NEG_INF = "NaN", "Infinity", "-Infinity"
_DECODE = {NAN: math.nan, POS_INF: math.inf, NEG_INF: -math.inf}


def encode_value(v: float | None) -> float | str | None:
    """A float as JSON can carry it: NaN/±Inf become ``"NaN"``/``"Infinity"``/``"-Infinity"``."""
    if v is None:
        return None
    if v != v:
        return NAN
    if v == math.inf:
        return POS_INF
    if v == -math.inf:
        return NEG_INF
    return v


def decode_value(v: Any) -> float:
    """The inverse of :func:`encode_value`; raises ``ValueError`` for anything that is not a number."""
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        try:
            return float(v)
        except OverflowError:  # an int beyond float's range
            raise ValueError(f"{quoted(v)} is too large for a 64-bit float") from None
    if isinstance(v, str) and v in _DECODE:
        return _DECODE[v]
    raise ValueError(f"not a number: {quoted(v)}")


def encode_list(values: list[float]) -> list[float | str]:
    """Encode a list, touching it only if it holds a non-finite value."""
    if all(map(math.isfinite, values)):
        return values
    return [encode_value(v) for v in values]  # type: ignore[misc]


def decode_array(typecode: str, text: Any, what: str) -> array:
    """A base64 string of a little-endian array of 8-byte items (``q`` int64, ``d`` float64)."""
    if not isinstance(text, str):
        raise malformed(f"{what}: expected a base64 string")
    try:
        # strict: only the alphabet, with correct padding (b64decode's validate=True checks the
        # alphabet with a regex over the whole text first: slower than the decoding itself)
        raw = binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, ValueError):
        raise malformed(f"{what}: not valid base64") from None
    if len(raw) % 8:
        raise malformed(f"{what}: {len(raw)} bytes is not a whole number of 8-byte items")
    arr = array(typecode)
    arr.frombytes(raw)
    if sys.byteorder == "big":
        arr.byteswap()
    return arr
