"""Validation of row-filter expressions (the ``filter_rows`` operation).

Filters use pandas ``DataFrame.query`` syntax, but only a safe subset is accepted:
column names, literals (numbers, strings, booleans, None, and lists/tuples of them),
comparisons (``== != < <= > >= in not in``), boolean logic (``and or not & | ~``)
and arithmetic (``+ - * / // % **``). Attribute access, subscripts, calls, ``@local``
variables, lambdas and dunder names are refused, so a filter cannot run code.
Column names that are not identifiers are written in backticks, as in pandas.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Iterable

from ..core.errors import invalid, quoted as shown

_BACKTICK = re.compile(r"`([^`]*)`")
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd,
    ast.Invert, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.BitAnd, ast.BitOr, ast.Compare, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE,
    ast.In, ast.NotIn, ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
)
_DESCRIBE = {
    ast.Attribute: "attribute access", ast.Call: "function calls", ast.Subscript: "subscripts",
    ast.Lambda: "lambdas", ast.NamedExpr: "assignments", ast.IfExp: "conditional expressions",
    ast.Starred: "starred expressions", ast.Is: "'is' comparisons", ast.IsNot: "'is not' comparisons",
}


def check_filter(expr: str, columns: Iterable[str]) -> set[str]:
    """Validate a filter expression against the available ``columns``.

    Returns the set of columns it refers to; raises ``MLHubError(INVALID)`` naming the
    problem (syntax, an unknown column, or a refused construct).
    """
    if not isinstance(expr, str) or not expr.strip():
        raise invalid("filter expression must be a non-empty string")
    if "@" in _BACKTICK.sub("", expr):
        raise invalid("filter expression may not refer to local variables with '@'")
    quoted: dict[str, str] = {}

    def stand_in(match: re.Match[str]) -> str:
        key = f"_bt{len(quoted)}_"
        quoted[key] = match.group(1)
        return key

    try:
        tree = ast.parse(_BACKTICK.sub(stand_in, expr).strip(), mode="eval")
    except SyntaxError as exc:
        raise invalid(f"filter expression {shown(expr)} is not valid: {exc.msg}") from exc
    known = set(columns)
    used: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            what = _DESCRIBE.get(type(node), type(node).__name__)
            raise invalid(f"filter expression {shown(expr)} uses {what}, which filters may not use; "
                          "only columns, literals, comparisons, arithmetic and and/or/not are allowed")
        if isinstance(node, ast.Name):
            name = quoted.get(node.id, node.id)
            if name.startswith("__"):
                raise invalid(f"filter expression {shown(expr)} refers to the reserved name {shown(name)}")
            if name not in known:
                raise invalid(f"filter expression {shown(expr)} refers to unknown column {shown(name)}; "
                              f"columns are {', '.join(sorted(known))}")
            used.add(name)
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str, bool, type(None))):
            raise invalid(f"filter expression {shown(expr)} uses an unsupported literal {shown(node.value)}")
    return used
