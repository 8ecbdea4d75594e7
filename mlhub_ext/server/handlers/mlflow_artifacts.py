"""MLflow's artifact proxy, ``<prefix>/api/2.0/mlflow-artifacts/artifacts[/<path>]``: bytes in and out.

``GET ...artifacts?path=<dir>`` lists, ``GET ...artifacts/<path>`` downloads (streamed from the
blob store in 1 MiB chunks), ``PUT ...artifacts/<path>`` uploads (the body is streamed to a
spooled temporary file as it arrives, never held whole in memory, then stored by content).
What a path means and who may use it: :mod:`mlhub_ext.services.mlflow.artifacts`.
"""
from __future__ import annotations

import inspect

import orjson

from ...core.entities import TokenScope
from ...services.mlflow import artifacts
from ...services.mlflow.errors import MlflowError
from .mlflow import MlflowHandlerMixin
from .spool import CHUNK, SpooledBodyMixin

MAX_UPLOAD_BYTES = 64 * 1024 ** 3    # a model's weights can be large; the blob store checks the disk


class MlflowArtifactsMixin(SpooledBodyMixin, MlflowHandlerMixin):
    spooled_methods = ("PUT",)
    max_body_bytes = MAX_UPLOAD_BYTES

    async def prepare(self) -> None:
        result = super().prepare()  # type: ignore[misc]
        if inspect.isawaitable(result):
            await result
        self.start_spool()

    def _caller(self, write: bool) -> str:
        if not self.current_user:
            raise MlflowError("UNAUTHENTICATED", self.auth_hint())
        token = self.api_token()
        if write and token is not None and token.scope == TokenScope.READ:
            raise MlflowError("PERMISSION_DENIED", f"API token {(token.note or token.prefix)!r} is read-only: it may "
                              "read artifacts but not upload them; use a read-write token")
        if write and (limiter := self.settings.get("mlhub.rate_limiter")) is not None:
            limiter.check(self.acting_user())
        return self.acting_user()

    async def get(self, path: str | None = None) -> None:  # type: ignore[override]
        user = self._caller(write=False)
        if not path:
            listed = await self.call(artifacts.list_artifacts, self.registry, user,
                                     self.get_argument("path", ""))  # type: ignore[attr-defined]
            self.set_header("Content-Type", "application/json")  # type: ignore[attr-defined]
            self.finish(orjson.dumps(listed))  # type: ignore[attr-defined]
            return
        sha, size, f = await self.call(artifacts.open_artifact, self.registry, user, path)
        self.set_header("Content-Type", "application/octet-stream")  # type: ignore[attr-defined]
        self.set_header("Content-Length", str(size))  # type: ignore[attr-defined]
        self.set_header("X-Content-SHA256", sha)  # type: ignore[attr-defined]
        with f:
            while chunk := await self.call(f.read, CHUNK):
                self.write(chunk)  # type: ignore[attr-defined]
                await self.flush()  # type: ignore[attr-defined]
        self.finish()  # type: ignore[attr-defined]

    async def put(self, path: str | None = None) -> None:  # type: ignore[override]
        user = self._caller(write=True)
        answer = await self.call(artifacts.upload_artifact, self.registry, user, path or "", self.spooled_chunks())
        self.set_header("Content-Type", "application/json")  # type: ignore[attr-defined]
        self.finish(orjson.dumps(answer))  # type: ignore[attr-defined]

    async def delete(self, path: str | None = None) -> None:  # type: ignore[override]
        self._caller(write=True)
        raise MlflowError("NOT_IMPLEMENTED", "ML Hub does not delete artifacts: a run keeps what it logged (log a "
                          "file again under the same name to replace it)")

    async def post(self, path: str | None = None) -> None:  # type: ignore[override]
        self._caller(write=True)
        raise MlflowError("NOT_IMPLEMENTED", "ML Hub's artifact proxy takes PUT uploads of whole files; multipart "
                          "uploads are not offered (leave MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD unset)")

    async def patch(self, path: str | None = None) -> None:  # type: ignore[override]
        await self.post(path)
