import json
import math

from mlhub_ext.client.batch import as_json_lists, count_points, decode_columns, encode_batch, group_columns


def test_group_columns_handles_changing_key_sets_in_order():
    records = [(0, 10.0, {"a": 1.0, "b": 2.0}), (1, 11.0, {"b": 3.0, "a": 4.0}),
               (2, 12.0, {"a": 5.0}), (3, 13.0, {"c": 6.0, "a": 7.0})]
    cols = group_columns(records)
    assert cols["a"] == ([0, 1, 2, 3], [1.0, 4.0, 5.0, 7.0], [10.0, 11.0, 12.0, 13.0])
    assert cols["b"] == ([0, 1], [2.0, 3.0], [10.0, 11.0])
    assert cols["c"] == ([3], [6.0], [13.0])
    assert group_columns([(0, 1.0, {}), (1, 2.0, {})]) == {}
    assert group_columns([(0, 1.0, {}), (1, 2.0, {"a": 1.0})]) == {"a": ([1], [1.0], [2.0])}


def test_compact_and_list_forms_round_trip_with_non_finite_values():
    values = [0.1, math.nan, math.inf, -math.inf, 1e308, -0.0, 5]
    cols = {"m": (list(range(7)), values, [1.7e9 + i / 10 for i in range(7)])}
    body = encode_batch(3, cols)
    assert count_points(body) == 7
    back = decode_columns(json.loads(body))["m"]
    assert back[0] == list(range(7)) and back[2] == cols["m"][2]
    assert [repr(v) for v in back[1]] == [repr(float(v)) for v in values]
    plain = json.loads(as_json_lists(body))
    assert plain["seq"] == 3 and "encoding" not in plain
    assert plain["metrics"]["m"]["values"][1:4] == ["NaN", "Infinity", "-Infinity"]
    assert decode_columns(plain)["m"][0] == list(range(7))
