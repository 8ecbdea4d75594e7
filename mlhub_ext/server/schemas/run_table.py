"""The runs table: groups, batched series and parameter importance."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from ...core.run_table import MAX_FILTER_IDS, MAX_IDS, MAX_QUERY_POINTS, MAX_QUERY_RUNS
from ...core.validation import MAX_INT
from .base import NumberOrNonFinite, Response, StrictRequest, optional
from .runs import Base64

Key = Annotated[str, Field(min_length=1, max_length=256)]
RunId = Annotated[str, Field(min_length=1, max_length=64)]
Step = Annotated[int, Field(ge=0, le=MAX_INT)]


class GroupMetric(Response):
    count: int = Field(description="runs of the group with a finite latest value of the metric")
    mean: float | None
    min: float | None
    max: float | None


class RunGroup(Response):
    value: Any = Field(description="the group's value (a param value, a tag, a status, an owner); null for the "
                       "runs that lack it")
    key: str | None = Field(description="JSON text of the value: GET /runs?group_by=<by>&group=<key> lists the "
                            "group's runs; null for the runs that lack it (GET /runs?group_by=<by>&group_missing=true)")
    count: int
    metric: GroupMetric


class RunGroups(Response):
    by: str
    metric: str | None
    total: int = Field(description="runs matching the filter (a run with several tags counts once)")
    groups: list[RunGroup]


class SeriesQuery(StrictRequest):
    what = "a series query"
    runs: Annotated[list[RunId], Field(min_length=1, max_length=MAX_QUERY_RUNS)]
    keys: Annotated[list[Key], Field(min_length=1)] = Field(
        description="metric names, or regexes matched in full (an entry holding one of * + ? [ ] ( ) { } | ^ $ \\)")
    max_points: Annotated[int, Field(ge=2, le=MAX_QUERY_POINTS)] = optional(
        "at most this many points per series (default 1000): first, last, and per bucket the min and max")
    min_step: Step = optional()
    max_step: Step = optional()
    x: Literal["step", "wall", "relative"] = optional(
        "the x axis: buckets of equal steps, or of equal time (wall: epoch seconds; relative: seconds since "
        "the run's start)")
    min_x: float = optional("keep points with x >= min_x (in the units of x)")
    max_x: float = optional("keep points with x <= max_x")
    after_step: dict[str, dict[str, Annotated[int, Field(ge=-1, le=MAX_INT)]]] = optional(
        "{run id: {metric key: step}}: only the points after these steps (live cursors)")
    timestamps: bool = optional("answer each point's wall time (default true)")
    encoding: Literal["base64-le"] = optional(
        "compact answer: steps, values, timestamps and band as base64 of little-endian arrays (int64 steps, "
        "float64 values), as metric batches may be sent")
    band: bool | list[Key] = optional(
        "answer each downsampled series' band (default true); false: no band (null), a list of metric names: "
        "only the bands of those keys (a chart that does not draw the bands of many lines leaves them out)")


class Band(Response):
    min: list[NumberOrNonFinite] | Base64
    max: list[NumberOrNonFinite] | Base64


class QueriedSeries(Response):
    run: str
    key: str
    steps: list[int] | Base64
    values: list[NumberOrNonFinite] | Base64
    timestamps: list[float] | Base64 = optional("unless the request said timestamps: false")
    downsampled: bool
    total: int = Field(description="points stored in the series")
    last_step: int = Field(description="the series' last step (the cursor to ask after next)")
    band: Band | None = Field(description="per returned point, the min and max of its bucket; null unless "
                              "downsampled")


class SeriesQueryResult(Response):
    x: str
    encoding: Literal["base64-le"] = optional("as asked: the columns are base64 of little-endian arrays")
    series: list[QueriedSeries]
    missing: list[str] = Field(description="asked runs that do not exist or that the caller may not read")
    starts: dict[str, float] = Field(description="run id -> creation time (epoch seconds), the origin of x=relative")


class InsightsRequest(StrictRequest):
    what = "an insights request"
    metric: Key
    runs: Annotated[list[RunId], Field(max_length=10_000)] = optional("these runs (default: all that match)")
    filter: str = optional("the run filter language")
    q: str = optional("substring of a run's name or tag")


class ParamImportance(Response):
    param: str
    importance: float = Field(description="random-forest impurity importance; all params sum to 1 (0 if the "
                              "metric or the param is constant)")
    correlation: float | None = Field(description="Pearson correlation with the metric (numeric params only)")
    n: int = Field(description="runs counted that have the param")
    kind: Literal["number", "category"]


class Insights(Response):
    metric: str
    runs: int = Field(description="runs with a finite value of the metric, over which it was computed")
    skipped: dict[str, int] = Field(description='{"without_metric": runs left out for lacking the metric}')
    params: list[ParamImportance]


ORDER_PATTERN = (r"^(created_at|created|updated_at|finished_at|name|status|owner|duration|tags|"
                 r"(metrics|params|summary)\..+)$")
GROUP_PATTERN = r"^(tags|status|owner|params\..+)$"
__all__ = ["GROUP_PATTERN", "MAX_FILTER_IDS", "MAX_IDS", "ORDER_PATTERN"]
