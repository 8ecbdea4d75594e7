import math
from fractions import Fraction

import numpy as np
import pytest
import torch

from mlhub_ext.client.values import check_key, check_step, coerce_metrics, coerce_value


@pytest.mark.parametrize("value, expected", [
    (1.5, 1.5), (3, 3), (True, 1), (False, 0), (Fraction(1, 4), 0.25),
    (np.float32(0.5), 0.5), (np.float64(2.25), 2.25), (np.int64(7), 7), (np.uint8(200), 200),
    (np.bool_(True), 1), (np.array(1.25), 1.25), (np.float16(0.5), 0.5),
    (torch.tensor(0.75), 0.75), (torch.tensor(4), 4), (torch.tensor(2.0, requires_grad=True) * 1, 2.0),
    (2**60, float(2**60)),
])
def test_every_number_kind_becomes_a_plain_number(value, expected):
    out = coerce_value("k", value)
    assert out == expected and type(out) in (int, float)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float32("nan"), torch.tensor(float("-inf"))])
def test_non_finite_values_are_kept(value):
    out = coerce_value("k", value)
    assert isinstance(out, float) and not math.isfinite(out)
    assert (math.isnan(out) and math.isnan(float(value))) or out == float(value)


@pytest.mark.parametrize("value, exc", [
    ("0.5", TypeError), (None, TypeError), ([1.0], TypeError), ({"a": 1}, TypeError),
    (b"1", TypeError), (1 + 2j, TypeError), (np.array([1.0, 2.0]), TypeError),
    (torch.tensor([1.0]), TypeError), (np.complex64(1), TypeError), (10**400, ValueError),
    (torch.tensor(1 + 1j), TypeError), (object(), TypeError),
])
def test_bad_values_raise_naming_the_key(value, exc):
    with pytest.raises(exc, match="'val/loss'"):
        coerce_value("val/loss", value)


def test_coerce_metrics_checks_keys_and_mapping():
    assert coerce_metrics({"a": np.float64(1)}) == {"a": 1.0}
    with pytest.raises(TypeError, match="dict"):
        coerce_metrics([("a", 1)])
    with pytest.raises(TypeError, match="metric key 3"):
        coerce_metrics({3: 1.0})
    for key in ("", " padded", "a\nb", "x" * 251):
        with pytest.raises(ValueError):
            check_key(key)
    assert check_key("train/loss@1 (ema)") == "train/loss@1 (ema)"


def test_steps():
    assert check_step(np.int32(5)) == 5
    assert check_step(torch.tensor(3)) == 3
    for bad, exc in ((-1, ValueError), (1.5, TypeError), (True, TypeError), ("3", TypeError), (2**63, ValueError)):
        with pytest.raises(exc):
            check_step(bad)
