"""Runs, their params, metrics and artifacts."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, SkipValidation

from ...core.validation import MAX_INT
from .base import (Name, NumberOrNonFinite, Object, Request, Response, StrictRequest, Tags, Timestamp,
                   optional)
from .models import Job, ModelVersion

RunStatus = Literal["running", "finished", "failed", "killed"]
RunName = Annotated[str, Field(min_length=1, max_length=256)]
Base64 = Annotated[str, Field(json_schema_extra={"format": "byte"})]


class Run(Response):
    id: str
    project: str
    owner: str
    name: str
    status: RunStatus
    params: Object
    tags: list[str]
    summary: Object
    provenance: Object
    notes: str
    created_at: Timestamp | None
    updated_at: Timestamp | None
    finished_at: Timestamp | None
    latest_metrics: dict[str, NumberOrNonFinite]
    last_seq: int
    status_reason: str = Field(description="what ended the run, e.g. 'kernel shut down', 'stopped from the lab', "
                               "'ValueError: bad input'; '' while running")
    stop_requested: bool = Field(description="POST /runs/{run_id}/stop was called; the logging process ends at "
                                 "its next log")


class LinkedDataset(Response):
    name: str
    version: int | None
    via: str = Field(description="the model version or job that used it")


class RunLinks(Response):
    model_versions: list[ModelVersion]
    jobs: list[Job]
    datasets: list[LinkedDataset]


class RunList(Response):
    runs: list[Run]
    total: int
    ids: list[str] = optional("with ids_only=true: the ids of every matching run (up to 10,000), in order; "
                              "runs is then empty")
    truncated: bool = optional("with ids_only=true: more runs match than ids lists")


class NewRun(StrictRequest):
    what = "a new run"
    project: Name
    name: RunName = optional()
    config: Object = optional()
    tags: Tags = optional()
    provenance: Object = optional()
    notes: str = optional()


class RunPatch(StrictRequest):
    what = "a run update"
    name: RunName = optional()
    status: RunStatus = optional()
    status_reason: str = optional("why the run has its status; a status change without one clears it",
                                  max_length=2000)
    tags: Tags = optional()
    summary: Object = optional()
    notes: str = optional()


class Params(StrictRequest):
    what = "params"
    params: Object


class MetricColumns(Request):
    steps: Annotated[list[Annotated[int, Field(ge=0, le=MAX_INT)]], Field(min_length=1)] | Base64
    values: list[NumberOrNonFinite] | Base64
    timestamps: list[float] | Base64 = optional()


class MetricBatch(StrictRequest):
    # The points are parsed by the core (numpy arrays, base64 columns), fast: the handler
    # validates the envelope only (SkipValidation), the document states the whole shape.
    what = "a metric batch"
    seq: int = optional("run-scoped sequence number; a repeated seq is applied once", ge=0, le=MAX_INT,
                        strict=True)
    encoding: Literal["base64-le"] = optional(
        "compact form: each column is base64 of a little-endian array (int64 steps, float64 values and "
        "timestamps)")
    metrics: SkipValidation[Annotated[dict[str, MetricColumns], Field(min_length=1)]]


class MetricBatchResult(Response):
    accepted: int = optional()
    duplicate: StrictBool = optional()
    last_seq: int = optional()
    stop_requested: StrictBool = optional("the run was asked to stop: end the logging loop")


class SeriesBand(Response):
    min: list[NumberOrNonFinite]
    max: list[NumberOrNonFinite]


class MetricInfo(Response):
    key: str
    count: int
    last_step: int
    last_value: NumberOrNonFinite
    min: NumberOrNonFinite
    max: NumberOrNonFinite


class MetricList(Response):
    metrics: list[MetricInfo]


class MetricSeries(Response):
    key: str
    steps: list[int]
    values: list[NumberOrNonFinite]
    timestamps: list[float]
    downsampled: bool
    total: int
    last_step: int = optional("with after_step, min_step or max_step: the series' last step")
    band: SeriesBand | None = optional("with after_step, min_step or max_step: per returned point the min and "
                                       "max of its bucket when downsampled, else null")


class Artifact(Response):
    run_id: str
    name: str
    sha256: str
    size: int
    created_at: Timestamp | None


class ArtifactList(Response):
    artifacts: list[Artifact]
