"""Models over REST: catalogue, members, versions, evaluations, stages. See docs/models-api.md."""
from __future__ import annotations

from typing import Any

from ...core.entities import Member
from ...core.model_service import ModelService
from ...services.cards import import_card
from ...services.jobs import JobRunner
from ..schemas.base import parse
from ..schemas.models import ModelPatch, ModelVersionPatch, NewEvaluation, Promotion
from ..schemas.projects import MemberRole
from .base import MLHubAPIMixin, api
from .query import bool_arg


def member_json(m: Member) -> dict[str, Any]:
    return {"model": m.project, "user": m.user, "role": m.role.value}


class ModelMixin(MLHubAPIMixin):
    @property
    def models(self) -> ModelService:
        return self.services.models

    @property
    def runner(self) -> JobRunner:
        return self.services.jobs

    def arg(self, name: str, default: Any = None) -> Any:
        return self.get_argument(name, default)  # type: ignore[attr-defined]

    async def send_raw(self, data: bytes | str) -> None:
        """Write a non-JSON body: flushed before ``finish`` so that a host base which
        labels every answer as JSON (Jupyter's ``APIHandler``) keeps our Content-Type."""
        self.write(data)  # type: ignore[attr-defined]
        await self.flush()  # type: ignore[attr-defined]
        self.finish()  # type: ignore[attr-defined]

    def no_content(self) -> None:
        self.set_status(204)  # type: ignore[attr-defined]
        self.finish()  # type: ignore[attr-defined]


class ModelsHandler(ModelMixin):
    @api
    async def get(self) -> None:
        found, total, counts = await self.call(
            self.models.list_models, self.acting_user(), self.arg("q"), self.arg("tag"), self.arg("stage"),
            self.arg("type"), self.arg("developer"), self.arg("owner"), self.arg("limit"), self.arg("offset"))
        self.write_json({"models": [m.to_json() for m in found], "total": total, "counts": counts})

    @api
    async def post(self) -> None:
        self.write_json(await self.call(import_card, self.models, self.acting_user(), self.json_body()), 201)


class ModelHandler(ModelMixin):
    @api
    async def get(self, name: str) -> None:
        self.write_json((await self.call(self.models.get_model, self.acting_user(), name)).to_json())

    @api
    async def patch(self, name: str) -> None:
        patch = parse(ModelPatch, self.json_body()).given()
        m = await self.call(self.models.update_model, self.acting_user(), name, patch)
        self.write_json(m.to_json())

    @api
    async def delete(self, name: str) -> None:
        await self.call(self.models.delete_model, self.acting_user(), name)
        self.no_content()


class MembersHandler(ModelMixin):
    @api
    async def get(self, name: str) -> None:
        members = await self.call(self.models.list_members, self.acting_user(), name)
        self.write_json({"members": [member_json(m) for m in members]})


class MemberHandler(ModelMixin):
    @api
    async def put(self, name: str, user: str) -> None:
        role = parse(MemberRole, self.json_body()).role
        m = await self.call(self.models.set_member, self.acting_user(), name, user, role)
        self.write_json(member_json(m))

    @api
    async def delete(self, name: str, user: str) -> None:
        await self.call(self.models.remove_member, self.acting_user(), name, user)
        self.no_content()


class VersionsHandler(ModelMixin):
    @api
    async def get(self, name: str) -> None:
        archived = bool_arg(self, "archived", False)
        versions, total = await self.call(self.models.page_versions, self.acting_user(), name, archived,
                                          self.arg("q"), self.arg("order"), self.arg("limit"), self.arg("offset"))
        self.write_json({"versions": [v.to_json() for v in versions], "total": total})


class VersionHandler(ModelMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        self.write_json((await self.call(self.models.get_version, self.acting_user(), name, version)).to_json())

    @api
    async def patch(self, name: str, version: str) -> None:
        patch = parse(ModelVersionPatch, self.json_body()).given()
        v = await self.call(self.models.update_version, self.acting_user(), name, version, patch)
        self.write_json(v.to_json())

    @api
    async def delete(self, name: str, version: str) -> None:
        await self.call(self.models.delete_version, self.acting_user(), name, version)
        self.no_content()


class EvaluationHandler(ModelMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        self.write_json(await self.call(self.models.evaluation, self.acting_user(), name, version))


class EvaluationsHandler(ModelMixin):
    @api
    async def post(self, name: str, version: str) -> None:
        body = parse(NewEvaluation, self.json_body()).given()
        job = await self.call(self.runner.submit_evaluate, self.acting_user(), name, version, body, self.hub_token())
        self.write_json(job.to_json(), 202)


class ArtifactHandler(ModelMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        user = self.acting_user()
        v = await self.call(self.models.get_version, user, name, version, False)
        data = await self.call(self.models.model_bytes, v)
        self.set_header("Content-Type", "application/octet-stream")  # type: ignore[attr-defined]
        self.set_header("Content-Disposition",  # type: ignore[attr-defined]
                        f'attachment; filename="{name}-v{v.version}.{v.model_type}"')
        self.set_header("X-Content-SHA256", v.artifact_sha256)  # type: ignore[attr-defined]
        await self.send_raw(data)


class AliasesHandler(ModelMixin):
    @api
    async def get(self, name: str) -> None:
        self.write_json(await self.call(self.models.aliases, self.acting_user(), name, self.arg("limit")))


class AliasHandler(ModelMixin):
    @api
    async def put(self, name: str, stage: str) -> None:
        target = parse(Promotion, self.json_body()).version
        move = await self.call(self.models.promote, self.acting_user(), name, stage, target)
        self.write_json({"stage": move.stage, "version": move.version, "previous": move.previous,
                         "history_id": move.id})

    @api
    async def delete(self, name: str, stage: str) -> None:
        await self.call(self.models.remove_alias, self.acting_user(), name, stage)
        self.no_content()


class RunLinksHandler(ModelMixin):
    """The model versions, jobs and datasets a run produced or used (see ``ModelService.run_links``)."""

    @api
    async def get(self, run_id: str) -> None:
        user = self.acting_user()
        await self.call(self.registry.get_run, user, run_id)   # 404 unless the caller may read the run
        self.write_json(await self.call(self.models.run_links, user, run_id))
