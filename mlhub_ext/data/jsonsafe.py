"""Turning Arrow/NumPy/pandas values into plain JSON values."""
from __future__ import annotations

import base64
import datetime as dt
import math
from decimal import Decimal
from typing import Any


def json_safe(value: Any) -> Any:
    """Return ``value`` as something ``json.dumps`` accepts without ``allow_nan``.

    NaN, infinities and missing markers become None; dates and times ISO strings;
    durations seconds; Decimals floats; bytes base64; NumPy scalars Python scalars.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        if value != value:  # pandas NaT is a datetime subclass unequal to itself
            return None
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return json_safe(float(value))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    item = getattr(value, "item", None)  # NumPy scalars and 0-d arrays
    if callable(item) and getattr(value, "ndim", 1) == 0:
        return json_safe(item())
    if hasattr(value, "tolist"):
        return json_safe(value.tolist())
    try:
        if value != value:  # NaN-like markers compare unequal to themselves
            return None
    except TypeError:  # pandas NA refuses to be truth-tested
        return None
    return str(value)
