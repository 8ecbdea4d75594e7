"""Turning buffered log records into metric batches, and batches into request bodies.

A batch is kept (in memory and in the WAL) in its compact form: the body of
``POST /runs/{id}/metrics`` with ``"encoding": "base64-le"``, where each column is the
base64 of a little-endian array (steps int64, values and timestamps float64). That costs
a few nanoseconds per point instead of the ~1 µs a JSON float costs on a small machine,
and keeps NaN/±Inf exactly. For a server that only takes JSON lists,
:func:`as_json_lists` rewrites the body into the plain form of docs/api.md.
"""
from __future__ import annotations

import base64
import json
import sys
from array import array
from operator import itemgetter
from typing import Any

from .values import encode_value

Columns = dict[str, tuple[list[int], list[float], list[float]]]
ENCODING = "base64-le"
_SWAP = sys.byteorder != "little"


def group_columns(records: list[tuple[int, float, dict[str, Any]]]) -> Columns:
    """``[(step, time, {key: value})]`` -> ``{key: (steps, values, times)}``.

    Records are transposed in C (``itemgetter``/``zip``), not point by point: in one go
    when every record has the same keys (the usual training loop), else per run of
    records with the same keys.
    """
    if not records:
        return {}
    dicts = list(map(_third, records))
    names = list(dicts[0])
    if names and set(map(len, dicts)) == {len(names)}:
        try:
            return _transpose(records, dicts, names, {})
        except KeyError:
            pass   # same sizes, different keys
    cols: Columns = {}
    i, n = 0, len(records)
    while i < n:
        names = list(dicts[i])
        j = i + 1
        while j < n and list(dicts[j]) == names:
            j += 1
        if names:   # run.log({}) only advances the step
            _transpose(records[i:j], dicts[i:j], names, cols)
        i = j
    return cols


_first, _second, _third = itemgetter(0), itemgetter(1), itemgetter(2)


def _transpose(records: list[Any], dicts: list[dict[str, Any]], names: list[str],
               cols: Columns) -> Columns:
    steps = list(map(_first, records))
    times = list(map(_second, records))
    if len(names) == 1:
        columns: Any = [list(map(itemgetter(names[0]), dicts))]
    else:
        columns = zip(*map(itemgetter(*names), dicts))
    for name, values in zip(names, columns):
        col = cols.get(name)
        # Keys logged together share one steps list and one times list (never mutated),
        # so encode_batch encodes each only once.
        if col is None:
            cols[name] = (steps, list(values), times)
        else:
            cols[name] = (col[0] + steps, col[1] + list(values), col[2] + times)
    return cols


def _b64(arr: array) -> bytes:
    if _SWAP:
        arr.byteswap()
    return base64.b64encode(arr.tobytes())


def encode_batch(seq: int, cols: Columns) -> bytes:
    """The compact body of one batch (built as bytes: base64 needs no JSON escaping)."""
    done: dict[int, bytes] = {}

    def enc(values: list[Any], code: str) -> bytes:
        key = id(values)
        out = done.get(key)
        if out is None:
            out = done[key] = _b64(array(code, values))
        return out

    parts = []
    for k, (s, v, t) in cols.items():
        parts.append(b'%s:{"steps":"%s","values":"%s","timestamps":"%s"}' % (
            json.dumps(k).encode(), enc(s, "q"), _b64(array("d", v)), enc(t, "d")))
    return b'{"seq":%d,"encoding":"%s","metrics":{%s}}' % (seq, ENCODING.encode(), b",".join(parts))


def _unb64(text: str, code: str) -> list[Any]:
    arr = array(code)
    arr.frombytes(base64.b64decode(text))
    if _SWAP:
        arr.byteswap()
    return arr.tolist()


def decode_columns(body: dict[str, Any]) -> Columns:
    """Columns of a batch body in either form (non-finite values as floats)."""
    out: Columns = {}
    binary = body.get("encoding") == ENCODING
    for k, col in body["metrics"].items():
        if binary:
            out[k] = (_unb64(col["steps"], "q"), _unb64(col["values"], "d"),
                      _unb64(col["timestamps"], "d"))
        else:
            from .values import decode_value

            out[k] = (list(col["steps"]), [decode_value(v) for v in col["values"]],
                      list(col["timestamps"]))
    return out


def count_points(body: bytes) -> int:
    cols = json.loads(body)["metrics"]
    return sum(len(base64.b64decode(c["steps"])) // 8 if isinstance(c["steps"], str)
               else len(c["steps"]) for c in cols.values())


def as_json_lists(body: bytes) -> bytes:
    """Rewrite a compact body into plain JSON lists (``"NaN"``/``"Infinity"`` strings)."""
    data = json.loads(body)
    if data.get("encoding") != ENCODING:
        return body
    metrics = {}
    for k, (steps, values, times) in decode_columns(data).items():
        metrics[k] = {"steps": steps,
                      "values": [v if v - v == 0 else encode_value(v) for v in values],
                      "timestamps": times}
    return json.dumps({"seq": data["seq"], "metrics": metrics}, separators=(",", ":")).encode()
