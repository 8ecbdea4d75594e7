"""Models, their versions, stages, evaluations and predictions, and the jobs that train them
(the prose contract with examples is docs/models-api.md)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool

from .base import (Name, Object, Request, Response, Role, StrictRequest, Tags, Timestamp, Version, Visibility,
                   optional)


class DatasetRef(Response):
    name: str
    version: int | None


class ArtifactRef(Response):
    sha256: str
    size: int


class ModelVersion(Response):
    model: str
    version: int
    created_by: str
    created_at: Timestamp | None
    model_type: Literal["sklearn", "torch", "custom", "card"] = Field(description=
        "card: imported from a model card, no weights")
    estimator: str
    task: str | None
    param_count: int
    developer: str
    tags: list[str]
    status: str
    description: str
    published: StrictBool
    archived: StrictBool
    stages: list[str]
    dataset: DatasetRef | None
    target: str | None
    run_id: str | None
    project: str | None
    job_id: str | None
    spec: Object
    input_schema: list[Object]
    classes: list[Any] | None
    metrics: Object
    artifact: ArtifactRef
    evaluation: Object = optional("only on a single version")


class Model(Response):
    name: str
    owner: str
    visibility: Visibility
    description: str
    tags: list[str]
    task: str | None
    model_type: str
    estimator: str
    developer: str
    latest_version: int
    version_count: int
    aliases: dict[str, int]
    latest: ModelVersion | None
    created_at: Timestamp | None
    updated_at: Timestamp | None
    role: Role | None = Field(description="the caller's role; null where the item is only public to them")


class ModelList(Response):
    models: list[Model]
    total: int
    counts: Object


class CardImport(StrictRequest):
    what = "a card import"
    card: str = Field(max_length=1_000_000, description="the model card's text: a Hugging Face README.md, YAML "
                      "front matter optional")
    name: Name = optional("the model to create or update; default the card's model-index name")


class CardImported(Response):
    model: Model = optional()
    version: ModelVersion = optional()
    created: StrictBool = optional("true: a new model; false: a new version of an existing one")


class ModelVersionList(Response):
    versions: list[ModelVersion]
    total: int = Field(description="versions matching the query in all (the page may hold fewer)")


class ModelPatch(StrictRequest):
    what = "a model update"
    description: str = optional()
    visibility: Visibility = optional()
    tags: Tags = optional()
    name: Name = optional("rename the model (manage role): its versions, stages, members, inferences and jobs "
                          "follow; 409 if a model of that name exists")


class ModelVersionPatch(StrictRequest):
    what = "a model version update"
    description: str = optional()
    tags: Tags = optional()
    status: str = optional()
    developer: str = optional()
    published: StrictBool = optional()
    archived: StrictBool = optional()


class ModelMember(Response):
    model: str = optional()
    user: str = optional()
    role: str = optional()


class ModelMemberList(Response):
    members: list[ModelMember]


class ModelEvaluation(Response):
    model: str = optional()
    version: int = optional()
    # null where a version has none: an imported model card is never evaluated
    evaluation: Object | None = optional()
    evaluations: list[Object] = optional()


class NewEvaluation(StrictRequest):
    what = "an evaluation"
    dataset: Name
    version: Version = optional()
    target: str = optional()


class AliasMove(Response):
    id: int
    model: str
    stage: str
    version: int | None
    previous: int | None
    user: str
    created_at: Timestamp | None


class Aliases(Response):
    aliases: dict[str, int]
    history: list[AliasMove]


class Promotion(Request):
    what = "a promotion"
    version: Version


class Promoted(Response):
    stage: str = optional()
    version: int = optional()
    previous: int | None = optional()
    history_id: int = optional()


class PredictionRequest(Request):
    what = "a prediction"
    stage: str = optional()
    version: int | str = optional()
    inputs: list[Any] = Field(description="rows as lists or records; images as base64")
    store: bool = True


class Prediction(Response):
    model: str = optional()
    version: int = optional()
    stage: str | None = optional()
    outputs: list[Object] = optional()
    latency_ms: float = optional()
    inference_id: int | None = optional()


class Inference(Response):
    id: int = optional()
    model: str = optional()
    version: int = optional()
    stage: str | None = optional()
    inputs: Any = optional()
    outputs: Any = optional()
    latency_ms: float = optional()
    user: str = optional()
    created_at: Timestamp | None = optional()


class InferenceList(Response):
    inferences: list[Inference] = optional()
    total: int = optional()


class ModelReport(Response):
    model: str = optional()
    version: int = optional()
    requests: int = optional()
    users: int = optional()
    latency_ms: Object = optional()
    first_at: Timestamp | None = optional()
    last_at: Timestamp | None = optional()
    per_day: list[Object] = optional()
    metrics: Object = optional()
    evaluation: Object | None = optional()


JobKind = Literal["train", "evaluate", "sweep"]
JobState = Literal["queued", "running", "finished", "failed", "aborted"]


class Job(Response):
    id: str
    kind: JobKind
    state: JobState
    progress: float
    message: str
    owner: str
    model: str | None
    version: int | None
    dataset: DatasetRef | None
    target: str | None
    run_id: str | None
    project: str | None
    spec: Object
    parent: str | None
    result: Object | None
    error: str | None
    created_at: Timestamp | None
    updated_at: Timestamp | None
    finished_at: Timestamp | None


class JobList(Response):
    jobs: list[Job]
    total: int


class ModelSpec(Request):
    """How to build the estimator; the core's ``validate_spec`` checks the combinations."""

    estimator: str = optional("scikit-learn dotted path, e.g. sklearn.ensemble.RandomForestClassifier")
    kind: Literal["sklearn", "torch_mlp", "torch_cnn", "custom"] = optional()
    params: Object = optional()
    steps: list[Any] = optional()
    task: Literal["classification", "regression"] = optional()
    encode: Literal["onehot"] = optional()
    impute: Literal["mean", "median", "most_frequent"] | None = optional(
        "fill missing numeric features (a SimpleImputer step the model keeps)")
    features: list[str] | None = optional("feature columns to train on; default all but the target")
    epochs: int = optional()
    batch_size: int = optional()
    lr: float = optional()
    optimizer: Literal["adam", "sgd", "adamw"] = optional()
    weight_decay: float = optional()
    seed: int = optional()
    test_size: float = optional()
    image_column: str = optional()


class TrainRequest(ModelSpec):
    what = "a training request"
    dataset: Name
    version: Version = optional("dataset version; default latest")
    target: str
    name: Name = Field(description="the model to register the result as")
    project: Name = optional("project of the tracked run; default models-<name>")
    description: str = optional()
    tags: Tags = optional()
    visibility: Visibility = optional()


class SweepRequest(TrainRequest):
    what = "a sweep request"
    space: dict[str, list[Any]]
    metric: str
