"""Projects and their members."""
from __future__ import annotations

from pydantic import Field

from .base import (GrantableRole, Name, Request, Response, Role, StrictRequest, Timestamp, Visibility,
                   optional)


class Project(Response):
    name: str
    owner: str
    description: str
    visibility: Visibility
    created_at: Timestamp | None
    updated_at: Timestamp | None
    run_count: int
    role: Role | None = Field(description="the caller's role; null where the item is only public to them")


class ProjectList(Response):
    projects: list[Project]
    total: int


class NewProject(Request):
    what = "a new project"
    name: Name
    description: str = optional()
    visibility: Visibility = optional()


class ProjectPatch(StrictRequest):
    what = "a project update"
    description: str = optional()
    visibility: Visibility = optional()


class Member(Response):
    project: str
    user: str
    role: Role


class MemberList(Response):
    members: list[Member]


class MemberRole(Request):
    """The role to grant (projects, datasets and models alike)."""

    what = "a member role"
    role: GrantableRole
