"""``mh.projects``: list, create and share projects (``mh.projects.share(project, user, role)``)."""
from __future__ import annotations

import builtins
from typing import Any
from urllib.parse import quote

from .fluent import client


def _path(*parts: str) -> str:
    return "/".join(quote(p, safe="") for p in parts)


def list(q: str | None = None, limit: int = 100) -> builtins.list[dict[str, Any]]:
    """Projects you may read (yours, shared with you, public), newest activity first."""
    params: dict[str, Any] = {"limit": limit}
    if q:
        params["q"] = q
    return client().get("projects", params=params)["projects"]


def get(name: str) -> dict[str, Any]:
    return client().get(_path("projects", name))


def create(name: str, description: str = "", visibility: str = "private") -> dict[str, Any]:
    return client().post("projects", json={"name": name, "description": description, "visibility": visibility})


def share(project: str, user: str, role: str = "read") -> dict[str, Any]:
    """Give ``user`` ``read``, ``edit`` or ``manage`` access to ``project`` (needs manage)."""
    return client().request("PUT", _path("projects", project, "members", user), json={"role": role})


def unshare(project: str, user: str) -> None:
    """Revoke ``user``'s access to ``project``."""
    client().request("DELETE", _path("projects", project, "members", user))


def members(project: str) -> builtins.list[dict[str, Any]]:
    """The owner and every member with their role."""
    return client().get(_path("projects", project, "members"))["members"]


def set_visibility(project: str, visibility: str) -> dict[str, Any]:
    """``"public"``: every signed-in user may read; ``"private"``: owner and members only."""
    return client().patch(_path("projects", project), json={"visibility": visibility})
