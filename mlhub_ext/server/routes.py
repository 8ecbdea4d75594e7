"""The route table of the REST API, composed over a host handler base class."""
from __future__ import annotations

from typing import Any

from tornado import web

from .handlers import artifacts, meta, projects, run_table, runs
from .handlers.base import MLHubAPIMixin
from .handlers import datasets, uploads
from .handlers import jobs, models, predictions
from .handlers import me
from .handlers import home
from .handlers.mlflow import MlflowHandlerMixin
from .handlers.mlflow_artifacts import MlflowArtifactsMixin

RUN_ID = r"(?P<run_id>[^/]+)"
NAME = r"(?P<name>[^/]+)"
VERSION = r"(?P<version>[^/]+)"

# (path relative to /mlhub/api/v1, mixin class); the OpenAPI test checks these against the document.
API_TABLE: list[tuple[str, type]] = [
    ("", meta.RootHandler),
    ("/projects", projects.ProjectsHandler),
    (f"/projects/{NAME}", projects.ProjectHandler),
    (f"/projects/{NAME}/members", projects.MembersHandler),
    (f"/projects/{NAME}/members/(?P<user>[^/]+)", projects.MemberHandler),
    (f"/projects/{NAME}/runs/groups", run_table.RunGroupsHandler),
    (f"/projects/{NAME}/insights", run_table.InsightsHandler),
    ("/runs", runs.RunsHandler),
    (f"/runs/{RUN_ID}", runs.RunHandler),
    (f"/runs/{RUN_ID}/stop", runs.RunStopHandler),
    (f"/runs/{RUN_ID}/params", runs.ParamsHandler),
    (f"/runs/{RUN_ID}/metrics", runs.MetricsHandler),
    (f"/runs/{RUN_ID}/metrics/(?P<key>.+)", runs.MetricSeriesHandler),
    (f"/runs/{RUN_ID}/export", artifacts.ExportHandler),
    (f"/runs/{RUN_ID}/artifacts", artifacts.ArtifactsHandler),
    (f"/runs/{RUN_ID}/artifacts/(?P<name>.+)", artifacts.ArtifactHandler),
    (f"/runs/{RUN_ID}/links", models.RunLinksHandler),
    ("/metrics/query", run_table.MetricsQueryHandler),
    ("/datasets", datasets.DatasetsHandler),
    (f"/datasets/{NAME}", datasets.DatasetHandler),
    (f"/datasets/{NAME}/versions", datasets.VersionsHandler),
    (f"/datasets/{NAME}/versions/{VERSION}", datasets.VersionHandler),
    (f"/datasets/{NAME}/versions/{VERSION}/preview", datasets.PreviewHandler),
    (f"/datasets/{NAME}/versions/{VERSION}/stats", datasets.StatsHandler),
    (f"/datasets/{NAME}/versions/{VERSION}/files", datasets.FilesHandler),
    (f"/datasets/{NAME}/versions/{VERSION}/diff", datasets.DiffHandler),
    (f"/datasets/{NAME}/versions/{VERSION}/thumbnails", datasets.ThumbnailsHandler),
    (f"/datasets/{NAME}/rollback", datasets.RollbackHandler),
    (f"/datasets/{NAME}/members", datasets.MembersHandler),
    (f"/datasets/{NAME}/members/(?P<user>[^/]+)", datasets.MemberHandler),
    ("/uploads", uploads.UploadsHandler),
    ("/uploads/(?P<upload_id>[^/]+)", uploads.UploadHandler),
    ("/uploads/(?P<upload_id>[^/]+)/chunks/(?P<offset>[^/]+)", uploads.ChunkHandler),
    ("/uploads/(?P<upload_id>[^/]+)/complete", uploads.CompleteHandler),
    ("/models", models.ModelsHandler),
    (f"/models/{NAME}", models.ModelHandler),
    (f"/models/{NAME}/members", models.MembersHandler),
    (f"/models/{NAME}/members/(?P<user>[^/]+)", models.MemberHandler),
    (f"/models/{NAME}/versions", models.VersionsHandler),
    (f"/models/{NAME}/versions/{VERSION}", models.VersionHandler),
    (f"/models/{NAME}/versions/{VERSION}/evaluation", models.EvaluationHandler),
    (f"/models/{NAME}/versions/{VERSION}/evaluations", models.EvaluationsHandler),
    (f"/models/{NAME}/versions/{VERSION}/artifact", models.ArtifactHandler),
    (f"/models/{NAME}/versions/{VERSION}/inferences", predictions.InferencesHandler),
    (f"/models/{NAME}/versions/{VERSION}/report", predictions.ReportHandler),
    (f"/models/{NAME}/aliases", models.AliasesHandler),
    (f"/models/{NAME}/aliases/(?P<stage>[^/]+)", models.AliasHandler),
    (f"/models/{NAME}/predictions", predictions.PredictionsHandler),
    ("/jobs", jobs.JobsHandler),
    ("/jobs/(?P<job_id>[^/]+)", jobs.JobHandler),
    ("/jobs/(?P<job_id>[^/]+)/abort", jobs.JobAbortHandler),
    ("/sweeps", jobs.SweepsHandler),
    ("/me", me.MeHandler),
    ("/me/tokens", me.TokensHandler),
    ("/me/tokens/(?P<token_id>[^/]+)", me.TokenHandler),
    ("/home", home.HomeHandler),
]

# Served without authentication: the contract and the page that shows it.
PUBLIC_TABLE: list[tuple[str, type]] = [
    ("/openapi.json", meta.OpenAPIHandler),
    ("/docs", meta.DocsHandler),
]


def compose(mixin: type, base: type) -> type:
    return type(mixin.__name__, (mixin, base), {"__module__": mixin.__module__})


def api_routes(prefix: str, base: type, public_base: type | None = None, ws_base: type | None = None,
               extra: list[tuple[str, type]] | None = None) -> list[tuple[Any, ...]]:
    """Tornado rules for every API route under ``prefix`` (e.g. ``/mlhub/api/v1``).

    ``base`` hosts the REST handlers, ``public_base`` the unauthenticated document
    routes and ``ws_base`` (a ``WebSocketHandler`` subclass) the stream.
    """
    from swagger_ui_bundle import swagger_ui_path

    from .stream import StreamHandlerMixin

    prefix = prefix.rstrip("/")
    rules: list[tuple[Any, ...]] = []
    if ws_base is not None:
        rules.append((f"{prefix}/stream$", compose(StreamHandlerMixin, ws_base)))
    for path, mixin in API_TABLE + (extra or []):
        rules.append((f"{prefix}{path}/?$" if path else f"{prefix}/?$", compose(mixin, base)))
    for path, mixin in PUBLIC_TABLE:
        rules.append((f"{prefix}{path}$", compose(mixin, public_base or base)))
    # A missing asset is a JSON 404 too (the mixin's write_error).
    rules.append((f"{prefix}/docs/static/(.*)", compose(MLHubAPIMixin, web.StaticFileHandler), {"path": swagger_ui_path}))
    rules.append((f"{prefix}/.*", compose(meta.NoRouteHandler, public_base or base)))
    return rules


def mlflow_routes(prefix: str, base: type) -> list[tuple[Any, ...]]:
    """Tornado rules for MLflow's API under ``prefix`` (``<base_url>mlhub/mlflow``) over host ``base``."""
    prefix = prefix.rstrip("/")
    handler = compose(MlflowHandlerMixin, base)
    return [
        (rf"{prefix}/(?:api|ajax-api)/(?P<version>[23]\.0)/mlflow/(?P<path>.*)", handler),
        (rf"{prefix}/(?:api|ajax-api)/2\.0/mlflow-artifacts/artifacts(?:/(?P<path>.*))?",
         compose(MlflowArtifactsMixin, base)),
        # Anything else under the prefix (tracing's api/3.0/mlflow/traces is above): MLflow's error shape.
        (rf"{prefix}(?P<path>/.*)?", handler),
    ]
