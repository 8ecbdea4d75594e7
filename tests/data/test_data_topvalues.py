"""Top values of text and boolean columns in the statistics (what the dataset view lists)."""
import numpy as np
import pandas as pd
import pyarrow as pa

from mlhub_ext.data.stats import compute_stats
from mlhub_ext.data.topvalues import TOP_N, TopValues


def test_top_values_match_pandas_over_many_batches():
    rng = np.random.default_rng(3)
    words = np.array([f"w{i}" for i in range(40)])
    # a skewed column so the top five are distinct in count, with missing values
    s = pd.Series(words[np.minimum(rng.geometric(0.15, 5000) - 1, 39)], dtype=object)
    s[rng.random(5000) < 0.1] = None
    flags = pd.Series(rng.random(5000) < 0.7)
    table = pa.table({"s": s, "flag": flags, "x": rng.normal(size=5000)})
    stats = {c["name"]: c for c in compute_stats(table.to_batches(max_chunksize=333))["columns"]}

    expected = s.value_counts()
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_N]
    assert stats["s"]["top"] == [{"value": v, "count": int(c)} for v, c in ranked]
    assert stats["s"]["top_exact"] is True
    counts = flags.value_counts()
    assert stats["flag"]["top"] == [{"value": True, "count": int(counts[True])},
                                    {"value": False, "count": int(counts[False])}]
    assert stats["x"]["top"] is None and stats["x"]["top_exact"] is None


def test_dictionary_encoded_text_is_counted_by_value():
    arr = pa.array(["b", "a", "b", None, "b"]).dictionary_encode()
    top = TopValues()
    top.update(arr)
    assert top.result() == [{"value": "b", "count": 3}, {"value": "a", "count": 1}]


def test_beyond_capacity_a_frequent_value_stays_listed_and_counts_turn_inexact():
    top = TopValues(capacity=20)
    for batch in range(50):
        # 30 new distinct values per batch plus one value in every batch
        top.update(pa.array([f"u{batch}_{i}" for i in range(30)] + ["hot"] * 10))
    listed = top.result()
    assert listed[0] == {"value": "hot", "count": 500}
    assert top.exact is False
    assert len(top.counts) <= 20
