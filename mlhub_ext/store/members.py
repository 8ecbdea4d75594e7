"""Members of a shared resource (dataset, model): one implementation for every member table."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import Table, delete, insert, select, update

from ..core.entities import Member, Role


class SqlMembersMixin:
    """``get_member_role``/``member_roles``/``set_member``/``remove_member``/``list_members``
    for a store with ``_read``/``_write`` transactions and ``_id(conn, name)``.

    Subclasses name the resource table, its member table and the member table's
    foreign-key column to the resource.
    """

    _resources: Table
    _member_rows: Table
    _member_fk: str
    _read: Any
    _write: Any
    _id: Any

    def get_member_role(self, name: str, user: str) -> Role | None:
        return self.member_roles([name], user).get(name)

    def member_roles(self, names: Sequence[str], user: str) -> dict[str, Role]:
        if not names:
            return {}
        res, mem = self._resources, self._member_rows
        with self._read() as c:
            rows = c.execute(select(res.c.name, mem.c.role).join(mem, mem.c[self._member_fk] == res.c.id)
                             .where(res.c.name.in_(list(names)), mem.c.user == user))
            return {r.name: Role(r.role) for r in rows}

    def set_member(self, name: str, user: str, role: Role) -> Member:
        mem = self._member_rows
        with self._write() as c:
            rid = self._id(c, name)
            fk = mem.c[self._member_fk]
            done = c.execute(update(mem).where(fk == rid, mem.c.user == user).values(role=role.value)).rowcount
            if not done:
                c.execute(insert(mem).values({self._member_fk: rid, "user": user, "role": role.value}))
        return Member(name, user, role)

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
            return [Member(name, r.user, Role(r.role)) for r in rows]
