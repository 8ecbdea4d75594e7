"""What the SDK sends (issue 12, case 6): a value JSON cannot carry is named (field, row)
as ``invalid``, never reported as "cannot reach ML Hub"; only a failed connection is
``unavailable``. Against the package's real `mlhub serve`."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import mlhub_ext as mh
from mlhub_ext.client.config import Connection
from mlhub_ext.client.http import HTTPClient
from mlhub_ext.client.jsonbody import encode_json
from mlhub_ext.core.errors import ErrorCode, MLHubError

LOGREG = "sklearn.linear_model.LogisticRegression"


def raised(fn, *args, **kw) -> MLHubError:  # type: ignore[no-untyped-def]
    with pytest.raises(MLHubError) as e:
        fn(*args, **kw)
    return e.value


def test_nan_param_is_named_not_unavailable(tracking) -> None:  # type: ignore[no-untyped-def]
    err = raised(mh.models.train, "nothing", "y", LOGREG, params={"C": float("nan")}, name="m")
    assert err.code == ErrorCode.INVALID
    assert err.message == ("POST jobs cannot be sent: params.C is nan, which JSON cannot carry; pass a finite "
                           "number (or leave the field out)")
    assert err.details == {"field": "params.C"}
    err = raised(mh.models.train, "nothing", "y", LOGREG, params={"C": np.float32("inf")}, name="m")
    assert err.message.startswith("POST jobs cannot be sent: params.C is inf, which JSON cannot carry")
    err = raised(mh.models.sweep, "nothing", "y", LOGREG, name="m", space={"C": [1.0, float("nan")]}, metric="f1")
    assert err.message.startswith("POST sweeps cannot be sent: space.C[1] is nan, which JSON cannot carry")


def test_predict_infinity_names_row_and_column(tracking) -> None:  # type: ignore[no-untyped-def]
    df = pd.DataFrame({"x": [1.0, np.inf], "z": [0.5, 0.25]})
    err = raised(mh.models.predict, "any_model", df)
    assert err.code == ErrorCode.INVALID
    assert err.message == ("POST models/any_model/predictions cannot be sent: inputs[1].x (row 1, column 'x') is inf, "
                           "which JSON cannot carry; pass a finite number")


def test_predict_missing_values_go_as_null_and_the_model_decides(tracking) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=60), "z": rng.normal(size=60)})
    df["y"] = np.where(df["x"] + df["z"] > 0, "up", "down")
    gappy = df.copy()
    gappy.loc[[3, 9], "x"] = np.nan
    mh.datasets.upload(df, name="clean_xy")
    mh.datasets.upload(gappy, name="gappy_xy")
    # Refused before queuing (case 5), from the SDK too.
    err = raised(mh.models.train, "gappy_xy", "y", LOGREG, name="lr_gappy")
    assert err.code == ErrorCode.INVALID and "'x' (2 of 60 rows)" in err.message and "impute='median'" in err.message
    imputing = mh.models.train("gappy_xy", "y", LOGREG, name="lr_impute", impute="median").wait(progress=False)
    plain = mh.models.train("clean_xy", "y", LOGREG, name="lr_plain").wait(progress=False)
    rows = pd.DataFrame({"x": [0.5, np.nan], "z": [1.0, -2.0]})
    out = mh.models.predict("lr_impute", rows, stage=None, version=imputing.version)
    assert [o["prediction"] in ("up", "down") for o in out] == [True, True]
    err = raised(mh.models.predict, "lr_plain", rows, stage=None, version=plain.version)
    assert err.code == ErrorCode.MALFORMED
    assert err.message.startswith("row 1: feature 'x' is missing (null), and this model version was trained without "
                                  "missing values")


def test_encoding_rules() -> None:
    assert encode_json({"n": np.int64(3), "a": np.arange(3), "f": np.float32(0.5)}) == b'{"n":3,"a":[0,1,2],"f":0.5}'
    err = raised(encode_json, {"inputs": [{"when": dt.datetime(2024, 1, 2)}]}, "POST x")
    assert err.code == ErrorCode.INVALID
    assert err.message.startswith("POST x cannot be sent: inputs[0].when (row 0, column 'when') is a "
                                  "datetime.datetime (datetime.datetime(2024, 1, 2, 0, 0)), which JSON cannot carry")
    err = raised(encode_json, {"a": [[1.0, float("nan")]]})
    assert err.message.startswith("the request cannot be sent: a[0][1] is nan")


def test_only_a_failed_connection_is_unavailable() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]        # closed once the block ends: nothing listens there
    http = HTTPClient(Connection(url=f"http://127.0.0.1:{port}/", token="t"), timeout=5)
    err = raised(http.post, "projects", json={"name": "p"})
    assert err.code == ErrorCode.UNAVAILABLE and err.message.startswith(f"cannot reach ML Hub at http://127.0.0.1:{port}/")
    err = raised(http.post, "projects", json={"x": float("nan")})     # not sent at all: about the value
    assert err.code == ErrorCode.INVALID and "x is nan" in err.message
