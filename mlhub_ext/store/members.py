"""Members of a shared resource (project, dataset, model): one implementation for every member table.

The core side of the same mechanics is :mod:`mlhub_ext.core.resources`.
"""
from __future__ import annotations

from abc import abstractmethod

from typing import Any, Callable, Sequence

from sqlalchemy import Connection, Table, delete, exists, insert, or_, select, update

from ..core.access import best_role, principals
from ..core.entities import Holding, Member, Role, Visibility
from .orm import utcnow

# (connection, resource ids) -> {id: (count, bytes)}
SizeStats = Callable[[Connection, list[int]], dict[int, tuple[int, int]]]


def readable(res: Table, mem: Table, fk: str, user: str) -> Any:
    """SQL: ``user`` may read the row of ``res`` (owner, public, or member directly or by group)."""
    member = exists().where(mem.c[fk] == res.c.id, mem.c.user.in_(principals(user)))
    return or_(res.c.owner == str(user), res.c.visibility == Visibility.PUBLIC.value, member)


def best_roles(rows: Any) -> dict[str, Role]:
    """``{name: role}`` from ``(name, role)`` rows, keeping each name's highest role (a user's
    own and their groups' grants may differ)."""
    found: dict[str, list[str]] = {}
    for name, role in rows:
        found.setdefault(name, []).append(role)
    return {name: r for name, roles in found.items() if (r := best_role(roles)) is not None}


def holdings(c: Connection, kind: str, res: Table, mem: Table, fk: str, user: str,
             stats: SizeStats) -> tuple[list[Holding], list[Holding]]:
    """``(owned, shared)``: what ``user`` owns, and what others shared with them directly or
    through one of their groups (each once, with the best role and the name that grants it)."""
    cols = (res.c.id, res.c.name, res.c.owner, res.c.visibility, res.c.updated_at)
    owned_rows = c.execute(select(*cols).where(res.c.owner == str(user)).order_by(res.c.name)).all()
    granted = c.execute(select(*cols, mem.c.user.label("via"), mem.c.role).join(mem, mem.c[fk] == res.c.id)
                        .where(mem.c.user.in_(principals(user)), res.c.owner != str(user))
                        .order_by(res.c.name)).all()
    best: dict[int, Any] = {}
    for r in granted:
        held = best.get(r.id)
        # The higher role wins; on a tie the user's own grant is named rather than a group's.
        if held is None or Role(r.role).rank > Role(held.role).rank or (
                Role(r.role) == Role(held.role) and r.via == str(user)):
            best[r.id] = r
    sizes = stats(c, [r.id for r in owned_rows] + list(best))

    def make(r: Any, role: Role, via: str) -> Holding:
        count, size = sizes.get(r.id, (0, 0))
        return Holding(kind, r.name, r.owner, Visibility(r.visibility), int(count or 0), int(size or 0),
                       r.updated_at, role, via)

    owned = [make(r, Role.OWNER, str(user)) for r in owned_rows]
    shared = [make(r, Role(r.role), r.via) for r in best.values()]
    return owned, shared


def grant_member(c: Connection, mem: Table, of_resource: Any, key: dict[str, Any], role: Role,
                 granted_by: str | None) -> None:
    """Insert or update the member row ``key`` (its resource column and ``user``) of ``mem``.

    A new row or a changed role stamps ``granted_at`` (now, UTC) and ``granted_by``; granting
    the role a member already holds changes nothing, so the home's "shared with you" line
    keeps the time of the real grant.
    """
    where = (of_resource, mem.c.user == key["user"])
    held = c.execute(select(mem.c.role).where(*where)).scalar_one_or_none()
    stamp = {"role": role.value, "granted_at": utcnow(), "granted_by": granted_by}
    if held is None:
        c.execute(insert(mem).values({**key, **stamp}))
    elif held != role.value:
        c.execute(update(mem).where(*where).values(stamp))


class SqlMembersMixin:
    """``get_member_role``/``member_roles``/``set_member``/``remove_member``/``list_members``/
    ``holdings`` for a store with ``_read``/``_write`` transactions and ``_id(conn, name)``.

    Subclasses name the resource table, its member table and the member table's
    foreign-key column to the resource (``<kind>_id``: ``project_id``, ``dataset_id``,
    ``model_id``), and say in ``_size_stats`` how they count and size a resource.
    """

    _resources: Table
    _member_rows: Table
    _member_fk: str
    _read: Any
    _write: Any
    _id: Any

    @property
    def _member_kind(self) -> str:
        return self._member_fk.removesuffix("_id")

    def _readable(self, user: str) -> Any:
        """SQL: ``user`` may read the resource row (see :func:`readable`)."""
        return readable(self._resources, self._member_rows, self._member_fk, user)

    def _before_grant(self, c: Connection, user: str) -> None:
        """Called in the granting transaction before the member row is written (a hook)."""

    def get_member_role(self, name: str, user: str) -> Role | None:
        return self.member_roles([name], user).get(name)

    def member_roles(self, names: Sequence[str], user: str) -> dict[str, Role]:
        if not names:
            return {}
        res, mem = self._resources, self._member_rows
        with self._read() as c:
            rows = c.execute(select(res.c.name, mem.c.role).join(mem, mem.c[self._member_fk] == res.c.id)
                             .where(res.c.name.in_(list(names)), mem.c.user.in_(principals(user))))
            return best_roles(rows)

    @abstractmethod
    def _size_stats(self, c: Connection, ids: list[int]) -> dict[int, tuple[int, int]]:
        """``{id: (versions, bytes)}`` of the resources ``ids``; each store says how it counts."""

    def holdings(self, user: str) -> tuple[list[Holding], list[Holding]]:
        """What ``user`` owns and what is shared with them (see :func:`holdings`)."""
        with self._read() as c:
            return holdings(c, self._member_kind, self._resources, self._member_rows, self._member_fk, user, self._size_stats)

    def set_member(self, name: str, user: str, role: Role, granted_by: str | None = None) -> Member:
        mem = self._member_rows
        with self._write() as c:
            rid = self._id(c, name)
            self._before_grant(c, user)
            grant_member(c, mem, mem.c[self._member_fk] == rid, {self._member_fk: rid, "user": user}, role, granted_by)
        return Member(name, user, role, self._member_kind)

    def remove_member(self, name: str, user: str) -> bool:
        mem = self._member_rows
        with self._write() as c:
            rid = self._id(c, name)
            return c.execute(delete(mem).where(mem.c[self._member_fk] == rid, mem.c.user == user)).rowcount > 0

    def list_members(self, name: str) -> list[Member]:
        mem = self._member_rows
        with self._read() as c:
            rid = self._id(c, name)
            rows = c.execute(select(mem).where(mem.c[self._member_fk] == rid).order_by(mem.c.user))
            return [Member(name, r.user, Role(r.role), self._member_kind) for r in rows]
