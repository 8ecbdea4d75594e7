"""The runs table in SQL (:class:`~mlhub_ext.core.run_table.RunTableStore`): sorting, search,
ids, groups and batched series, pushed down to the database."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Sequence

import orjson
from sqlalchemy import (Connection, Float, Text, and_, case, cast, exists, false, func, literal, not_, or_, select,
                        type_coerce)

from ..core.run_table import (MISSING, Column, RunGroup, RunTableStore, SeriesAnswer, SeriesRequest,
                              TableQuery)
from . import series_read
from .orm import ParamRow, ProjectRow, RunRow, SeriesRow, TagRow, UTCDateTime, utcnow
from .run_filters import filter_conditions

_runs, _params, _series, _tags = RunRow.__table__, ParamRow.__table__, SeriesRow.__table__, TagRow.__table__
_projects = ProjectRow.__table__
_FROM = _runs.join(_projects, _projects.c.id == _runs.c.project_id)


def _json_text(col: Any, dialect: str) -> Any:
    """A JSON column as its stored text (SQLite keeps the text; PostgreSQL casts json to text)."""
    return type_coerce(col, Text) if dialect == "sqlite" else cast(col, Text)


class SqlRunTableMixin(RunTableStore):
    """Mixed into :class:`~.sqlstore.SqlStore` (which gives ``_read``, ``_readable``,
    ``_hydrate`` and ``read_engine``)."""

    read_engine: Any
    _read: Any        # SqlStore's read transaction
    _readable: Any    # SqlMembersMixin's "user may read the project" condition
    _hydrate: Any     # SqlStore's rows -> Run entities

    @property
    def _dialect(self) -> str:
        return str(self.read_engine.dialect.name)

    # conditions
    def _conditions(self, query: TableQuery, with_group: bool = True) -> list[Any]:
        conds: list[Any] = []
        if query.project is not None:
            conds.append(_projects.c.name == query.project)
        if query.readable_by is not None:
            conds.append(self._readable(query.readable_by))
        conds.extend(filter_conditions(query.filter))
        if query.ids is not None:
            conds.append(_runs.c.id.in_(query.ids))
        if query.q:
            text = query.q.lower()
            conds.append(or_(func.lower(_runs.c.name).contains(text, autoescape=True),
                             exists().where(_tags.c.run_id == _runs.c.id,
                                            func.lower(_tags.c.tag).contains(text, autoescape=True))))
        if with_group and query.group_by is not None:
            conds.append(self._group_condition(query.group_by, query.group_key))
        return conds

    def _group_condition(self, by: Column, key: str | None) -> Any:
        value = None if key is None else json.loads(key)
        if by.kind == "tags":
            has = exists().where(_tags.c.run_id == _runs.c.id)
            if key is None:
                return not_(has)
            return exists().where(_tags.c.run_id == _runs.c.id, _tags.c.tag == str(value)) \
                if isinstance(value, str) else false()
        if by.kind == "column":
            return _runs.c[by.key] == value if isinstance(value, str) else false()
        of_run = and_(_params.c.run_id == _runs.c.id, _params.c.key == by.key)
        if key is None:
            return not_(exists().where(of_run))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return exists().where(of_run, _params.c.value_num == float(value))
        if isinstance(value, str):
            return exists().where(of_run, _params.c.value_text == value)
        return exists().where(of_run, _json_text(_params.c.value, self._dialect) == key)

    def _ordered(self, stmt: Any, query: TableQuery) -> Any:
        order = query.order
        dialect = self._dialect
        keys: list[Any] = []
        if order.kind == "column":
            keys = [_runs.c[order.key]]
        elif order.kind == "duration":
            end = func.coalesce(_runs.c.finished_at, literal(utcnow(), UTCDateTime))
            # SQLite: whole milliseconds, so that equal durations tie exactly (julianday is a float)
            keys = [func.round((func.julianday(end) - func.julianday(_runs.c.created_at)) * 86_400_000)] \
                if dialect == "sqlite" else [end - _runs.c.created_at]
        elif order.kind == "tags":
            keys = [select(func.min(_tags.c.tag)).where(_tags.c.run_id == _runs.c.id).scalar_subquery()]
        elif order.kind == "metric":
            s = _series.alias("order_series")
            stmt = stmt.outerjoin(s, and_(s.c.run_id == _runs.c.id, s.c.key == order.key))
            keys = [s.c.last_value]
        elif order.kind == "param":
            p = _params.alias("order_params")
            stmt = stmt.outerjoin(p, and_(p.c.run_id == _runs.c.id, p.c.key == order.key))
            keys = [p.c.value_num, p.c.value_text, _json_text(p.c.value, dialect)]
        elif order.kind == "summary":
            if dialect == "sqlite":
                path = f'$."{order.key}"'
                kind, value = func.json_type(_runs.c.summary, path), func.json_extract(_runs.c.summary, path)
                keys = [case((kind.in_(("integer", "real")), value)), case((kind == "text", value)),
                        case((kind.in_(("true", "false", "object", "array")), func.json_quote(value)))]
            else:
                node = func.json_extract_path(_runs.c.summary, order.key)
                text = func.json_extract_path_text(_runs.c.summary, order.key)
                kind = func.json_typeof(node)
                keys = [case((kind == "number", cast(text, Float))), case((kind == "string", text)),
                        case((kind.in_(("boolean", "object", "array")), cast(node, Text)))]
        return stmt.order_by(*[(k.desc() if query.descending else k.asc()).nulls_last() for k in keys],
                             _runs.c.created_at.desc(), _runs.c.id)

    def _count(self, c: Connection, conds: list[Any]) -> int:
        return int(c.execute(select(func.count()).select_from(_FROM).where(*conds)).scalar_one())

    # the table
    def table_page(self, query: TableQuery) -> tuple[list[Any], int]:
        conds = self._conditions(query)
        stmt = select(_runs, _projects.c.name.label("project_name")).select_from(_FROM).where(*conds)
        stmt = self._ordered(stmt, query).limit(query.limit).offset(query.offset)
        with self._read() as c:
            return self._hydrate(c, c.execute(stmt).all()), self._count(c, conds)

    def table_ids(self, query: TableQuery, cap: int) -> tuple[list[str], int]:
        conds = self._conditions(query)
        stmt = self._ordered(select(_runs.c.id).select_from(_FROM).where(*conds), query).limit(cap)
        with self._read() as c:
            return list(c.execute(stmt).scalars()), self._count(c, conds)

    def table_groups(self, query: TableQuery, by: Column, metric: str | None) -> tuple[list[RunGroup], int]:
        conds = self._conditions(query, with_group=False)
        frm = _FROM
        if by.kind == "param":
            p = _params.alias("group_params")
            frm = frm.outerjoin(p, and_(p.c.run_id == _runs.c.id, p.c.key == by.key))
            text = _json_text(p.c.value, self._dialect)
            group_cols = [p.c.value_num, case((p.c.value_num.is_(None), text)).label("text_key")]
            shown = [func.min(text)]
        elif by.kind == "tags":
            t = _tags.alias("group_tags")
            frm = frm.outerjoin(t, t.c.run_id == _runs.c.id)
            group_cols = [t.c.tag]
            shown = [t.c.tag]
        else:
            group_cols = [_runs.c[by.key]]
            shown = [_runs.c[by.key]]
        aggs: list[Any] = [func.count(func.distinct(_runs.c.id))]
        if metric is not None:
            s = _series.alias("group_series")
            frm = frm.outerjoin(s, and_(s.c.run_id == _runs.c.id, s.c.key == metric))
            aggs += [func.count(s.c.last_value), func.avg(s.c.last_value), func.min(s.c.last_value),
                     func.max(s.c.last_value)]
        stmt = select(*shown, *aggs).select_from(frm).where(*conds).group_by(*group_cols)
        groups: list[RunGroup] = []
        with self._read() as c:
            for row in c.execute(stmt):
                raw, count = row[0], int(row[1])
                if raw is None:
                    value, key = None, None
                elif by.kind == "param":
                    key = raw
                    value = orjson.loads(raw) if isinstance(raw, (str, bytes)) else raw
                    if not isinstance(key, str):
                        key = json.dumps(value)
                else:
                    value, key = raw, json.dumps(raw)
                group = RunGroup(value=value, key=key, count=count)
                if metric is not None:
                    group.metric_count = int(row[2])
                    group.mean, group.min, group.max = (None if v is None else float(v) for v in row[3:6])
                groups.append(group)
            total = self._count(c, conds)
        groups.sort(key=lambda g: (-g.count, g.key is None, _sortable(g.value)))
        return groups, total

    def table_values(self, query: TableQuery, metric: str, cap: int) -> list[tuple[str, dict[str, Any], Any]]:
        conds = self._conditions(query)
        s = _series.alias("value_series")
        stmt = (select(_runs.c.id, _runs.c.summary, s.c.id.label("sid"), s.c.last_value)
                .select_from(_FROM.outerjoin(s, and_(s.c.run_id == _runs.c.id, s.c.key == metric)))
                .where(*conds).order_by(_runs.c.created_at.desc(), _runs.c.id).limit(cap))
        with self._read() as c:
            rows = c.execute(stmt).all()
            ids = [r.id for r in rows]
            params: dict[str, dict[str, Any]] = {i: {} for i in ids}
            raw = _json_text(_params.c.value, self._dialect)
            for start in range(0, len(ids), 5000):
                for rid, key, value in c.execute(select(_params.c.run_id, _params.c.key, raw)
                                                 .where(_params.c.run_id.in_(ids[start:start + 5000]))):
                    params[rid][key] = orjson.loads(value) if isinstance(value, (str, bytes)) else value
        out = []
        for r in rows:
            if r.sid is not None:
                value: Any = r.last_value   # NaN is stored as NULL
            else:
                value = (r.summary or {}).get(metric, MISSING)
            out.append((r.id, params[r.id], value))
        return out

    def table_metric_keys(self, query: TableQuery, cap: int) -> list[str]:
        conds = self._conditions(query)
        stmt = (select(_series.c.key).select_from(_FROM.join(_series, _series.c.run_id == _runs.c.id))
                .where(*conds).distinct().order_by(_series.c.key).limit(cap))
        with self._read() as c:
            return list(c.execute(stmt).scalars())

    # series
    def readable_runs(self, user: str, ids: Sequence[str]) -> dict[str, float]:
        if not ids:
            return {}
        with self._read() as c:
            rows = c.execute(select(_runs.c.id, _runs.c.created_at).select_from(_FROM)
                             .where(_runs.c.id.in_(list(ids)), self._readable(user)))
            return {rid: _epoch(created) for rid, created in rows}

    def query_series(self, request: SeriesRequest) -> list[SeriesAnswer]:
        # From the stored summaries where they can answer, else the overlapping raw chunks.
        with self._read() as c:
            return series_read.query_series(c, request)


def _epoch(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


def _sortable(value: Any) -> tuple[int, Any]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value))
    return (1, json.dumps(value, sort_keys=True, default=str))
