"""``mh.projects``: list, create and share projects (``mh.projects.share(project, user, role)``).

>>> p = mh.projects.create("churn")                 # Project(name='churn', owner='alice', ...)
>>> [p.name for p in mh.projects.list()]           # Project objects, newest activity first
>>> mh.projects.members("churn").to_pandas()       # Member objects as a table: user, role, project
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .fluent import client
from .records import Member, NotADict, Records, members as _members, ts

PROJECT_COLUMNS = ("name", "owner", "description", "visibility", "run_count", "role", "created_at", "updated_at")


@dataclass(frozen=True)
class Project(NotADict):
    """A project as you see it: ``role`` is yours (``owner``, ``manage``, ``edit``, ``read``),
    ``run_count`` its runs, times UTC; ``raw`` the JSON as the server sent it."""

    name: str
    owner: str
    description: str
    visibility: str
    run_count: int
    role: str | None
    created_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Project":
        return cls(d["name"], d["owner"], d.get("description") or "", d.get("visibility", "private"),
                   int(d.get("run_count") or 0), d.get("role"), ts(d.get("created_at")), ts(d.get("updated_at")), d)


def _path(*parts: str) -> str:
    return "/".join(quote(p, safe="") for p in parts)


def list(q: str | None = None, limit: int = 100) -> Records[Project]:  # noqa: A001
    """Projects you may read (yours, shared with you, public), newest activity first."""
    params: dict[str, Any] = {"limit": limit}
    if q:
        params["q"] = q
    got = client().get("projects", params=params)["projects"]
    return Records((Project.from_json(p) for p in got), PROJECT_COLUMNS)


def get(name: str) -> Project:
    """The project ``name``; ``MLHubError`` (``not_found``) when it does not exist or you may not read it."""
    return Project.from_json(client().get(_path("projects", name)))


def create(name: str, description: str = "", visibility: str = "private") -> Project:
    """A new project owned by you (``conflict`` when the name is taken)."""
    return Project.from_json(client().post("projects", json={"name": name, "description": description,
                                                             "visibility": visibility}))


def share(project: str, user: str, role: str = "read") -> Member:
    """Give ``user`` (or ``group:<hub group>``) ``read``, ``edit`` or ``manage`` access to ``project`` (needs manage)."""
    return Member.from_json(client().request("PUT", _path("projects", project, "members", user), json={"role": role}))


def unshare(project: str, user: str) -> None:
    """Revoke ``user``'s access to ``project``."""
    client().request("DELETE", _path("projects", project, "members", user))


def members(project: str) -> Records[Member]:
    """The owner (role ``owner``) and every member with their role."""
    return _members(client().get(_path("projects", project, "members")))


def set_visibility(project: str, visibility: str) -> Project:
    """``"public"``: every signed-in user may read; ``"private"``: owner and members only."""
    return Project.from_json(client().patch(_path("projects", project), json={"visibility": visibility}))


__all__ = ["Project", "Member", "create", "get", "list", "members", "set_visibility", "share", "unshare"]
