"""parse_json's orjson fast path answers what the json path answers (handlers/base.py)."""
from __future__ import annotations

import json

import pytest

from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.server.handlers.base import parse_json


@pytest.mark.parametrize("text", [
    '{"seq": 3, "metrics": {"loss": {"steps": "AAAA", "values": "AAAAAAAA8D8="}}, "encoding": "base64-le"}',
    '{"a": [1, -2, 3.5, 1e19, -1e300, 18446744073709551615, -9223372036854775808], "b": {"c": [true, null]}}',
    '{"s": "caf\\u00e9 \\ud83d\\ude00", "digits": "12345678901234567890123", "k": {"k": {"k": []}}}',
])
def test_the_fast_path_reads_what_json_reads(text: str) -> None:
    assert parse_json(text.encode()) == json.loads(text)


@pytest.mark.parametrize("text, code", [
    ('{"a": 99999999999999999999999}', ErrorCode.INVALID),      # orjson alone would read a float
    ('{"a": [1, -9223372036854775809]}', ErrorCode.INVALID),
    ('{"a": "x\\u0000y"}', ErrorCode.INVALID),
    ('{"a": NaN}', ErrorCode.MALFORMED),
    ('{"a": "\\ud800"}', ErrorCode.MALFORMED),
])
def test_what_the_stores_cannot_hold_is_refused_as_before(text: str, code: ErrorCode) -> None:
    with pytest.raises(MLHubError) as e:
        parse_json(text.encode())
    assert e.value.code == code, e.value
