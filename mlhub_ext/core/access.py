"""The access policy, in one place: who may read, write or manage a project or a dataset.

Anything with ``name``, ``owner`` and ``visibility`` (a :class:`Project`, a ``Dataset``)
follows the same rules; ``noun`` names it in messages.
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Protocol, Sequence, Union

from .entities import Project, Role, Visibility
from .errors import ErrorCode, MLHubError, invalid, quoted
from .validation import check_user

# A member may be a hub group: "group:<group>", e.g. "group:my-org:ml-leads" for the GitHub
# team my-org/ml-leads. User names never contain ':', so the two cannot be confused.
GROUP_PREFIX = "group:"
GROUP_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@+ -]{0,127}$")


class Caller(str):
    """The acting user's name, carrying the hub groups they belong to.

    It is a ``str`` (every registry call takes the user as one); stores read ``groups``
    through :func:`principals` when they look up member roles, so a role granted to
    ``group:<g>`` reaches every member of ``g``. A plain ``str`` user has no groups.
    """

    groups: tuple[str, ...]

    def __new__(cls, name: str, groups: Iterable[str] = ()) -> "Caller":
        self = super().__new__(cls, name)
        self.groups = tuple(sorted({g for g in groups if isinstance(g, str) and g}))
        return self


def principals(user: str) -> list[str]:
    """The member names that stand for ``user``: the name itself, then ``group:<g>`` for each group."""
    return [str(user), *(GROUP_PREFIX + g for g in getattr(user, "groups", ()))]


def best_role(roles: Sequence[Role | str]) -> Role | None:
    """The highest of the roles granted to a user and their groups (None for none)."""
    return max((Role(r) for r in roles), key=lambda r: r.rank, default=None)


def check_member(member: Any) -> str:
    """A member name: a user name, or ``group:<hub group>``."""
    if isinstance(member, str) and member.startswith(GROUP_PREFIX):
        if not GROUP_RE.match(member[len(GROUP_PREFIX):]):
            raise invalid(f"group member {quoted(member)} is not valid: use 'group:<hub group>', e.g. "
                          "'group:my-org:ml-leads' (1-128 letters, digits, ':', '_', '.', '-', '@', '+' or spaces)")
        return member
    return check_user(member)


class Shared(Protocol):
    """What the policy reads of a resource."""

    name: str
    owner: str
    visibility: Any


Resource = Union[Project, Shared]


def effective_role(project: Resource, user: str, member_role: Role | None) -> Role | None:
    """The caller's role on ``project``: owner, their member role, or read if public."""
    if project.owner == user:
        return Role.OWNER
    if member_role is not None:
        return Role(member_role)
    if Visibility(project.visibility) == Visibility.PUBLIC:
        return Role.READ
    return None


def require(project: Resource, user: str, member_role: Role | None, needed: Role, what: str | None = None,
            noun: str = "project") -> Role:
    """Return the caller's role or raise.

    A caller who may not even read gets ``not_found`` so that private names do not
    leak; one who may read but not do ``needed`` gets ``forbidden``.
    """
    role = effective_role(project, user, member_role)
    if role is None:
        raise MLHubError(ErrorCode.NOT_FOUND, f"{what or f'{noun} {quoted(project.name)}'} not found")
    if not role.allows(needed):
        target = what or f"{noun} {quoted(project.name)}"
        raise MLHubError(
            ErrorCode.FORBIDDEN,
            f"user {quoted(user)} has {role.value} access to {noun} {quoted(project.name)}; "
            f"this action on {target} needs {needed.value}",
        )
    return role


def grantable_role(role: Any, member: str, owner: str, noun: str, name: str) -> Role:
    """Check a role that a manager grants ``member`` (a user or ``group:<g>``) on a project, dataset or model."""
    check_member(member)
    try:
        granted = Role(role)
    except ValueError:
        raise invalid(f"role must be 'read', 'edit' or 'manage', not {quoted(role)}") from None
    if granted == Role.OWNER:
        raise invalid(f"role must be 'read', 'edit' or 'manage'; a {noun} has one owner")
    if member == owner:
        raise invalid(f"{quoted(member)} owns {noun} {quoted(name)}")
    return granted
