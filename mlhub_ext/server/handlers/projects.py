"""Projects and their members."""
from __future__ import annotations

from ..schemas.base import parse
from ..schemas.projects import MemberRole, NewProject, ProjectPatch
from .base import MLHubAPIMixin, api


class ProjectsHandler(MLHubAPIMixin):
    @api
    async def get(self) -> None:
        projects, total = await self.call(
            self.registry.list_projects, self.acting_user(), self.get_argument("q", None),  # type: ignore[attr-defined]
            self.get_argument("limit", None), self.get_argument("offset", None))  # type: ignore[attr-defined]
        self.write_json({"projects": [p.to_json() for p in projects], "total": total})

    @api
    async def post(self) -> None:
        body = parse(NewProject, self.json_body())
        project = await self.call(self.registry.create_project, self.acting_user(), body.name,
                                  body.description or "", body.visibility or "private")
        self.write_json(project.to_json(), 201)


class ProjectHandler(MLHubAPIMixin):
    @api
    async def get(self, name: str) -> None:
        project = await self.call(self.registry.get_project, self.acting_user(), name)
        self.write_json(project.to_json())

    @api
    async def patch(self, name: str) -> None:
        patch = parse(ProjectPatch, self.json_body()).given()
        project = await self.call(self.registry.update_project, self.acting_user(), name, patch)
        self.write_json(project.to_json())


class MembersHandler(MLHubAPIMixin):
    @api
    async def get(self, name: str) -> None:
        members = await self.call(self.registry.list_members, self.acting_user(), name)
        self.write_json({"members": [m.to_json() for m in members]})


class MemberHandler(MLHubAPIMixin):
    @api
    async def put(self, name: str, user: str) -> None:
        body = parse(MemberRole, self.json_body())
        member = await self.call(self.registry.set_member, self.acting_user(), name, user, body.role)
        self.write_json(member.to_json())

    @api
    async def delete(self, name: str, user: str) -> None:
        await self.call(self.registry.remove_member, self.acting_user(), name, user)
        self.set_status(204)  # type: ignore[attr-defined]
        self.finish()  # type: ignore[attr-defined]
