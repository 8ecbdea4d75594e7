"""Models, their versions, stages, evaluations and predictions, and the jobs that train them
(the prose contract with examples is docs/models-api.md)."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, StrictBool

from .base import Name, Object, Request, Response, StrictRequest, Tags, Timestamp, Version, Visibility, optional


class DatasetRef(Response):
    name: str = optional()
    version: int | None = optional()


class ArtifactRef(Response):
    sha256: str = optional()
    size: int = optional()


class ModelVersion(Response):
    model: str = optional()
    version: int = optional()
    created_by: str = optional()
    created_at: Timestamp | None = optional()
    model_type: Literal["sklearn", "torch", "custom", "card"] = optional(
        "card: imported from a model card, no weights")
    estimator: str = optional()
    task: str | None = optional()
    param_count: int = optional()
    developer: str = optional()
    tags: list[str] = optional()
    status: str = optional()
    description: str = optional()
    published: StrictBool = optional()
    archived: StrictBool = optional()
    stages: list[str] = optional()
    dataset: DatasetRef | None = optional()
    target: str | None = optional()
    run_id: str | None = optional()
    project: str | None = optional()
    job_id: str | None = optional()
    spec: Object = optional()
    input_schema: list[Object] = optional()
    classes: list[Any] | None = optional()
    metrics: Object = optional()
    artifact: ArtifactRef = optional()
    evaluation: Object = optional("only on a single version")


class Model(Response):
    name: str = optional()
    owner: str = optional()
    visibility: Visibility = optional()
    description: str = optional()
    tags: list[str] = optional()
    task: str | None = optional()
    model_type: str = optional()
    estimator: str = optional()
    developer: str = optional()
    latest_version: int = optional()
    version_count: int = optional()
    aliases: dict[str, int] = optional()
    latest: ModelVersion | None = optional()
    created_at: Timestamp | None = optional()
    updated_at: Timestamp | None = optional()
    role: str | None = optional()


class ModelList(Response):
    models: list[Model] = optional()
    total: int = optional()
    counts: Object = optional()


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
    versions: list[ModelVersion] = optional()


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
    members: list[ModelMember] = optional()


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
    id: int = optional()
    model: str = optional()
    stage: str = optional()
    version: int | None = optional()
    previous: int | None = optional()
    user: str = optional()
    created_at: Timestamp | None = optional()


class Aliases(Response):
    aliases: dict[str, int] = optional()
    history: list[AliasMove] = optional()


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
    id: str = optional()
    kind: JobKind = optional()
    state: JobState = optional()
    progress: float = optional()
    message: str = optional()
    owner: str = optional()
    model: str | None = optional()
    version: int | None = optional()
    dataset: DatasetRef | None = optional()
    target: str | None = optional()
    run_id: str | None = optional()
    project: str | None = optional()
    spec: Object = optional()
    parent: str | None = optional()
    result: Object | None = optional()
    error: str | None = optional()
    created_at: Timestamp | None = optional()
    updated_at: Timestamp | None = optional()
    finished_at: Timestamp | None = optional()


class JobList(Response):
    jobs: list[Job] = optional()
    total: int = optional()


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
