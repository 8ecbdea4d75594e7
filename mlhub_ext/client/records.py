"""The SDK's typed answers: lists with ``to_pandas()``, and the small records they hold.

Listings (``mh.datasets.list()``, ``mh.models.list()``, ``mh.runs.list()``, ``mv.inferences()``...)
return a :class:`Records`: a plain ``list`` of typed objects (attributes, a short repr)
with ``to_pandas()`` for when a table is what you want (one row per item)::

    for d in mh.datasets.list():
        print(d.name, d.latest_version)
    mh.datasets.list().to_pandas()          # name, owner, kind, version, rows, size, ...

Every object keeps the JSON the server sent as ``raw``. Indexing one like the dict it
replaced (``v["version"]``) raises a ``TypeError`` naming the attribute to use instead.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable, Sequence, TypeVar

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")


def ts(value: Any) -> datetime | None:
    """An ISO-8601 time from the server (``...Z``) as an aware ``datetime`` (UTC); None stays None."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) and value else None


def row_of(item: Any) -> dict[str, Any]:
    """One table row for ``item``: its ``_row()`` if it has one, else its dataclass fields shown in repr."""
    row = getattr(item, "_row", None)
    if row is not None:
        return dict(row())
    if is_dataclass(item):
        return {f.name: getattr(item, f.name) for f in fields(item) if f.repr}
    raise TypeError(f"{type(item).__name__} has no table row")


class Records(builtins.list[T]):
    """A list of typed SDK objects, newest or best first as the call says.

    ``to_pandas()``: a DataFrame with one row per item (``columns`` fixes the columns, so an
    empty list still gives a table with them).
    """

    def __init__(self, items: Iterable[T] = (), columns: Sequence[str] = ()) -> None:
        super().__init__(items)
        self.columns: tuple[str, ...] = tuple(columns)

    def to_pandas(self) -> "pd.DataFrame":
        """One row per item (shape ``(len(self), n_columns)``); needs pandas."""
        import pandas as pd

        rows = [row_of(x) for x in self]
        columns = builtins.list(self.columns)
        for r in rows:   # extra keys of some rows (params.*, metrics.* of runs) come after
            columns.extend(k for k in r if k not in columns)
        return pd.DataFrame(rows, columns=columns)


class NotADict:
    """Mixed into SDK objects that replaced dicts: ``obj["key"]`` says what to write instead."""

    def __getitem__(self, key: Any) -> Any:
        name = type(self).__name__
        if isinstance(key, str) and key.isidentifier():
            raise TypeError(f"{name} is an object, not a dict: use .{key} (or .raw[{key!r}] for the JSON "
                            "as the server sent it)")
        raise TypeError(f"{name} is an object, not a dict: use its attributes (or .raw for the JSON)")


def _member_kind(d: dict[str, Any]) -> tuple[str, str]:
    for kind in ("project", "dataset", "model"):
        if kind in d:
            return kind, d[kind]
    return "", ""


@dataclass(frozen=True)
class Member(NotADict):
    """A role on a project, dataset or model.

    ``kind``: ``"project"``, ``"dataset"`` or ``"model"``; ``resource``: its name; ``user``:
    a user name or ``group:<hub group>``; ``role``: ``owner``, ``manage``, ``edit`` or ``read``.
    """

    kind: str
    resource: str
    user: str
    role: str
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Member":
        kind, name = _member_kind(d)
        return cls(kind, name, d["user"], d["role"], d)

    def _row(self) -> dict[str, Any]:
        return {"user": self.user, "role": self.role, self.kind or "resource": self.resource}


MEMBER_COLUMNS = ("user", "role")


def members(answer: dict[str, Any]) -> Records[Member]:
    """``{"members": [...]}`` as :class:`Member` records (owner first)."""
    return Records((Member.from_json(m) for m in answer["members"]), MEMBER_COLUMNS)


@dataclass(frozen=True)
class StageMove(NotADict):
    """One move of a model's stage: to ``version`` (None: the stage was removed) from ``previous``."""

    id: int
    model: str
    stage: str
    version: int | None
    previous: int | None
    user: str
    created_at: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "StageMove":
        return cls(int(d.get("id") or 0), d.get("model", ""), d["stage"], d.get("version"), d.get("previous"),
                   d.get("user", ""), ts(d.get("created_at")), d)


STAGE_MOVE_COLUMNS = ("id", "model", "stage", "version", "previous", "user", "created_at")
