"""The runs table of a project: sort by any column, text search, select all matching, groups,
batched series for many runs. Access is checked here (read role), as in :class:`.service.Registry`.

Sort keys (``order_by``): ``created_at`` (alias ``created``), ``updated_at``, ``finished_at``,
``name``, ``status``, ``owner``, ``duration`` (seconds from creation to the end, or to now while
running), ``tags`` (the alphabetically first tag), ``params.<key>``, ``metrics.<key>`` (the latest
value) and ``summary.<key>``. Runs without a value sort last in both directions; ties are
broken by newest first, then id. Numbers sort before text in ``params.``/``summary.`` columns.

Group keys (``by``): ``params.<key>``, ``tags`` (a run is in one group per tag), ``status``,
``owner``. A group's ``key`` is the JSON text of its value (``0.01``, ``"adam"``), or None for
the runs that lack it; :class:`TableQuery` takes it back to list one group's runs.
"""
from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, Sequence

from . import validation
from .entities import Run
from .errors import invalid, not_found, quoted
from .search import Clause, parse_filter

MAX_IDS = 10_000           # "select all matching" answers at most this many ids
MAX_FILTER_IDS = 1_000     # run ids one listing may be restricted to (``ids``: the compare view's runs)
MAX_QUERY_RUNS = 1_000     # runs in one batched series request
MAX_QUERY_SERIES = 5_000   # series in one batched series request
MAX_QUERY_POINTS = 100_000  # max_points of one series
DEFAULT_QUERY_POINTS = 1_000
COLUMNS = {"created_at": "created_at", "created": "created_at", "updated_at": "updated_at",
           "finished_at": "finished_at", "name": "name", "status": "status", "owner": "owner"}
SORT_WORDS = (*COLUMNS, "duration", "tags")
GROUP_WORDS = ("tags", "status", "owner")
X_AXES = ("step", "wall", "relative")
_REGEX_CHARS = re.compile(r"[*+?\[\](){}|^$\\]")


@dataclass(frozen=True)
class Column:
    """A sortable or groupable column: ``kind`` is ``column`` (a run field: ``key`` names it),
    ``duration``, ``tags``, ``param``, ``metric`` or ``summary`` (``key``: the name after the dot)."""

    kind: str
    key: str = ""


def parse_order(text: str | None) -> Column:
    """The sort column named by ``order_by`` (default ``created_at``); 422 naming the choices."""
    text = text or "created_at"
    if text in COLUMNS:
        return Column("column", COLUMNS[text])
    if text in ("duration", "tags"):
        return Column(text)
    for prefix, kind in (("params.", "param"), ("metrics.", "metric"), ("summary.", "summary")):
        if text.startswith(prefix) and len(text) > len(prefix):
            return Column(kind, _check_key(text[len(prefix):], text))
    raise invalid(f"order_by {quoted(text)} is not a column: use one of {', '.join(SORT_WORDS)}, "
                  "params.<key>, metrics.<key> or summary.<key>", field="order_by")


def parse_ids(text: str | None) -> list[str] | None:
    """The run ids of an ``ids`` filter (comma-separated; None when absent or empty); 422 when
    there are more than :data:`MAX_FILTER_IDS` or one is longer than 64 characters."""
    if text is None or not text.strip():
        return None
    ids = list(dict.fromkeys(i.strip() for i in text.split(",") if i.strip()))
    if len(ids) > MAX_FILTER_IDS:
        raise invalid(f"ids lists at most {MAX_FILTER_IDS:,} run ids, not {len(ids):,}", field="ids")
    if any(len(i) > 64 for i in ids):
        raise invalid("ids: a run id is at most 64 characters", field="ids")
    return ids


def parse_group_by(text: Any) -> Column:
    """The column named by ``by`` of a grouping; 422 naming the choices."""
    if isinstance(text, str):
        if text in GROUP_WORDS:
            return Column("tags") if text == "tags" else Column("column", text)
        if text.startswith("params.") and len(text) > 7:
            return Column("param", _check_key(text[7:], text))
    raise invalid(f"cannot group by {quoted(text)}: use params.<key>, tags, status or owner", field="by")


def _check_key(key: str, whole: str) -> str:
    if len(key) > 256 or '"' in key:
        raise invalid(f"column {quoted(whole)}: a key is at most 256 characters, without '\"'")
    return key


@dataclass
class TableQuery:
    """What one page (or the ids, or the groups) of the runs table asks for."""

    project: str | None = None
    readable_by: str | None = None
    filter: list[Clause] = field(default_factory=list)
    q: str | None = None                 # substring of the name or of a tag (case-insensitive)
    ids: list[str] | None = None         # only these runs (the compare view's), in the asked order
    group_by: Column | None = None       # with group_key: only that group's runs
    group_key: str | None = None         # JSON text of the group's value; None: runs lacking it
    order: Column = field(default_factory=lambda: Column("column", "created_at"))
    descending: bool = True
    limit: int = 50
    offset: int = 0


@dataclass
class RunGroup:
    """One group: its value, how many runs it holds, and the chosen metric over them
    (latest values; NaN and runs without the metric left out)."""

    value: Any
    key: str | None
    count: int
    metric_count: int = 0
    mean: float | None = None
    min: float | None = None
    max: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "key": self.key, "count": self.count,
                "metric": {"count": self.metric_count, "mean": _finite(self.mean), "min": _finite(self.min),
                           "max": _finite(self.max)}}


def _finite(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


@dataclass
class SeriesRequest:
    """A batched series request (``POST /metrics/query``), checked."""

    runs: list[str]
    keys: list[str]                      # exact names
    patterns: list[re.Pattern[str]]      # regexes matched in full against each run's keys
    max_points: int = DEFAULT_QUERY_POINTS
    min_step: int | None = None
    max_step: int | None = None
    x: str = "step"
    min_x: float | None = None
    max_x: float | None = None
    after_step: dict[str, dict[str, int]] = field(default_factory=dict)
    starts: dict[str, float] = field(default_factory=dict)   # run id -> creation time (epoch seconds)
    timestamps: bool = True              # answer the points' wall times
    encoding: str | None = None          # "base64-le": columns as base64 of little-endian arrays
    band: bool | frozenset[str] = True   # answer the bands: all, none, or those of these keys

    def wants_band(self, key: str) -> bool:
        """Whether the answer carries the band of ``key``'s series (when downsampled)."""
        return self.band if isinstance(self.band, bool) else key in self.band


@dataclass
class SeriesAnswer:
    """One series of a batched answer (numpy arrays from the SQL store)."""

    run: str
    key: str
    steps: Any
    values: Any
    timestamps: Any
    downsampled: bool
    total: int
    last_step: int
    band_min: Any = None   # per returned point: the min / max of its bucket, when downsampled
    band_max: Any = None


class RunTableStore(ABC):
    """What the runs table needs of a store (the SQL store implements it)."""

    @abstractmethod
    def table_page(self, query: TableQuery) -> tuple[list[Run], int]:
        """One page of runs in the asked order, and how many match."""

    @abstractmethod
    def table_ids(self, query: TableQuery, cap: int) -> tuple[list[str], int]:
        """The ids of the first ``cap`` matching runs in the asked order, and how many match."""

    @abstractmethod
    def table_groups(self, query: TableQuery, by: Column, metric: str | None) -> tuple[list[RunGroup], int]:
        """The groups of the matching runs by ``by`` (largest first), and how many runs match."""

    @abstractmethod
    def table_values(self, query: TableQuery, metric: str, cap: int) -> list[tuple[str, dict[str, Any], Any]]:
        """For up to ``cap`` matching runs: ``(id, params, metric)`` where metric is the
        latest value of that series (NaN as None), else the summary's value, else absent
        (:data:`MISSING`)."""

    @abstractmethod
    def table_metric_keys(self, query: TableQuery, cap: int) -> list[str]:
        """The metric keys logged by the matching runs (at most ``cap``), sorted."""

    @abstractmethod
    def readable_runs(self, user: str, ids: Sequence[str]) -> dict[str, float]:
        """Of ``ids``, those ``user`` may read, with their creation time (epoch seconds)."""

    @abstractmethod
    def query_series(self, request: SeriesRequest) -> list[SeriesAnswer]:
        """Every asked series of the asked runs (all readable), reduced as asked."""


MISSING = object()


class RunTable:
    """The runs table over a registry, seen as ``user``. Raises ``not_found`` for a project the
    user may not read, ``invalid`` (422) naming a bad parameter."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry
        store = registry.store
        if not isinstance(store, RunTableStore):
            raise TypeError(f"{type(store).__name__} does not implement RunTableStore")
        self.store: RunTableStore = store

    def query(self, user: str, project: str | None, filter: str | None = None, q: str | None = None,
              order_by: str | None = None, descending: bool = True, limit: Any = None, offset: Any = None,
              group_by: str | None = None, group: str | None = None, group_missing: bool = False,
              max_limit: int = 1000, ids: str | None = None) -> TableQuery:
        """The checked query; ``group_by`` with ``group`` (a group's key) or ``group_missing``
        (the runs that lack a value) restricts it to one group; ``ids`` (comma-separated run
        ids, at most :data:`MAX_FILTER_IDS`) to those runs, so that one request lists the runs
        a view already knows by id (ids that do not exist or cannot be read are left out)."""
        lim, off = validation.check_paging(limit, offset, max_limit)
        only = parse_ids(ids)
        if project is not None:
            self.registry.get_project(user, project)
        if q is not None and len(q) > 256:
            raise invalid("q (text searched in names and tags) is at most 256 characters", field="q")
        by = None
        if group_by not in (None, ""):
            by = parse_group_by(group_by)
            if group in (None, "") and not group_missing:
                raise invalid("group_by needs group (a group's key from the groups answer) or group_missing=true "
                              "(the runs that lack a value)", field="group")
            if group not in (None, "") and group_missing:
                raise invalid("give group or group_missing=true, not both", field="group")
        elif group not in (None, "") or group_missing:
            raise invalid("group and group_missing need group_by: the column whose value it is", field="group")
        if by is not None and group not in (None, ""):
            _check_group_key(group)
        return TableQuery(project=project, readable_by=user, filter=parse_filter(filter), q=q or None,
                          ids=only, group_by=by, group_key=group or None, order=parse_order(order_by),
                          descending=descending, limit=lim, offset=off)

    def page(self, query: TableQuery) -> tuple[list[Run], int]:
        return self.store.table_page(query)

    def ids(self, query: TableQuery) -> tuple[list[str], int]:
        """All matching ids (up to :data:`MAX_IDS`), in the asked order, and the total."""
        return self.store.table_ids(query, MAX_IDS)

    def groups(self, query: TableQuery, by: Any, metric: str | None = None) -> tuple[list[RunGroup], int]:
        column = parse_group_by(by)
        if metric is not None and (not isinstance(metric, str) or not 0 < len(metric) <= 256):
            raise invalid("metric must be a metric key of 1-256 characters", field="metric")
        return self.store.table_groups(query, column, metric or None)

    def series(self, user: str, body: dict[str, Any]) -> tuple[list[SeriesAnswer], list[str], dict[str, float]]:
        """The series of a batched request: ``(series, missing run ids, run start times)``.
        A run that does not exist or that ``user`` may not read is listed in ``missing`` (the
        two are not told apart, as a 404 would not)."""
        return self.series_request(user, body)[1:]

    def series_request(self, user: str, body: dict[str, Any]) -> tuple[SeriesRequest, list[SeriesAnswer], list[str],
                                                                       dict[str, float]]:
        """:meth:`series` with the checked request first (what the answer is written as)."""
        request = parse_series_request(body)
        readable = self.store.readable_runs(user, request.runs)
        request.runs = [r for r in request.runs if r in readable]
        request.starts = readable
        missing = [r for r in parse_runs(body.get("runs")) if r not in readable]
        return request, self.store.query_series(request) if request.runs else [], missing, readable

    def one_series(self, user: str, run_id: str, key: str, max_points: Any, min_step: Any, max_step: Any,
                   after_step: Any) -> SeriesAnswer:
        """One series read as the batched request reads it; ``not_found`` for a run the user
        cannot read or a key it has not logged."""
        body: dict[str, Any] = {"runs": [run_id], "keys": [key]}
        for name, value in (("min_step", min_step), ("max_step", max_step)):
            if value not in (None, ""):
                body[name] = validation.check_int(name, value, 0)
        if after_step not in (None, ""):
            body["after_step"] = {run_id: {key: validation.check_int("after_step", after_step, -1)}}
        body["max_points"] = (validation.check_int("max_points", max_points, 2, MAX_QUERY_POINTS)
                              if max_points not in (None, "") else MAX_QUERY_POINTS)
        request = parse_series_request(body)
        request.patterns = []
        request.keys = [key]
        request.starts = self.store.readable_runs(user, [run_id])
        if run_id not in request.starts:
            raise not_found("run", run_id)
        got = self.store.query_series(request)
        if not got:
            raise not_found("metric", key)
        return got[0]


def _check_group_key(key: str) -> None:
    import json

    if len(key) > 4096:
        raise invalid("group is at most 4096 characters", field="group")
    try:
        json.loads(key)
    except (ValueError, RecursionError):
        raise invalid(f"group {quoted(key)} is not JSON: pass a group's key as the groups answer gives it "
                      "(e.g. 0.01 or \"adam\")", field="group") from None


def parse_runs(runs: Any) -> list[str]:
    if not isinstance(runs, list) or not runs or not all(isinstance(r, str) and 0 < len(r) <= 64 for r in runs):
        raise invalid("runs must be a list of 1 or more run ids", field="runs")
    if len(runs) > MAX_QUERY_RUNS:
        raise invalid(f"runs lists {len(runs):,} runs; ask for at most {MAX_QUERY_RUNS:,} at once", field="runs")
    return list(dict.fromkeys(runs))


def parse_series_request(body: dict[str, Any]) -> SeriesRequest:
    """Check a batched series request (shapes in docs/api.md); 422 naming the field."""
    runs = parse_runs(body.get("runs"))
    keys_in = body.get("keys")
    if not isinstance(keys_in, list) or not keys_in or not all(isinstance(k, str) and 0 < len(k) <= 256
                                                                  for k in keys_in):
        raise invalid("keys must be a list of 1 or more metric names or regexes (each 1-256 characters)",
                      field="keys")
    keys, patterns = [], []
    for k in dict.fromkeys(keys_in):
        if _REGEX_CHARS.search(k):
            try:
                patterns.append(re.compile(k))
            except re.error as e:
                raise invalid(f"keys: {quoted(k)} is not a valid regex: {e}", field="keys") from None
        else:
            keys.append(k)

    def opt_int(name: str, lo: int, hi: int = validation.MAX_INT) -> int | None:
        v = body.get(name)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise invalid(f"{name} must be an integer from {lo:,} to {hi:,}, not {quoted(v)}", field=name)
        return v

    def opt_float(name: str) -> float | None:
        v = body.get(name)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise invalid(f"{name} must be a finite number, not {quoted(v)}", field=name)
        return float(v)

    max_points = opt_int("max_points", 2, MAX_QUERY_POINTS)
    x = body.get("x", "step")
    if x not in X_AXES:
        raise invalid(f"x must be one of {', '.join(X_AXES)}, not {quoted(x)}", field="x")
    after: dict[str, dict[str, int]] = {}
    raw_after = body.get("after_step")
    if raw_after is not None:
        if not isinstance(raw_after, dict):
            raise invalid("after_step must be an object {run id: {metric key: step}}", field="after_step")
        for run, cursors in raw_after.items():
            if not isinstance(cursors, dict):
                raise invalid(f"after_step.{quoted(run)} must be an object {{metric key: step}}",
                              field="after_step")
            for key, step in cursors.items():
                if isinstance(step, bool) or not isinstance(step, int) or not -1 <= step <= validation.MAX_INT:
                    raise invalid(f"after_step.{quoted(run)}.{quoted(key)} must be a step (an integer from -1), "
                                  f"not {quoted(step)}", field="after_step")
            after[run] = dict(cursors)
    stamps = body.get("timestamps", True)
    if not isinstance(stamps, bool):
        raise invalid(f"timestamps must be true or false, not {quoted(stamps)}", field="timestamps")
    encoding = body.get("encoding")
    if encoding not in (None, "base64-le"):
        raise invalid(f"encoding must be 'base64-le' (or left out for JSON arrays), not {quoted(encoding)}",
                      field="encoding")
    band = body.get("band", True)
    if isinstance(band, list) and all(isinstance(k, str) and 0 < len(k) <= 256 for k in band):
        band = frozenset(band)
    elif not isinstance(band, bool):
        raise invalid(f"band must be true, false or a list of metric names, not {quoted(band)}", field="band")
    request = SeriesRequest(runs=runs, keys=keys, patterns=patterns, timestamps=stamps, encoding=encoding,
                            max_points=max_points if max_points is not None else DEFAULT_QUERY_POINTS,
                            min_step=opt_int("min_step", 0), max_step=opt_int("max_step", 0), x=x,
                            min_x=opt_float("min_x"), max_x=opt_float("max_x"), after_step=after, band=band)
    if len(runs) * max(len(keys), 1) > MAX_QUERY_SERIES and not patterns:
        raise invalid(f"{len(runs):,} runs x {len(keys):,} keys is more than {MAX_QUERY_SERIES:,} series; "
                      "ask in several requests", field="keys")
    return request
