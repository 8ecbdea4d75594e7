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
    owner: str
    status: str
    created_at: Timestamp
    finished_at: Timestamp | None
    last_step: int | None = Field(description="the highest step any metric reached")
    stop_requested: bool


class HomeActivity(Response):
    kind: Literal["run_started", "run_finished", "run_failed", "run_killed", "dataset_version", "model_version",
                  "promotion", "share"]
    at: Timestamp
    user: str | None = Field(description="who did it (for a share: who granted it, null when not recorded)")
    name: str = Field(description="the run, dataset, model or (share) shared item")
    version: int | None = Field(description="dataset or model version; for a promotion the version the stage now names")
    stage: str | None
    run_id: str | None
    project: str | None
    item: str | None = Field(description="share: the kind of item shared with the caller: project, dataset or model")
    role: str | None = Field(description="share: the role granted (read, edit, manage)")
    via: str | None = Field(description="share: the member granted, the caller's name or group:<hub group>")


class HomeCounts(Response):
    """Over everything the caller may read."""

    projects: int
    runs: Counts = Field(description="total and per status")
    datasets: int
    dataset_versions: int
    models: int
    model_versions: int
    stages: Counts = Field(description="models with each stage set")
    jobs: Counts = Field(description="queued and running top-level jobs the caller may see")


class DayCount(Response):
    date: Day
    count: int


class Home(Response):
    user: str
    generated_at: Timestamp
    counts: HomeCounts
    runs_per_day: list[DayCount] = Field(description="readable runs created per UTC day, oldest first")
    storage: Storage
    my_runs: list[HomeRun] = Field(description="the caller's running runs")
    my_jobs: list[Job] = Field(description="the caller's queued and running jobs")
    activity: list[HomeActivity] = Field(description="newest first")
    shared_with_me: list[Holding]
