"""MLflow's REST API under ``<base_url>mlhub/mlflow/``: HTTP in and out, nothing else.

MLflow's client calls ``<tracking uri>/api/2.0/mlflow/<route>`` (and the MLflow UI
``ajax-api/2.0/...``; 3.x adds ``api/3.0``): GET routes take query arguments, the others a
JSON body. Each route is one function of :mod:`mlhub_ext.services.mlflow` listed in
:data:`MLFLOW_ROUTES`; answers and errors are MLflow's JSON (``{"error_code", "message"}``
with MLflow's statuses). Authentication is the host's, as for ``/mlhub/api/v1``
(``Authorization: Bearer <token>`` is what MLflow's client sends for ``MLFLOW_TRACKING_TOKEN``).
"""
from __future__ import annotations

from typing import Any, Callable

import orjson
from tornado import web

from ...core.entities import TokenScope
from ...core.errors import MLHubError, storage_error
from ...services.mlflow import experiments, logged_models, metrics, registry, runs
from ...services.mlflow.errors import MlflowError, from_mlhub, not_implemented
from .base import MLHubAPIMixin, log, parse_json

MLFLOW_BASE = "/mlhub/mlflow"

MlflowRoute = Callable[[Any, str, dict[str, Any]], dict[str, Any]]

# (route under api/2.0/mlflow/, function). A function marked ``reads = True`` (decorator
# ``services.mlflow.experiments.reads``) may be called with GET and with a read-only token; the
# others need POST/PATCH/DELETE and write access. One marked ``uses_datasets = True`` is also
# given ``datasets=<the dataset service>``.
MLFLOW_ROUTES: list[tuple[str, MlflowRoute]] = [
    ("experiments/create", experiments.create_experiment),
    ("experiments/get", experiments.get_experiment),
    ("experiments/get-by-name", experiments.get_experiment_by_name),
    ("experiments/search", experiments.search_experiments),
    ("experiments/list", experiments.search_experiments),
    ("experiments/update", experiments.update_experiment),
    ("experiments/delete", experiments.delete_experiment),
    ("experiments/restore", experiments.restore_experiment),
    ("experiments/set-experiment-tag", experiments.set_experiment_tag),
    ("experiments/delete-experiment-tag", experiments.delete_experiment_tag),
    ("runs/create", runs.create_run),
    ("runs/get", runs.get_run),
    ("runs/update", runs.update_run),
    ("runs/delete", runs.delete_run),
    ("runs/restore", runs.restore_run),
    ("runs/search", runs.search_runs),
    ("runs/log-metric", runs.log_metric),
    ("runs/log-parameter", runs.log_param),
    ("runs/log-batch", runs.log_batch),
    ("runs/log-inputs", runs.log_inputs),
    ("runs/set-tag", runs.set_tag),
    ("runs/delete-tag", runs.delete_tag),
    ("metrics/get-history", metrics.get_metric_history),
    ("metrics/get-history-bulk-interval", metrics.get_metric_history_bulk_interval),
]

# The model registry and logged models (mlflow-models): a route that takes several methods is
# keyed "<METHOD> <route>"; routes with an id in the path are matched by logged_models.match.
MLFLOW_ROUTES += [(f"{method} {route}", fn) for method, route, fn in registry.ROUTES]
MLFLOW_ROUTES += [("runs/outputs", logged_models.log_outputs)]

_TABLE: dict[str, MlflowRoute] = dict(MLFLOW_ROUTES)

_HTTP_CODES = {400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "ENDPOINT_NOT_FOUND",
               405: "ENDPOINT_NOT_FOUND", 413: "INVALID_PARAMETER_VALUE", 429: "REQUEST_LIMIT_EXCEEDED"}


class MlflowHandlerMixin(MLHubAPIMixin):
    """One handler for every MLflow route; ``path`` is what follows ``mlflow/``."""

    async def _dispatch(self, version: str, path: str) -> None:
        if not self.current_user:
            raise MlflowError("UNAUTHENTICATED", self.auth_hint())
        route = path.strip("/")
        method = self.request.method
        fn = (_TABLE.get(f"{method} {route}") or _TABLE.get(route)) if version else None
        path_args: dict[str, str] = {}
        if fn is None and version and (found := logged_models.match(method, route)) is not None:
            fn, path_args = found
        if fn is None:
            raise not_implemented(f"{method} {self.request.path}")
        reads = bool(getattr(fn, "reads", False))
        if method == "GET" and not reads:
            raise MlflowError("ENDPOINT_NOT_FOUND", f"{route} takes POST with a JSON body, not GET", 405)
        token = self.api_token()
        if not reads and token is not None and token.scope == TokenScope.READ:
            raise MlflowError("PERMISSION_DENIED", f"API token {(token.note or token.prefix)!r} is read-only: "
                              f"it may read but not call {route}; use a read-write token")
        limiter = self.settings.get("mlhub.rate_limiter")
        if limiter is not None and not reads:
            limiter.check(self.acting_user())
        request = {**(self._query() if method == "GET" else self._body()), **path_args}
        extra: dict[str, Any] = {}
        if getattr(fn, "uses_datasets", False):
            extra["datasets"] = self.services.datasets
        answer = await self.call(fn, self.registry, self.acting_user(), request, **extra)
        self.set_header("Content-Type", "application/json")  # type: ignore[attr-defined]
        self.finish(orjson.dumps(answer, option=orjson.OPT_SERIALIZE_NUMPY))  # type: ignore[attr-defined]

    def _query(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, values in self.request.query_arguments.items():
            decoded = [v.decode("utf-8", "replace") for v in values]
            out[key] = decoded[0] if len(decoded) == 1 else decoded
        return out

    def _body(self) -> dict[str, Any]:
        if not self.request.body:
            return {}
        body = parse_json(self.request.body)
        if not isinstance(body, dict):
            raise MlflowError("BAD_REQUEST", f"the request body must be a JSON object, not {type(body).__name__}")
        return body

    async def get(self, version: str = "", path: str = "") -> None:
        await self._dispatch(version, path)

    async def post(self, version: str = "", path: str = "") -> None:
        await self._dispatch(version, path)

    async def patch(self, version: str = "", path: str = "") -> None:
        await self._dispatch(version, path)

    async def delete(self, version: str = "", path: str = "") -> None:
        await self._dispatch(version, path)

    async def put(self, version: str = "", path: str = "") -> None:
        await self._dispatch(version, path)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, MlflowError):
            err = exc
        elif isinstance(exc, MLHubError):
            err = from_mlhub(exc)
            if exc.code.value == "rate_limited" and "retry_after" in exc.details:
                self.set_header("Retry-After", str(exc.details["retry_after"]))  # type: ignore[attr-defined]
        elif isinstance(exc, web.HTTPError):
            code = _HTTP_CODES.get(exc.status_code, "INTERNAL_ERROR" if exc.status_code >= 500 else "BAD_REQUEST")
            err = MlflowError(code, exc.log_message or exc.reason or self._reason, exc.status_code)  # type: ignore[attr-defined]
        elif exc is None and status_code < 500:
            err = MlflowError(_HTTP_CODES.get(status_code, "BAD_REQUEST"), self._reason, status_code)  # type: ignore[attr-defined]
        elif exc is not None and (full := storage_error(exc, "the request")) is not None:
            err = from_mlhub(full)
        else:
            err = MlflowError("INTERNAL_ERROR", "internal server error; the server log has the details")
        self.set_status(err.status)  # type: ignore[attr-defined]
        self.set_header("Content-Type", "application/json")  # type: ignore[attr-defined]
        self.finish(orjson.dumps(err.to_json()))  # type: ignore[attr-defined]

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, MlflowError) and value.status < 500:
            log.info("%s %s -> %s %s", self.request.method, self.request.path, value.status, value.message)
            return
        super().log_exception(typ, value, tb)
