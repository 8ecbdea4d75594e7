"""The stream's compact form of points (core.point_codec) and the SDK's reader of it."""
from __future__ import annotations

import base64
import json
import math
import struct

import pytest

from mlhub_ext.client.stream import decode_message
from mlhub_ext.core.errors import MLHubError
from mlhub_ext.core.point_codec import (
    decode_metrics_event, decode_points, delta_steps, encode_metrics_event, encode_points, undelta_steps)


def test_round_trip_is_exact_for_any_float_and_step():
    points = {"steps": [0, 1, 2, 10, 7, 2**53], "values": [0.1, 1e-308, "NaN", "Infinity", "-Infinity", -0.0],
              "timestamps": [1764503456.123456, 0.0, 1.5, 2.5, 3.5, 4.5]}
    packed = encode_points(points)
    assert packed["steps"] == [0, 1, 1, 8, -3, 2**53 - 7]
    # little-endian IEEE float64, readable by any client without this module
    assert struct.unpack("<6d", base64.b64decode(packed["timestamps"]))[0] == 1764503456.123456
    back = decode_points(json.loads(json.dumps(packed)))
    assert back["steps"] == points["steps"] and back["timestamps"] == points["timestamps"]
    assert back["values"][:5] == points["values"][:5] and math.copysign(1, back["values"][5]) == -1


def test_delta_steps_inverse():
    for steps in ([], [5], [3, 4, 5, 6], [100, 50, 75]):
        assert undelta_steps(delta_steps(steps)) == steps


def test_without_timestamps_and_malformed_input():
    assert decode_points(encode_points({"steps": [4], "values": [2.0]})) == {"steps": [4], "values": [2.0]}
    good = encode_points({"steps": [1, 2], "values": [1.0, 2.0], "timestamps": [1.0, 2.0]})
    for bad, said in (({**good, "steps": [1]}, "differ in length"), ({**good, "steps": "AAA"}, "list of integers"),
                      ({**good, "values": "not base64!"}, "not valid base64"),
                      ({**good, "timestamps": base64.b64encode(b"123").decode()}, "8-byte")):
        with pytest.raises(MLHubError, match=said):
            decode_points(bad)
    with pytest.raises(MLHubError):
        decode_metrics_event(["not", "an", "object"])


def test_compact_is_under_twice_the_raw_points():
    """What the live bench sends: 10 points a second of one metric, consecutive steps."""
    steps = list(range(12340, 12350))
    col = {"steps": steps, "values": [1 / (1 + s) for s in steps], "timestamps": [1764503456.1 + i / 10 for i in range(10)]}
    as_json = len(json.dumps(col, separators=(",", ":")))
    compact = len(json.dumps(encode_points(col), separators=(",", ":")))
    assert compact <= 24 * 10 + 40 and compact < 0.6 * as_json


def test_sdk_reader_decodes_compact_messages_and_passes_others():
    metrics = {"loss": {"steps": [1, 2], "values": [0.5, "NaN"], "timestamps": [1.0, 2.0]}}
    msg = {"type": "metrics", "run": "r", "project": "p", "encoding": "delta-base64",
           "metrics": encode_metrics_event(metrics)}
    assert decode_message(json.loads(json.dumps(msg))) == {"type": "metrics", "run": "r", "project": "p",
                                                          "metrics": metrics}
    plain = {"type": "metrics", "run": "r", "project": "p", "metrics": metrics}
    assert decode_message(plain) is plain
    assert decode_message({"type": "run", "run": {"id": "r"}}) == {"type": "run", "run": {"id": "r"}}
    assert decode_message({**msg, "metrics": {"loss": {"steps": [1], "values": "??"}}}) is None
