"""Datasets over REST: catalogue, versions, preview, statistics, files, diff, rollback, members."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ...core.dataset_service import DatasetService
from ...core.entities import Member
from ...core.errors import invalid, malformed
from ..schemas.base import parse
from ..schemas.datasets import DatasetPatch, Registration, Rollback
from ..schemas.projects import MemberRole
from .base import MLHubAPIMixin, api


def member_json(m: Member) -> dict[str, Any]:
    return {"dataset": m.project, "user": m.user, "role": m.role.value}


class DatasetMixin(MLHubAPIMixin):
    @property
    def datasets(self) -> DatasetService:
        return self.services.datasets

    def arg(self, name: str, default: Any = None) -> Any:
        return self.get_argument(name, default)  # type: ignore[attr-defined]


class DatasetsHandler(DatasetMixin):
    @api
    async def get(self) -> None:
        found, total = await self.call(self.datasets.list_datasets, self.acting_user(), self.arg("q"),
                                       self.arg("tag"), self.arg("owner"), self.arg("limit"), self.arg("offset"))
        self.write_json({"datasets": [d.to_json() for d in found], "total": total})

    @api
    async def post(self) -> None:
        fields = parse(Registration, self.json_body()).given()
        upload_id = fields.pop("upload_id")
        sheet = self.arg("sheet")  # ?sheet= names the workbook sheet as the body's "sheet" does
        if sheet is not None:
            if "sheet" in fields and fields["sheet"] != sheet:
                raise invalid(f"?sheet={sheet!r} and the body's sheet {fields['sheet']!r} disagree; give one")
            fields["sheet"] = sheet
        user = self.acting_user()
        version = await self.call(self.datasets.register, user, upload_id, **fields)
        ds = await self.call(self.datasets.get_dataset, user, version.dataset)
        self.write_json({"dataset": ds.to_json(), "version": version.to_json()}, 201)


class DatasetHandler(DatasetMixin):
    @api
    async def get(self, name: str) -> None:
        ds = await self.call(self.datasets.get_dataset, self.acting_user(), name)
        self.write_json(ds.to_json())

    @api
    async def patch(self, name: str) -> None:
        patch = parse(DatasetPatch, self.json_body()).given()
        ds = await self.call(self.datasets.update_dataset, self.acting_user(), name, patch)
        self.write_json(ds.to_json())


class VersionsHandler(DatasetMixin):
    @api
    async def get(self, name: str) -> None:
        versions = await self.call(self.datasets.list_versions, self.acting_user(), name)
        self.write_json({"versions": [v.to_json() for v in versions]})


class VersionHandler(DatasetMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        v = await self.call(self.datasets.get_version, self.acting_user(), name, version)
        self.write_json(v.to_json())


class PreviewHandler(DatasetMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        self.write_json(await self.call(self.datasets.preview, self.acting_user(), name, version, self.arg("rows")))


class StatsHandler(DatasetMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        self.write_json(await self.call(self.datasets.stats, self.acting_user(), name, version))


class DiffHandler(DatasetMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        other = self.arg("other")
        if other is None:
            raise malformed("diff needs ?other=<version> to compare with")
        self.write_json(await self.call(self.datasets.diff, self.acting_user(), name, other, version))


class ThumbnailsHandler(DatasetMixin):
    @api
    async def get(self, name: str, version: str) -> None:
        self.write_json(await self.call(self.datasets.thumbnails, self.acting_user(), name, version,
                                        self.arg("per_class", 4), self.arg("size", 64)))


class FilesHandler(DatasetMixin):
    """The original file as uploaded (``?file=original``) or the Parquet copy (``?file=parquet``)."""

    @api
    async def get(self, name: str, version: str) -> None:
        entry, f = await self.call(self.datasets.open_file, self.acting_user(), name, version,
                                   self.arg("file", "original"))
        self.set_header("Content-Type", "application/octet-stream")  # type: ignore[attr-defined]
        self.set_header("Content-Disposition",  # type: ignore[attr-defined]
                        f"attachment; filename*=UTF-8''{quote(entry['name'])}")
        self.set_header("X-Content-SHA256", entry["sha256"])  # type: ignore[attr-defined]
        self.set_header("Content-Length", str(entry["size"]))  # type: ignore[attr-defined]
        with f:
            # Off the event loop: on an object store each read may wait on the network.
            while chunk := await self.call(f.read, 1 << 20):
                self.write(chunk)  # type: ignore[attr-defined]
                await self.flush()  # type: ignore[attr-defined]
        self.finish()  # type: ignore[attr-defined]


class RollbackHandler(DatasetMixin):
    @api
    async def post(self, name: str) -> None:
        body = parse(Rollback, self.json_body())
        v = await self.call(self.datasets.rollback, self.acting_user(), name, body.version, body.message)
        self.write_json(v.to_json(), 201)


class MembersHandler(DatasetMixin):
    @api
    async def get(self, name: str) -> None:
        members = await self.call(self.datasets.list_members, self.acting_user(), name)
        self.write_json({"members": [member_json(m) for m in members]})


class MemberHandler(DatasetMixin):
    @api
    async def put(self, name: str, user: str) -> None:
        role = parse(MemberRole, self.json_body()).role
        m = await self.call(self.datasets.set_member, self.acting_user(), name, user, role)
        self.write_json(member_json(m))

    @api
    async def delete(self, name: str, user: str) -> None:
        await self.call(self.datasets.remove_member, self.acting_user(), name, user)
        self.set_status(204)  # type: ignore[attr-defined]
        self.finish()  # type: ignore[attr-defined]
