"""The home overview (``/home``)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Response, Timestamp, optional
from .me import Holding, Storage
from .models import Job

Counts = dict[str, int]
Day = Annotated[str, Field(json_schema_extra={"format": "date"})]


class HomeRun(Response):
    id: str
    name: str
    project: str
    owner: str = optional()
    status: str
    created_at: Timestamp = optional()
    finished_at: Timestamp | None = optional()
    last_step: int | None = optional("the highest step any metric reached")
    stop_requested: bool = optional()


class HomeActivity(Response):
    kind: Literal["run_started", "run_finished", "run_failed", "run_killed", "dataset_version", "model_version",
                  "promotion", "share"]
    at: Timestamp
    user: str | None = Field(description="who did it (for a share: who granted it, null when not recorded)")
    name: str = Field(description="the run, dataset, model or (share) shared item")
    version: int | None = optional("dataset or model version; for a promotion the version the stage now names")
    stage: str | None = optional()
    run_id: str | None = optional()
    project: str | None = optional()
    item: str | None = optional("share: the kind of item shared with the caller: project, dataset or model")
    role: str | None = optional("share: the role granted (read, edit, manage)")
    via: str | None = optional("share: the member granted, the caller's name or group:<hub group>")


class HomeCounts(Response):
    """Over everything the caller may read."""

    projects: int = optional()
    runs: Counts = optional("total and per status")
    datasets: int = optional()
    dataset_versions: int = optional()
    models: int = optional()
    model_versions: int = optional()
    stages: Counts = optional("models with each stage set")
    jobs: Counts = optional("queued and running top-level jobs the caller may see")


class DayCount(Response):
    date: Day = optional()
    count: int = optional()


class Home(Response):
    user: str
    generated_at: Timestamp = optional()
    counts: HomeCounts
    runs_per_day: list[DayCount] = Field(description="readable runs created per UTC day, oldest first")
    storage: Storage
    my_runs: list[HomeRun] = Field(description="the caller's running runs")
    my_jobs: list[Job] = Field(description="the caller's queued and running jobs")
    activity: list[HomeActivity] = Field(description="newest first")
    shared_with_me: list[Holding]
