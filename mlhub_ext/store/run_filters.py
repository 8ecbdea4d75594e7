"""Translate parsed run filters (:mod:`mlhub_ext.core.search`) into SQL conditions."""
from __future__ import annotations

import operator
from typing import Any, Callable, Sequence

from sqlalchemy import ColumnElement, and_, exists, func, not_

from ..core.search import Clause
from .orm import ParamRow, RunRow, SeriesRow, TagRow

_runs, _params, _series, _tags = RunRow.__table__, ParamRow.__table__, SeriesRow.__table__, TagRow.__table__

_CMP: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


def _compare(col: Any, op: str, value: Any) -> Any:
    if op == "~":
        return func.lower(col).like(f"%{str(value).lower()}%")
    return _CMP[op](col, value)


def filter_conditions(clauses: Sequence[Clause]) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    for cl in clauses:
        if cl.kind == "metric":
            out.append(exists().where(_series.c.run_id == _runs.c.id, _series.c.key == cl.key,
                                      _compare(_series.c.last_value, cl.op, cl.value)))
        elif cl.kind == "param":
            col = _params.c.value_num if isinstance(cl.value, float) else _params.c.value_text
            out.append(exists().where(_params.c.run_id == _runs.c.id, _params.c.key == cl.key,
                                      _compare(col, cl.op, cl.value)))
        elif cl.kind == "tag":
            has = exists().where(_tags.c.run_id == _runs.c.id, _tags.c.tag == cl.value)
            out.append(has if cl.op == "=" else not_(has))
        else:
            out.append(_compare(_runs.c[cl.key], cl.op, cl.value))
    return [and_(*out)] if out else []
