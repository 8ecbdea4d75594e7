"""MLflow's search grammar: ``filter`` strings and ``order_by`` lists of runs and experiments.

``metrics.acc > 0.9 AND params.optimizer = 'adam' AND tags."mlflow.user" LIKE 'ali%'
AND attributes.status IN ('FINISHED', 'RUNNING')`` — clauses joined by ``AND`` (MLflow has no
``OR``); an identifier is ``<type>.<key>`` with type ``metrics``, ``params``, ``tags``,
``attributes`` (``attribute``, ``attr``, ``run``) or ``datasets``, the key bare, in double quotes
or in backticks (a bare identifier is an attribute); operators ``= != > >= < <=`` (metrics and
time attributes), ``= != LIKE ILIKE IN NOT IN`` (params, tags, text attributes), ``IS [NOT] NULL``;
values are numbers or single/double-quoted strings.

The parsed clauses are evaluated on a run's MLflow view (:func:`matches`); :func:`pushdown`
hands the ones ML Hub's store can answer in SQL (metric comparisons on the latest value,
status, run name, run ids) to the store, so a metric filter over thousands of runs loads only
the runs that pass it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cmp_to_key
from typing import Any, Sequence

from ...core.search import Clause as StoreClause
from .errors import invalid

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>'(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.)*")
  | (?P<bt>`[^`]*`)
  | (?P<op><=|>=|!=|<>|==|=|<|>)
  | (?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.]))
  | (?P<word>[A-Za-z_][\w./:\-]*)
  | (?P<punct>[(),])
)""", re.VERBOSE)

ENTITY = {"metric": "metric", "metrics": "metric", "param": "param", "params": "param", "parameter": "param",
          "parameters": "param", "tag": "tag", "tags": "tag", "attribute": "attribute", "attributes": "attribute",
          "attr": "attribute", "run": "attribute", "dataset": "dataset", "datasets": "dataset"}
RUN_ATTRS = {"run_id", "run_name", "status", "user_id", "artifact_uri", "start_time", "end_time", "created",
             "lifecycle_stage", "experiment_id", "name"}
TIME_ATTRS = {"start_time", "end_time", "created", "creation_time", "last_update_time"}
TEXT_OPS = ("=", "!=", "LIKE", "ILIKE", "IN", "NOT IN")
NUM_OPS = ("=", "!=", ">", ">=", "<", "<=")


@dataclass(frozen=True)
class Clause:
    kind: str          # metric | param | tag | attribute | dataset
    key: str
    op: str            # = != > >= < <= LIKE ILIKE IN NOT IN IS NULL IS NOT NULL
    value: Any         # float, str, tuple of str, or None


@dataclass(frozen=True)
class Order:
    kind: str
    key: str
    ascending: bool


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos, text = 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise invalid(f"Invalid filter {text[:200]!r}: cannot parse it at position {pos} "
                          f"({text[pos:pos + 20]!r})")
        pos = m.end()
        kind = m.lastgroup or ""
        raw = m.group(kind)
        if kind == "str":
            body = raw[1:-1]
            body = body.replace("''", "'") if raw[0] == "'" else body
            out.append(("str", re.sub(r"\\(.)", r"\1", body)))
        elif kind == "bt":
            out.append(("bt", raw[1:-1]))
        elif kind == "op":
            out.append(("op", {"==": "=", "<>": "!="}.get(raw, raw)))
        else:
            out.append((kind, raw))
    return out


def _identifier(toks: list[tuple[str, str]], i: int, text: str) -> tuple[str, str, int]:
    kind, word = toks[i]
    if kind != "word":
        raise invalid(f"Invalid filter {text[:200]!r}: expected an identifier such as metrics.acc, got {word!r}")
    if "." not in word:
        return "attribute", word, i + 1
    prefix, _, key = word.partition(".")
    entity = ENTITY.get(prefix.lower())
    if entity is None:
        raise invalid(f"Invalid entity type {prefix!r} in filter {text[:200]!r}: use metrics., params., tags., "
                      "attributes. or datasets.")
    if not key and i + 1 < len(toks) and toks[i + 1][0] in ("str", "bt"):
        return entity, toks[i + 1][1], i + 2
    if not key:
        raise invalid(f"Invalid filter {text[:200]!r}: {word!r} names no key")
    return entity, key, i + 1


def _value(tok: tuple[str, str], text: str) -> Any:
    kind, raw = tok
    if kind == "num":
        return float(raw)
    if kind == "str":
        return raw
    raise invalid(f"Invalid filter {text[:200]!r}: expected a number or a quoted string, got {raw!r}")


def parse(text: str) -> list[Clause]:
    """Parse a filter; an INVALID_PARAMETER_VALUE error names what is wrong."""
    if not text or not text.strip():
        return []
    toks = _tokens(text)
    clauses: list[Clause] = []
    i = 0
    while True:
        if i >= len(toks):
            raise invalid(f"Invalid filter {text[:200]!r}: it ends where a clause should follow")
        entity, key, i = _identifier(toks, i, text)
        if i >= len(toks):
            raise invalid(f"Invalid filter {text[:200]!r}: {key!r} has no comparison")
        kind, word = toks[i]
        up = word.upper()
        if kind == "op":
            if i + 1 >= len(toks):
                raise invalid(f"Invalid filter {text[:200]!r}: {word!r} has no value")
            clause = Clause(entity, key, word, _value(toks[i + 1], text))
            i += 2
        elif kind == "word" and up in ("LIKE", "ILIKE"):
            if i + 1 >= len(toks) or toks[i + 1][0] != "str":
                raise invalid(f"Invalid filter {text[:200]!r}: {up} takes a quoted pattern")
            clause = Clause(entity, key, up, toks[i + 1][1])
            i += 2
        elif kind == "word" and up in ("IN", "NOT"):
            if up == "NOT":
                if i + 1 >= len(toks) or toks[i + 1][1].upper() != "IN":
                    raise invalid(f"Invalid filter {text[:200]!r}: NOT must be followed by IN")
                i += 1
            i += 1
            if i >= len(toks) or toks[i] != ("punct", "("):
                raise invalid(f"Invalid filter {text[:200]!r}: IN takes a list in parentheses, e.g. IN ('a', 'b')")
            values: list[str] = []
            i += 1
            while True:
                if i >= len(toks):
                    raise invalid(f"Invalid filter {text[:200]!r}: the IN list is not closed")
                if toks[i][0] != "str":
                    raise invalid(f"Invalid filter {text[:200]!r}: IN lists hold quoted strings, got {toks[i][1]!r}")
                values.append(toks[i][1])
                i += 1
                if i < len(toks) and toks[i] == ("punct", ","):
                    i += 1
                    continue
                if i < len(toks) and toks[i] == ("punct", ")"):
                    i += 1
                    break
                raise invalid(f"Invalid filter {text[:200]!r}: expected ',' or ')' in the IN list")
            clause = Clause(entity, key, "NOT IN" if up == "NOT" else "IN", tuple(values))
        elif kind == "word" and up == "IS":
            negate = i + 1 < len(toks) and toks[i + 1][1].upper() == "NOT"
            j = i + 2 if negate else i + 1
            if j >= len(toks) or toks[j][1].upper() != "NULL":
                raise invalid(f"Invalid filter {text[:200]!r}: IS must be followed by NULL or NOT NULL")
            clause = Clause(entity, key, "IS NOT NULL" if negate else "IS NULL", None)
            i = j + 1
        else:
            raise invalid(f"Invalid filter {text[:200]!r}: expected a comparison after {key!r}, got {word!r}")
        clauses.append(_check(clause, text))
        if i == len(toks):
            return clauses
        if toks[i][1].upper() != "AND":
            got = toks[i][1]
            hint = " (MLflow's search has no OR)" if got.upper() == "OR" else ""
            raise invalid(f"Invalid filter {text[:200]!r}: expected AND between clauses, got {got!r}{hint}")
        i += 1


def _check(c: Clause, text: str) -> Clause:
    numeric = c.kind == "metric" or (c.kind == "attribute" and c.key in TIME_ATTRS)
    if c.op in ("IS NULL", "IS NOT NULL"):
        return c
    if numeric:
        if c.op not in NUM_OPS or not isinstance(c.value, float):
            raise invalid(f"Invalid filter {text[:200]!r}: {c.kind} {c.key!r} is compared with a number "
                          f"using one of {', '.join(NUM_OPS)}")
        return c
    if c.op not in TEXT_OPS:
        raise invalid(f"Invalid comparator {c.op!r} for {c.kind} {c.key!r} in {text[:200]!r}: use one of "
                      f"{', '.join(TEXT_OPS)}")
    if isinstance(c.value, float):
        raise invalid(f"Invalid filter {text[:200]!r}: the value for {c.kind} {c.key!r} must be a quoted string")
    return c


def parse_order_by(items: Sequence[str], experiments: bool = False) -> list[Order]:
    out: list[Order] = []
    for item in items:
        toks = _tokens(item)
        if not toks:
            continue
        entity, key, i = _identifier(toks, 0, item)
        ascending = True
        if i < len(toks):
            word = toks[i][1].upper()
            if word not in ("ASC", "DESC") or i + 1 != len(toks):
                raise invalid(f"Invalid order_by clause {item!r}: expected '<identifier> [ASC|DESC]'")
            ascending = word == "ASC"
        if entity not in ("metric", "param", "tag", "attribute") or (experiments and entity not in ("tag", "attribute")):
            raise invalid(f"Invalid order_by clause {item!r}: cannot order by {entity}")
        out.append(Order(entity, key, ascending))
    return out


# -- evaluation on MLflow views ----------------------------------------------------------
def _like(pattern: str, flags: int = 0) -> re.Pattern[str]:
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts) + r"\Z", flags | re.DOTALL)


def _test(actual: Any, c: Clause) -> bool:
    if c.op == "IS NULL":
        return actual is None
    if c.op == "IS NOT NULL":
        return actual is not None
    if actual is None:
        return False
    op, want = c.op, c.value
    if op == "LIKE":
        return _like(want).match(str(actual)) is not None
    if op == "ILIKE":
        return _like(want, re.IGNORECASE).match(str(actual)) is not None
    if op == "IN":
        return str(actual) in want
    if op == "NOT IN":
        return str(actual) not in want
    if isinstance(want, float):
        try:
            actual = float(actual)
        except (TypeError, ValueError):
            return False
        if math.isnan(actual):
            return False
    else:
        actual = str(actual)
    if op == "=":
        return bool(actual == want)
    if op == "!=":
        return bool(actual != want)
    if op == ">":
        return bool(actual > want)
    if op == ">=":
        return bool(actual >= want)
    if op == "<":
        return bool(actual < want)
    return bool(actual <= want)


def run_value(view: dict[str, Any], kind: str, key: str) -> Any:
    """The value a clause or order key reads from a run's MLflow view (None when absent)."""
    if kind == "metric":
        return view["metrics"].get(key)
    if kind == "param":
        return view["params"].get(key)
    if kind == "tag":
        return view["tags"].get(key)
    if kind == "dataset":
        return None
    attrs = view["attributes"]
    key = {"created": "start_time", "name": "run_name"}.get(key, key)
    if key not in attrs:
        raise invalid(f"Invalid attribute key {key!r}: use one of {', '.join(sorted(RUN_ATTRS))}")
    return attrs[key]


def matches(view: dict[str, Any], clauses: Sequence[Clause]) -> bool:
    for c in clauses:
        if c.kind == "dataset":
            names = [(d.get("name"), d.get("digest"), d.get("context")) for d in view.get("datasets", [])]
            field = {"name": 0, "digest": 1, "context": 2}.get(c.key)
            if field is None:
                raise invalid(f"Invalid dataset key {c.key!r}: use datasets.name, datasets.digest or datasets.context")
            if not any(_test(n[field], c) for n in names):
                return False
        elif not _test(run_value(view, c.kind, c.key), c):
            return False
    return True


def _compare(a: Any, b: Any) -> int:
    if a is None or b is None:
        return (a is None) - (b is None)   # absent values last, whatever the direction
    if isinstance(a, float) and math.isnan(a):
        return 0 if isinstance(b, float) and math.isnan(b) else 1
    try:
        return (a > b) - (a < b)
    except TypeError:
        return (str(a) > str(b)) - (str(a) < str(b))


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, float) and math.isnan(value):
        return (1, 0.0)    # NaN after every number, as MLflow orders it
    return (0, value)


def sort_runs(views: list[Any], order: Sequence[Order]) -> list[Any]:
    """MLflow's order: the given keys, then start_time descending, then run id; a run without
    a key's value comes after those with one, whichever the direction."""
    keys = list(order) + [Order("attribute", "start_time", False), Order("attribute", "run_id", True)]
    try:   # one stable sort per key, last key first: key functions, no comparisons in Python
        out = list(views)
        for o in reversed(keys):
            valued = [(run_value(v, o.kind, o.key), v) for v in out]
            present = [p for p in valued if p[0] is not None]
            present.sort(key=lambda p: _sort_key(p[0]), reverse=not o.ascending)
            out = [v for _, v in present] + [v for value, v in valued if value is None]
        return out
    except TypeError:   # values of mixed types under one key: compare pairwise
        pass

    def cmp(x: dict[str, Any], y: dict[str, Any]) -> int:
        for o in keys:
            a, b = run_value(x, o.kind, o.key), run_value(y, o.kind, o.key)
            if a is None or b is None:
                r = _compare(a, b)
            else:
                r = _compare(a, b) if o.ascending else -_compare(a, b)
            if r:
                return r
        return 0

    return sorted(views, key=cmp_to_key(cmp))


def matches_experiment(exp: dict[str, Any], clauses: Sequence[Clause]) -> bool:
    tags = {t["key"]: t["value"] for t in exp["tags"]}
    for c in clauses:
        if c.kind == "tag":
            actual = tags.get(c.key)
        elif c.kind == "attribute" and c.key in ("name", "experiment_id", "creation_time", "last_update_time",
                                                  "lifecycle_stage"):
            actual = exp[c.key]
        else:
            raise invalid(f"Invalid experiment filter on {c.kind} {c.key!r}: use name, creation_time, "
                          "last_update_time or tags.<key>")
        if not _test(actual, c):
            return False
    return True


def sort_experiments(exps: list[dict[str, Any]], order: Sequence[Order]) -> list[dict[str, Any]]:
    keys = list(order) + [Order("attribute", "last_update_time", False), Order("attribute", "experiment_id", True)]

    def value(e: dict[str, Any], o: Order) -> Any:
        if o.kind == "tag":
            return next((t["value"] for t in e["tags"] if t["key"] == o.key), None)
        if o.key not in e:
            raise invalid(f"Invalid order_by key {o.key!r} for experiments: use name, creation_time, "
                          "last_update_time or experiment_id")
        v = e[o.key]
        return int(v) if o.key == "experiment_id" else v

    def cmp(x: dict[str, Any], y: dict[str, Any]) -> int:
        for o in keys:
            r = _compare(value(x, o), value(y, o))
            if r:
                return r if o.ascending or value(x, o) is None or value(y, o) is None else -r
        return 0

    return sorted(exps, key=cmp_to_key(cmp))


STATUS_TO_MLHUB = {"RUNNING": "running", "SCHEDULED": "running", "FINISHED": "finished", "FAILED": "failed",
                   "KILLED": "killed"}


def pushdown(clauses: Sequence[Clause]) -> tuple[list[StoreClause], list[str] | None, list[Clause]]:
    """Split clauses into ``(store clauses, run ids or None, clauses left for matches())``.

    Metric comparisons read the store's latest value (an index on key and value); status and
    run name equalities are plain columns; ``attributes.run_id IN (...)`` is the id list.
    """
    store: list[StoreClause] = []
    ids: list[str] | None = None
    rest: list[Clause] = []
    for c in clauses:
        if c.kind == "metric" and c.op in NUM_OPS and isinstance(c.value, float) and math.isfinite(c.value):
            store.append(StoreClause("metric", c.key, c.op, c.value))
        elif c.kind == "attribute" and c.key == "status" and c.op in ("=", "!=") and c.value in STATUS_TO_MLHUB \
                and c.value != "SCHEDULED":
            store.append(StoreClause("field", "status", c.op, STATUS_TO_MLHUB[c.value]))
        elif c.kind == "attribute" and c.key in ("run_name", "name") and c.op in ("=", "!="):
            store.append(StoreClause("field", "name", c.op, c.value))
        elif c.kind == "attribute" and c.key == "run_id" and c.op in ("=", "IN"):
            wanted = [c.value] if c.op == "=" else list(c.value)
            ids = wanted if ids is None else [i for i in ids if i in wanted]
        else:
            rest.append(c)
    return store, ids, rest
