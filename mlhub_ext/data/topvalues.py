"""The most frequent values of a text or boolean column, counted batch by batch.

Counts are exact while the column has at most ``capacity`` distinct values. Beyond that
the rarest half of the counters is dropped whenever the table is full (a space-saving
summary): a value that makes up more than ``2 / capacity`` of the rows is still listed,
its count then a lower bound, and ``exact`` turns False.
"""
from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

#: How many values the statistics list.
TOP_N = 5


class TopValues:
    """``update(arr)`` with Arrow arrays of one column; ``result()`` lists the top values."""

    def __init__(self, capacity: int = 100_000) -> None:
        self.capacity = max(2 * TOP_N, capacity)
        self.counts: dict[Any, int] = {}
        self.exact = True

    def update(self, arr: pa.Array) -> None:
        if pa.types.is_dictionary(arr.type):
            arr = arr.dictionary_decode()
        counted = pc.value_counts(pc.drop_null(arr))
        values = counted.field("values").to_pylist()
        for value, n in zip(values, counted.field("counts").to_pylist()):
            self.counts[value] = self.counts.get(value, 0) + n
        if len(self.counts) > self.capacity:
            keep = sorted(self.counts.items(), key=lambda kv: kv[1], reverse=True)[: self.capacity // 2]
            self.counts = dict(keep)
            self.exact = False

    def result(self, n: int = TOP_N) -> list[dict[str, Any]]:
        """``[{"value", "count"}]``, most frequent first; ties in the values' order."""
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
        return [{"value": v, "count": c} for v, c in ranked[:n]]
