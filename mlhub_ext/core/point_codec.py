"""The stream's compact form of pushed metric points (``"encoding": "delta-base64"``).

A subscriber of ``/mlhub/api/v1/stream`` may ask for it (``{"subscribe": {...,
"encoding": "delta-base64"}}``); its ``metrics`` messages then carry each series as

- ``steps``: a JSON list, the first step as is, then each step minus the one before
  (consecutive steps are ``1``: two characters a point instead of five or more);
- ``values``, ``timestamps``: base64 of a little-endian float64 array (NaN and ±Infinity
  as IEEE values), 10.7 characters a point instead of 18-20 as JSON text.

About 24 bytes a point on the wire against 45-57 as JSON; lossless both ways. The
JSON form (the default, for older clients) holds non-finite values as the strings
``"NaN"``/``"Infinity"``/``"-Infinity"`` (:mod:`.numbers`); :func:`decode_points` gives
that form back.
"""
from __future__ import annotations

import base64
import sys
from array import array
from typing import Any

from .errors import malformed
from .numbers import decode_array, decode_value, encode_value

STREAM_ENCODING = "delta-base64"


def _floats_b64(values: list[Any]) -> str:
    arr = array("d", (decode_value(v) for v in values))
    if sys.byteorder == "big":
        arr.byteswap()
    return base64.b64encode(arr.tobytes()).decode("ascii")


def delta_steps(steps: list[int]) -> list[int]:
    """``[s0, s1 - s0, s2 - s1, ...]`` (an empty list stays empty)."""
    return [s - p for s, p in zip(steps, [0, *steps[:-1]])]


def undelta_steps(deltas: list[int]) -> list[int]:
    """The inverse of :func:`delta_steps`."""
    out: list[int] = []
    total = 0
    for d in deltas:
        total += d
        out.append(total)
    return out


def encode_points(points: dict[str, list[Any]]) -> dict[str, Any]:
    """One series ``{"steps": [int], "values": [float | "NaN" ...], "timestamps": [float]}``
    (as the registry's ``metrics`` event holds it) in the compact form."""
    out: dict[str, Any] = {"steps": delta_steps(list(points["steps"])),
                           "values": _floats_b64(points["values"])}
    if "timestamps" in points:
        out["timestamps"] = _floats_b64(points["timestamps"])
    return out


def decode_points(col: dict[str, Any]) -> dict[str, list[Any]]:
    """The JSON form of a compact series (non-finite values as strings); ``malformed``
    when a column is not what :func:`encode_points` writes or the lengths differ."""
    deltas = col.get("steps")
    if not isinstance(deltas, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in deltas):
        raise malformed("steps: expected a list of integers (the first step, then differences)")
    out: dict[str, list[Any]] = {"steps": undelta_steps(deltas),
                                 "values": [encode_value(v) for v in decode_array("d", col.get("values"), "values")]}
    if "timestamps" in col:
        out["timestamps"] = list(decode_array("d", col["timestamps"], "timestamps"))
    if any(len(v) != len(deltas) for v in out.values()):
        raise malformed("steps, values and timestamps differ in length")
    return out


def encode_metrics_event(metrics: dict[str, dict[str, list[Any]]]) -> dict[str, dict[str, Any]]:
    """Every series of a ``metrics`` event (``{key: series}``) in the compact form."""
    return {key: encode_points(col) for key, col in metrics.items()}


def decode_metrics_event(metrics: dict[str, Any]) -> dict[str, dict[str, list[Any]]]:
    """The inverse of :func:`encode_metrics_event`."""
    if not isinstance(metrics, dict) or not all(isinstance(c, dict) for c in metrics.values()):
        raise malformed("metrics: expected an object of series")
    return {key: decode_points(col) for key, col in metrics.items()}
