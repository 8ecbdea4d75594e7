"""The run filter language: ``metrics.acc > 0.9 and params.lr < 0.01 and tags = baseline``.

Clauses joined by ``and``. A clause is ``FIELD OP VALUE`` where FIELD is
``metrics.<key>``, ``params.<key>``, ``tags``, ``name``, ``status`` or ``owner``;
OP is one of ``= != > >= < <=`` (and ``~`` for "contains" on text fields); VALUE is a
number, a bare word or a quoted string. The store translates the parsed form to SQL.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from .errors import invalid, quoted

OPS = ("<=", ">=", "!=", "=", "<", ">", "~")
TEXT_FIELDS = ("name", "status", "owner")

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op><=|>=|!=|==|=|<|>|~)
      | (?P<word>[A-Za-z0-9_.\-+:/@]+)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Clause:
    kind: str  # "metric" | "param" | "tag" | "field"
    key: str
    op: str
    value: Union[float, str]


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise invalid(f"cannot parse filter at position {pos}: {quoted(text[pos:pos + 20])}")
        pos = m.end()
        if m.group("str") is not None:
            s = m.group("str")[1:-1]
            out.append(("str", re.sub(r"\\(.)", r"\1", s)))
        elif m.group("op") is not None:
            out.append(("op", "=" if m.group("op") == "==" else m.group("op")))
        else:
            out.append(("word", m.group("word")))
    return out


def _value(tok: tuple[str, str]) -> float | str:
    kind, text = tok
    if kind == "word":
        try:
            return float(text)
        except ValueError:
            return text
    return text


def parse_filter(text: str | None) -> list[Clause]:
    """Parse a filter expression; raise an ``invalid`` error naming what is wrong."""
    if not text or not text.strip():
        return []
    toks = _tokens(text)
    clauses: list[Clause] = []
    i = 0
    while True:
        if i + 3 > len(toks):
            raise invalid(f"incomplete filter clause in {quoted(text)}: expected FIELD OP VALUE")
        (fk, field), (ok, op), vtok = toks[i], toks[i + 1], toks[i + 2]
        if fk != "word" or ok != "op" or vtok[0] == "op":
            raise invalid(f"expected FIELD OP VALUE in filter {quoted(text)}, got {quoted(field)} {quoted(op)} {quoted(vtok[1])}")
        clauses.append(_clause(field, op, _value(vtok)))
        i += 3
        if i == len(toks):
            return clauses
        if toks[i] != ("word", "and") and toks[i] != ("word", "AND"):
            raise invalid(f"expected 'and' between filter clauses, got {quoted(toks[i][1])}")
        i += 1


def _clause(field: str, op: str, value: float | str) -> Clause:
    if field.startswith("metrics.") and len(field) > 8:
        if not isinstance(value, float):
            raise invalid(f"metric {quoted(field[8:])} can only be compared with a number, not {quoted(value)}")
        if op == "~":
            raise invalid("'~' (contains) applies to text fields only")
        return Clause("metric", field[8:], op, value)
    if field.startswith("params.") and len(field) > 7:
        return Clause("param", field[7:], op, value)
    if field in ("tags", "tag"):
        if op not in ("=", "!="):
            raise invalid("tags support only '=' and '!='")
        return Clause("tag", "tags", op, str(value) if not isinstance(value, str) else value)
    if field in TEXT_FIELDS:
        return Clause("field", field, op, value if isinstance(value, str) else _num_text(value))
    raise invalid(
        f"unknown filter field {quoted(field)}: use metrics.<key>, params.<key>, tags, name, status or owner"
    )


def _num_text(v: float) -> str:
    return str(int(v)) if v.is_integer() else str(v)
