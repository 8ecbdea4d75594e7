"""The access policy, in one place: who may read, write or manage a project or a dataset.

Anything with ``name``, ``owner`` and ``visibility`` (a :class:`Project`, a ``Dataset``)
follows the same rules; ``noun`` names it in messages.
"""
from __future__ import annotations

from typing import Any, Protocol, Union

from .entities import Project, Role, Visibility
from .errors import ErrorCode, MLHubError, invalid, quoted
from .validation import check_user


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
    """Check a role that a manager grants ``member`` on a project, dataset or model."""
    check_user(member)
    try:
        granted = Role(role)
    except ValueError:
        raise invalid(f"role must be 'read', 'edit' or 'manage', not {quoted(role)}") from None
    if granted == Role.OWNER:
        raise invalid(f"role must be 'read', 'edit' or 'manage'; a {noun} has one owner")
    if member == owner:
        raise invalid(f"{quoted(member)} owns {noun} {quoted(name)}")
    return granted
