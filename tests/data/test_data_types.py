"""Every Arrow type the readers can produce goes through statistics, preview, diff and
ingestion: 64-bit integer extremes, uint64, decimals, time zones, durations, nested and
all-null columns (issue 12, item 1)."""
import datetime as dt
import json
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mlhub_ext.data.diff import diff_tables
from mlhub_ext.data.ingest import ingest
from mlhub_ext.data.stats import compute_stats, preview

TWEET_IDS = "id\n1577134800018164904\n1577134800018267738\n"
PARIS = "Europe/Paris"


def _col(stats: dict, name: str) -> dict:
    return next(c for c in stats["columns"] if c["name"] == name)


def test_csv_of_integers_beyond_2_53_registers_with_exact_values(tmp_path):
    src = tmp_path / "tweets.csv"
    src.write_text(TWEET_IDS)
    info = ingest(src, tmp_path / "tweets.parquet")
    assert info["num_rows"] == 2
    assert info["schema"] == [{"name": "id", "type": "int64"}]
    col = _col(info["stats"], "id")
    assert (col["count"], col["missing"], col["unique"]) == (2, 0, 2)
    assert col["min"] == 1577134800018164904 and col["max"] == 1577134800018267738  # exact, not rounded
    assert col["mean"] == pytest.approx(1.577134800018216e18, rel=1e-15)
    assert col["histogram"]["counts"] == [1] + [0] * 18 + [1]
    # The typed copy and its preview hold the exact integers.
    assert pq.read_table(tmp_path / "tweets.parquet").column("id").to_pylist() == \
        [1577134800018164904, 1577134800018267738]
    assert preview(tmp_path / "tweets.parquet")["rows"] == [[1577134800018164904], [1577134800018267738]]
    # json.dumps keeps every digit (no float on the way).
    assert "1577134800018164904" in json.dumps(preview(tmp_path / "tweets.parquet"))


def _all_types() -> pa.Table:
    return pa.table({
        "i64": pa.array([-2**63, 2**63 - 1, None], pa.int64()),
        "u64": pa.array([0, 2**64 - 1, None], pa.uint64()),
        "dec": pa.array([Decimal("1.10"), Decimal("12345678901234567890.12"), None], pa.decimal128(38, 2)),
        "dec256": pa.array([Decimal("1.5"), None, Decimal("2.5")], pa.decimal256(50, 1)),
        "ts_tz": pa.array([dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc), None,
                           dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc)], pa.timestamp("us", tz=PARIS)),
        "far": pa.array([0, 2_500_000_000_000, None], pa.timestamp("s")),  # year 81 191: beyond Python's
        "dur": pa.array([1500, 2, None], pa.duration("ms")),
        "day": pa.array([dt.date(2020, 1, 1), None, dt.date(2020, 1, 3)], pa.date64()),
        "clock": pa.array([1, 2, None], pa.time64("us")),
        "lst": pa.array([[1, 2], None, []], pa.list_(pa.int64())),
        "rec": pa.array([{"a": 1}, None, {"a": 2}], pa.struct([("a", pa.int64())])),
        "kv": pa.array([[("k", 1)], None, []], pa.map_(pa.string(), pa.int64())),
        "nothing": pa.array([None, None, None], pa.null()),
        "f32": pa.array([1.0, None, 2.0], pa.float32()),
        "raw": pa.array([b"x", None, b"\x00"], pa.binary()),
        "cat": pa.array(["a", None, "b"]).dictionary_encode(),
        "big_text": pa.array(["a", None, "b"], pa.large_string()),
        "flag": pa.array([True, None, False]),
    })


def test_statistics_of_every_arrow_type():
    stats = compute_stats(_all_types())
    got = {c["name"]: (c["kind"], c["count"], c["missing"], c["unique"], c["min"], c["max"]) for c in stats["columns"]}
    assert got == {
        "i64": ("numeric", 2, 1, 2, -9223372036854775808, 9223372036854775807),
        "u64": ("numeric", 2, 1, 2, 0, 18446744073709551615),
        "dec": ("numeric", 2, 1, 2, 1.1, 1.2345678901234567e19),
        "dec256": ("numeric", 2, 1, 2, 1.5, 2.5),
        "ts_tz": ("temporal", 2, 1, 2, "2020-01-01T01:00:00+01:00", "2021-01-01T01:00:00+01:00"),
        "far": ("temporal", 2, 1, 2, "1970-01-01T00:00:00", "81191-11-06T04:26:40"),
        "dur": ("temporal", 2, 1, 2, 0.002, 1.5),
        "day": ("temporal", 2, 1, 2, "2020-01-01", "2020-01-03"),
        "clock": ("temporal", 2, 1, 2, "00:00:00.000001", "00:00:00.000002"),
        "lst": ("other", 2, 1, None, None, None),
        "rec": ("other", 2, 1, None, None, None),
        "kv": ("other", 2, 1, None, None, None),
        "nothing": ("null", 0, 3, None, None, None),
        "f32": ("numeric", 2, 1, 2, 1.0, 2.0),
        "raw": ("other", 2, 1, None, None, None),
        "cat": ("string", 2, 1, 2, None, None),
        "big_text": ("string", 2, 1, 2, None, None),
        "flag": ("boolean", 2, 1, 2, False, True),
    }
    assert _col(stats, "i64")["mean"] == pytest.approx(0.0, abs=2048)  # a float sum: rounding is fine
    assert _col(stats, "u64")["mean"] == pytest.approx(9.223372036854776e18)
    assert _col(stats, "dec256")["mean"] == 2.0
    json.dumps(stats, allow_nan=False)  # JSON-safe throughout


def test_preview_and_diff_of_every_arrow_type(tmp_path):
    table = _all_types()
    pq.write_table(table, tmp_path / "all.parquet")
    info = ingest(tmp_path / "all.parquet", tmp_path / "copy.parquet")
    assert info["num_rows"] == 3 and len(info["schema"]) == 18
    rows = preview(tmp_path / "copy.parquet")["rows"]
    first = dict(zip(table.column_names, rows[0]))
    assert first == {
        "i64": -9223372036854775808, "u64": 0, "dec": 1.1, "dec256": 1.5, "ts_tz": "2020-01-01T01:00:00+01:00",
        "far": "1970-01-01T00:00:00", "dur": 1.5, "day": "2020-01-01", "clock": "00:00:00.000001",
        "lst": [1, 2], "rec": {"a": 1}, "kv": [["k", 1]], "nothing": None, "f32": 1.0, "raw": "eA==",
        "cat": "a", "big_text": "a", "flag": True,
    }
    assert dict(zip(table.column_names, rows[1]))["far"] == "81191-11-06T04:26:40.000"  # Parquet keeps ms
    assert dict(zip(table.column_names, rows[1]))["u64"] == 18446744073709551615
    json.dumps(rows, allow_nan=False)

    changed = table.set_column(9, "lst", pa.array([[1, 2], [3], []], pa.list_(pa.int64())))
    pq.write_table(changed, tmp_path / "changed.parquet")
    diff = diff_tables(tmp_path / "all.parquet", tmp_path / "changed.parquet")
    assert diff["rows"]["added"] == 1 and diff["rows"]["removed"] == 1 and diff["rows"]["unchanged"] == 2
    assert diff["schema"] == {"added": [], "removed": [], "retyped": []}


def test_all_null_and_empty_columns_from_csv(tmp_path):
    src = tmp_path / "gaps.csv"
    src.write_text("a,b\n1,\n2,\n")
    info = ingest(src, tmp_path / "gaps.parquet")
    b = _col(info["stats"], "b")
    assert (b["type"], b["kind"], b["count"], b["missing"], b["unique"]) == ("null", "null", 0, 2, None)


def test_frame_of_extreme_integers_round_trips(tmp_path):
    frame = pd.DataFrame({"u": np.array([2**64 - 1, 0], dtype=np.uint64), "i": [-2**63, 2**63 - 1]})
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "x.parquet")
    info = ingest(tmp_path / "x.parquet", tmp_path / "y.parquet")
    assert _col(info["stats"], "u")["max"] == 18446744073709551615
    assert _col(info["stats"], "i")["min"] == -9223372036854775808
    assert pd.read_parquet(tmp_path / "y.parquet")["u"].tolist() == [2**64 - 1, 0]


def test_fillna_on_exact_integers_with_gaps():
    from mlhub_ext.data.ops import apply_ops, fillna

    frame = pd.DataFrame({"a": pd.array([1, None, 4], dtype="Int64"), "b": pd.array([1, None, 3], dtype="Int64")})
    out = apply_ops(frame, [fillna(["a"], "mean"), fillna(["b"], "median")])
    assert out["a"].tolist() == [1.0, 2.5, 4.0] and str(out["a"].dtype) == "float64"  # a mean is a float
    assert out["b"].tolist() == [1, 2, 3] and str(out["b"].dtype) == "Int64"  # a whole median stays exact


def test_csv_64_bit_unsigned_hashes_stay_exact(tmp_path, monkeypatch):
    from mlhub_ext.data import csvread
    from mlhub_ext.data.formats import read_table

    path = tmp_path / "hashes.csv"
    path.write_text("h,n\n18446744073709551615,1\n9223372036854775808,2\n0,3\n")
    table = read_table(path)
    assert table.schema.types == [pa.uint64(), pa.int64()]
    assert table.column("h").to_pylist() == [18446744073709551615, 9223372036854775808, 0]
    # A later value a uint64 cannot hold widens the column to double, as for int64 columns.
    monkeypatch.setattr(csvread, "BLOCK_SIZE", 64)
    path.write_text("h\n" + "18446744073709551615\n" * 10 + "-1\n")
    table = read_table(path)
    assert table.schema.types == [pa.float64()] and table.column("h").to_pylist()[-1] == -1.0
    # Beyond uint64, or with a sign, Arrow's double stays (no exact 64-bit type holds them).
    path.write_text("h\n18446744073709551616\n")
    assert read_table(path).schema.types == [pa.float64()]
