"""Jobs over REST: train, sweep, follow, abort. See docs/models-api.md."""
from __future__ import annotations

from .base import api
from .models import ModelMixin


class JobsHandler(ModelMixin):
    @api
    async def get(self) -> None:
        jobs, total = await self.call(self.models.list_jobs, self.acting_user(), self.arg("state"), self.arg("kind"),
                                      self.arg("model"), self.arg("parent"), self.arg("limit"), self.arg("offset"))
        self.write_json({"jobs": [j.to_json() for j in jobs], "total": total})

    @api
    async def post(self) -> None:
        job = await self.call(self.runner.submit_train, self.acting_user(), self.json_body(), self.hub_token())
        self.write_json(job.to_json(), 202)


class JobHandler(ModelMixin):
    @api
    async def get(self, job_id: str) -> None:
        self.write_json((await self.call(self.models.get_job, self.acting_user(), job_id)).to_json())


class JobAbortHandler(ModelMixin):
    @api
    async def post(self, job_id: str) -> None:
        self.write_json((await self.call(self.runner.abort, self.acting_user(), job_id)).to_json())


class SweepsHandler(ModelMixin):
    @api
    async def post(self) -> None:
        job = await self.call(self.runner.submit_sweep, self.acting_user(), self.json_body(), self.hub_token())
        self.write_json(job.to_json(), 202)
