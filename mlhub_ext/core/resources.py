"""What projects, datasets and models share, written once: visibility, members and roles,
and version references.

Each of the three is a *shared resource*: it has a ``name``, an ``owner``, a
``visibility`` (private or public) and members with ``read``, ``edit`` or ``manage``
(the policy in :mod:`.access`). A service holds one :class:`Sharing` per kind of resource
and asks it for the resource as the caller sees it, for the members, and to grant or
revoke a role; only what differs (how to find the resource, its noun in messages, the
store that keeps its members) is passed in.

Versions: datasets and models are numbered 1, 2, 3...; a reference is a number or
``"latest"`` (:func:`version_number`), for a model also a stage name (:func:`version_ref`),
resolved by :func:`resolve_version`.
"""
from __future__ import annotations

from typing import Any, Callable, Generic, Protocol, Sequence, TypeVar

from . import access, validation
from .entities import Holding, Member, Role, Visibility
from .errors import MLHubError, invalid, not_found, quoted

MAX_NAME = 128   # longer names are never stored, so they are simply not found


def parse_visibility(value: Any) -> Visibility:
    """``"private"`` (also for ``None`` or ``""``) or ``"public"``; ``invalid`` naming the value otherwise."""
    try:
        return Visibility(value or "private")
    except ValueError:
        raise invalid(f"visibility must be 'private' or 'public', not {quoted(value)}") from None


class SharedResource(Protocol):
    """What :class:`Sharing` reads and sets on a project, dataset or model."""

    name: str
    owner: str
    visibility: Any
    role: Role | None


class MemberStore(Protocol):
    """The member half of a store (``store.members.SqlMembersMixin`` implements it once)."""

    def get_member_role(self, name: str, user: str) -> Role | None: ...

    def member_roles(self, names: Sequence[str], user: str) -> dict[str, Role]: ...

    def set_member(self, name: str, user: str, role: Role, granted_by: str | None = None) -> Member: ...

    def remove_member(self, name: str, user: str) -> bool: ...

    def list_members(self, name: str) -> list[Member]: ...

    def holdings(self, user: str) -> tuple[list[Holding], list[Holding]]: ...


class Users(Protocol):
    def ensure_user(self, name: str) -> None: ...


R = TypeVar("R", bound=SharedResource)


class Sharing(Generic[R]):
    """Access, members and roles of one kind of shared resource, seen as the acting user.

    ``noun``: ``"project"``, ``"dataset"`` or ``"model"`` (in messages and member JSON);
    ``lookup(name)``: the resource or None; ``members``: the store keeping its members;
    ``users``: where a new member's user record is made.
    """

    def __init__(self, noun: str, lookup: Callable[[str], R | None], members: MemberStore, users: Users) -> None:
        self.noun = noun
        self.lookup = lookup
        self.members = members
        self.users = users

    def get(self, user: str, name: Any, needed: Role) -> R:
        """The resource ``name`` with ``role`` set to the caller's.

        Raises ``not_found`` when it does not exist or ``user`` may not read it (private
        names do not leak), ``forbidden`` when ``user`` may read but holds less than ``needed``.
        """
        found = self.lookup(name) if isinstance(name, str) and len(name) <= MAX_NAME else None
        if found is None:
            raise not_found(self.noun, name)
        found.role = access.require(found, user, self.members.get_member_role(name, user), needed, noun=self.noun)
        return found

    def with_roles(self, user: str, found: list[R]) -> list[R]:
        """``found`` (a listing of readable resources) with each one's ``role`` set to the caller's."""
        roles = self.members.member_roles([r.name for r in found], user)
        for r in found:
            r.role = access.effective_role(r, user, roles.get(r.name))
        return found

    def holdings(self, user: str) -> tuple[list[Holding], list[Holding]]:
        """``(owned, shared)``: what ``user`` owns, and what was shared with them or one of their groups."""
        return self.members.holdings(user)

    def list_members(self, user: str, name: str) -> list[Member]:
        """The owner (role ``owner``) first, then every member by name; needs read."""
        res = self.get(user, name, Role.READ)
        return [Member(name, res.owner, Role.OWNER, self.noun)] + self.members.list_members(name)

    def set_member(self, user: str, name: str, member: str, role: Any) -> Member:
        """Grant ``member`` (a user or ``group:<hub group>``) ``read``, ``edit`` or ``manage``; needs manage.

        Raises ``invalid`` for another role, a bad member name or the owner.
        """
        res = self.get(user, name, Role.MANAGE)
        granted = access.grantable_role(role, member, res.owner, self.noun, name)
        self.users.ensure_user(member)
        return self.members.set_member(name, member, granted, granted_by=str(user))

    def remove_member(self, user: str, name: str, member: str) -> None:
        """Revoke ``member``'s role; needs manage. ``not_found`` when ``member`` holds none."""
        self.get(user, name, Role.MANAGE)
        if not self.members.remove_member(name, member):
            raise not_found("member", member)


# -- version references ------------------------------------------------------------------

def version_number(value: Any) -> int | None:
    """A dataset version reference: a number from 1 (int or digits), or None for ``None``/``""``/``"latest"``.

    Raises ``invalid`` naming the value for anything else (booleans, fractions, infinity...).
    """
    if value in (None, "", "latest"):
        return None
    if isinstance(value, bool):
        raise invalid(f"version must be a positive integer or 'latest', not {quoted(value)}")
    try:
        return validation.check_int("version", value, 1, validation.MAX_VERSION)
    except MLHubError:
        raise invalid(f"version must be 'latest' or an integer from 1 to {validation.MAX_VERSION}, "
                      f"not {quoted(value)}") from None


def version_ref(value: Any) -> int | str | None:
    """A model version reference: a number, ``None`` / ``"latest"``, or a stage name."""
    if value in (None, "", "latest"):
        return None
    if isinstance(value, bool):
        raise invalid(f"version must be a positive integer, 'latest' or a stage name, not {quoted(value)}")
    if isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit()):
        return validation.check_int("version", value, 1, validation.MAX_VERSION)
    if isinstance(value, str):
        return validation.check_name("stage", value)
    raise invalid(f"version must be a positive integer, 'latest' or a stage name, not {quoted(value)}")


def resolve_version(ref: int | str | None, latest: int, stages: dict[str, int], noun: str, name: str) -> int:
    """The version number ``ref`` (from :func:`version_ref` or :func:`version_number`) stands for:
    ``latest`` for None, the stage's version for a stage name (``not_found`` naming it when
    ``stages`` has none such), else the number itself (not checked to exist here)."""
    if ref is None:
        return latest
    if isinstance(ref, str):
        if ref not in stages:
            raise not_found(f"stage of {noun} {quoted(name)}", ref)
        return stages[ref]
    return ref
