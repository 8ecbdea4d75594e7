"""Metric values and keys: what ``run.log`` accepts and how it travels as JSON.

Accepted: ``int``, ``float``, ``bool`` (stored as 0/1), numpy scalars (and 0-d arrays),
0-d torch tensors, and any other :class:`numbers.Real`. Everything else raises
``TypeError`` naming the key; an int too large for a float raises ``ValueError``.
Non-finite floats are kept and travel as the strings ``"NaN"``, ``"Infinity"`` and
``"-Infinity"`` (plain JSON has no literal for them).
"""
from __future__ import annotations

import numbers
import re
import sys
from typing import Any, Mapping

from ..core.numbers import decode_value, encode_value

__all__ = ["check_key", "check_step", "coerce_metrics", "coerce_value", "decode_value",
           "encode_value", "INT_LIMIT", "MAX_STEP"]

# Ints beyond this are stored as floats: the store keeps float64 values.
INT_LIMIT = 2**53
MAX_STEP = 2**63 - 1
MAX_KEY_LENGTH = 250
_KEY_RE = re.compile(r"^[^\x00-\x1f\x7f]{1,%d}$" % MAX_KEY_LENGTH)


def check_key(key: Any) -> str:
    """Return ``key`` if it is a usable metric name, else raise naming it."""
    if type(key) is not str:
        raise TypeError(f"metric key {key!r} must be a str, not {type(key).__name__}")
    if not _KEY_RE.match(key) or key != key.strip():
        raise ValueError(
            f"metric key {key!r} must be 1-{MAX_KEY_LENGTH} characters, without control "
            "characters or surrounding whitespace"
        )
    return key


def coerce_value(key: str, value: Any) -> float | int:
    """Turn one logged value into a plain ``int`` or ``float``, or raise naming ``key``."""
    tp = type(value)
    if tp is float:
        return value
    if tp is int or tp is bool:
        return _coerce_int(key, int(value))
    module = tp.__module__
    if module == "numpy":
        return _coerce_numpy(key, value)
    if module.startswith("torch"):
        return _coerce_torch(key, value)
    if isinstance(value, (str, bytes, bytearray)):
        raise TypeError(f"metric {key!r}: {value!r} is a {tp.__name__}, not a number")
    if isinstance(value, numbers.Integral):
        return _coerce_int(key, int(value))
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(
        f"metric {key!r}: a {tp.__module__}.{tp.__qualname__} is not a number; log ints, "
        "floats, numpy scalars or 0-d tensors"
    )


def coerce_metrics(data: Any) -> dict[str, float | int]:
    """Validate a whole ``run.log`` dict; returns a new dict of plain numbers."""
    if not isinstance(data, Mapping):
        raise TypeError(f"run.log expects a dict of metric name -> number, not {type(data).__name__}")
    return {check_key(k): coerce_value(k, v) for k, v in data.items()}


def check_step(step: Any) -> int:
    """Steps are non-negative ints (numpy ints and 0-d integer tensors work too)."""
    if type(step) is bool:
        raise TypeError("step must be an int, not bool")
    try:
        value = step.__index__()
    except (AttributeError, TypeError):
        raise TypeError(f"step must be an int, not {type(step).__name__}") from None
    if not 0 <= value <= MAX_STEP:
        raise ValueError(f"step must be between 0 and 2**63-1, got {value}")
    return value


def _coerce_int(key: str, value: int) -> float | int:
    if -INT_LIMIT <= value <= INT_LIMIT:
        return value
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"metric {key!r}: integer {value} is too large to store") from None


def _coerce_numpy(key: str, value: Any) -> float | int:
    np = sys.modules["numpy"]
    if isinstance(value, np.ndarray):
        if value.ndim != 0:
            raise TypeError(f"metric {key!r}: an array of shape {value.shape} is not a scalar")
        return _coerce_numpy(key, value[()])
    if isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, np.integer):
        return _coerce_int(key, int(value))
    if isinstance(value, np.floating):
        return float(value)
    raise TypeError(f"metric {key!r}: numpy {type(value).__name__} is not a real number")


def _coerce_torch(key: str, value: Any) -> float | int:
    torch = sys.modules.get("torch")
    if torch is None or not isinstance(value, torch.Tensor):
        raise TypeError(f"metric {key!r}: {type(value).__qualname__} is not a number")
    if value.dim() != 0:
        raise TypeError(
            f"metric {key!r}: a tensor of shape {tuple(value.shape)} is not a scalar "
            "(log a 0-d tensor or call .item())"
        )
    if value.is_complex():
        raise TypeError(f"metric {key!r}: complex tensors are not real numbers")
    return coerce_value(key, value.item())
