"""Integers from requests: every form the fuzzer sent that once reached the database or
``int()`` unchecked (and answered 500) is refused as ``invalid`` naming the field."""
from __future__ import annotations

import json

import pytest

from mlhub_ext.core.dataset_service import _version_number
from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.core.model_service import version_ref
from mlhub_ext.core.numbers import decode_value
from mlhub_ext.core.service import parse_metric_batches
from mlhub_ext.core.validation import MAX_INT, MAX_VERSION, check_int, check_paging


@pytest.mark.parametrize(("value", "expected"), [
    (0, 0), (MAX_INT, MAX_INT), ("42", 42), (" 7 ", 7), ("+3", 3), (5.0, 5),
])
def test_check_int_accepts_integers_in_range(value: object, expected: int) -> None:
    assert check_int("offset", value) == expected


@pytest.mark.parametrize("value", [
    MAX_INT + 1, 2**64, -1, "9223372036854775808", "²", "١٢", "1.5", 1.5, json.loads("1e400"), float("nan"),
    True, None, [], "", "0x10", "1" * 5000,
])
def test_check_int_refuses_everything_else_as_invalid(value: object) -> None:
    with pytest.raises(MLHubError) as e:
        check_int("offset", value)
    assert e.value.code == ErrorCode.INVALID
    assert e.value.message.startswith(f"offset must be an integer from 0 to {MAX_INT}, not ")
    assert len(e.value.message) < 200


def test_paging_bounds_offset_to_what_the_database_holds() -> None:
    assert check_paging(None, None) == (50, 0)
    assert check_paging("10", str(MAX_INT)) == (10, MAX_INT)
    with pytest.raises(MLHubError, match="offset must be an integer from 0 to 9223372036854775807, not '9223372036854775808'"):
        check_paging(None, str(MAX_INT + 1))
    with pytest.raises(MLHubError, match="limit must be an integer from 1 to 1000, not '1001'"):
        check_paging("1001", None)


def test_model_version_refs_never_raise_anything_but_invalid() -> None:
    assert version_ref("12") == 12
    assert version_ref("production") == "production"
    assert version_ref(str(MAX_VERSION)) == 2**31 - 1
    for bad in (2**31, 14838165234, 2**63, str(2**64), "²", 0):   # versions are 32-bit columns
        with pytest.raises(MLHubError) as e:
            version_ref(bad)
        assert e.value.code == ErrorCode.INVALID, bad


def test_dataset_version_numbers_refuse_infinity_and_fractions() -> None:
    assert _version_number("3") == 3 and _version_number("latest") is None
    for bad in (json.loads("1e400"), 1.5, 2**31, 348158618373239, "²"):
        with pytest.raises(MLHubError) as e:
            _version_number(bad)
        assert e.value.code == ErrorCode.INVALID
        assert e.value.message.startswith("version must be 'latest' or an integer from 1 to 2147483647")


def test_metric_steps_timestamps_and_values_beyond_64_bits_are_invalid() -> None:
    def batch(**col: object) -> dict[str, object]:
        return {"loss": {"steps": [0], "values": [1.0], "timestamps": [1.0], **col}}

    assert parse_metric_batches(batch())[0].steps == [0]
    for col, says in [({"steps": [2**63]}, "steps must be integers from 0 to 9223372036854775807"),
                      ({"timestamps": [10**400]}, "timestamps must be finite numbers"),
                      ({"values": [10**400]}, "is too large for a 64-bit float")]:
        with pytest.raises(MLHubError) as e:
            parse_metric_batches(batch(**col))
        assert e.value.code == ErrorCode.INVALID and says in e.value.message, e.value.message
    with pytest.raises(ValueError, match="too large for a 64-bit float"):
        decode_value(10**400)
