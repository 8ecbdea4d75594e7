"""``mh.models``: train on Dask, evaluate, version, promote and predict, from a kernel.

>>> job = mh.models.train("iris", "species", "sklearn.ensemble.RandomForestClassifier",
...                       {"n_estimators": 200}, name="iris_rf")
>>> mv = job.wait()                       # a tqdm bar; -> ModelVersion 1 of "iris_rf"
>>> mv.evaluate(dataset="iris_holdout")   # evaluation dict (numbers are scikit-learn's)
>>> mv.promote("staging"); mv.promote("production")
>>> mh.models.predict("iris_rf", [[5.1, 3.5, 1.4, 0.2]], stage="production")
>>> mh.plots(mv)                           # bokeh figures (the notebook layer draws them)
>>> mh.models.list().to_pandas()           # Model objects; as a table
>>> mv.inferences().to_pandas()            # Inference objects; as a table

Everything goes over the REST API (docs/models-api.md): training runs on the registry's
Dask cluster, never in this process, and jobs outlive the kernel that started them.
"""
from __future__ import annotations

import base64
import builtins
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Sequence
from urllib.parse import quote

from ..core.errors import ErrorCode, MLHubError
from . import config
from .http import HTTPClient
from .records import STAGE_MOVE_COLUMNS, Member, NotADict, Records, StageMove, members, ts

DONE = ("finished", "failed", "aborted")


def _client() -> HTTPClient:
    return HTTPClient(config.resolve(), timeout=120)


def _q(name: str) -> str:
    return quote(str(name), safe="")


@dataclass(frozen=True)
class Evaluation(NotADict):
    """An evaluation of a model version on another dataset (version), as ``mv.evaluations()`` lists it.

    ``evaluation``: the metrics dict (accuracy, f1, confusion matrix, ROC... as scikit-learn computes them).
    """

    id: int
    model: str
    version: int
    dataset: str
    dataset_version: int | None
    job_id: str | None
    created_by: str
    created_at: datetime | None
    evaluation: dict[str, Any] = field(repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Evaluation":
        ds = d.get("dataset") or {}
        return cls(int(d["id"]), d["model"], int(d["version"]), ds.get("name", ""), ds.get("version"),
                   d.get("job_id"), d.get("created_by", ""), ts(d.get("created_at")), d.get("evaluation") or {}, d)


@dataclass(frozen=True)
class Inference(NotADict):
    """A stored prediction of a model version: ``inputs`` and ``outputs`` as sent and answered,
    ``latency_ms`` (milliseconds), ``stage`` it was asked for (or None), ``user``, ``created_at`` (UTC)."""

    id: int
    model: str
    version: int
    stage: str | None
    user: str
    created_at: datetime | None
    latency_ms: float
    inputs: Any = field(repr=False)
    outputs: Any = field(repr=False)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Inference":
        return cls(int(d["id"]), d["model"], int(d["version"]), d.get("stage"), d.get("user", ""),
                   ts(d.get("created_at")), float(d.get("latency_ms") or 0.0), d.get("inputs"), d.get("outputs"), d)

    def _row(self) -> dict[str, Any]:
        return {"id": self.id, "model": self.model, "version": self.version, "stage": self.stage,
                "user": self.user, "created_at": self.created_at, "latency_ms": self.latency_ms,
                "inputs": self.inputs, "outputs": self.outputs}


EVALUATION_COLUMNS = ("id", "model", "version", "dataset", "dataset_version", "job_id", "created_by", "created_at")
INFERENCE_COLUMNS = ("id", "model", "version", "stage", "user", "created_at", "latency_ms", "inputs", "outputs")
VERSION_COLUMNS = ("model", "version", "stages", "model_type", "estimator", "task", "status", "created_by",
                   "created_at", "tags")


class ModelVersion(NotADict):
    """One version of a model.

    Attributes: ``name``, ``version``, ``stages`` (the stages pointing at it), ``model_type``,
    ``estimator``, ``task``, ``status``, ``description``, ``tags``, ``developer``,
    ``param_count``, ``published``, ``archived``, ``created_by``, ``created_at`` (UTC),
    ``dataset`` / ``dataset_version`` / ``target`` it was trained on, ``run_id``,
    ``project``, ``job_id``, ``metrics``, ``input_schema``, ``classes``; ``info`` is the
    version's JSON as the server sent it (``raw`` too).
    """

    def __init__(self, http: HTTPClient, info: dict[str, Any]) -> None:
        self._http = http
        self.info = info
        self.name: str = info["model"]
        self.version: int = info["version"]

    def __repr__(self) -> str:
        stages = f" [{', '.join(self.info['stages'])}]" if self.info.get("stages") else ""
        return f"<ModelVersion {self.name!r} version {self.version}{stages} ({self.info.get('estimator')})>"

    @property
    def raw(self) -> dict[str, Any]:
        return self.info

    @property
    def stages(self) -> builtins.list[str]:
        return builtins.list(self.info.get("stages") or [])

    @property
    def model_type(self) -> str:
        return self.info.get("model_type") or ""

    @property
    def estimator(self) -> str:
        return self.info.get("estimator") or ""

    @property
    def task(self) -> str | None:
        return self.info.get("task")

    @property
    def status(self) -> str:
        return self.info.get("status") or ""

    @property
    def description(self) -> str:
        return self.info.get("description") or ""

    @property
    def tags(self) -> builtins.list[str]:
        return builtins.list(self.info.get("tags") or [])

    @property
    def developer(self) -> str:
        return self.info.get("developer") or ""

    @property
    def param_count(self) -> int:
        return int(self.info.get("param_count") or 0)

    @property
    def published(self) -> bool:
        return bool(self.info.get("published"))

    @property
    def archived(self) -> bool:
        return bool(self.info.get("archived"))

    @property
    def created_by(self) -> str:
        return self.info.get("created_by") or ""

    @property
    def created_at(self) -> datetime | None:
        return ts(self.info.get("created_at"))

    @property
    def dataset(self) -> str | None:
        return (self.info.get("dataset") or {}).get("name")

    @property
    def dataset_version(self) -> int | None:
        return (self.info.get("dataset") or {}).get("version")

    @property
    def target(self) -> str | None:
        return self.info.get("target")

    @property
    def run_id(self) -> str | None:
        return self.info.get("run_id")

    @property
    def project(self) -> str | None:
        return self.info.get("project")

    @property
    def job_id(self) -> str | None:
        return self.info.get("job_id")

    @property
    def classes(self) -> builtins.list[Any] | None:
        return self.info.get("classes")

    def _row(self) -> dict[str, Any]:
        return {"model": self.name, "version": self.version, "stages": self.stages, "model_type": self.model_type,
                "estimator": self.estimator, "task": self.task, "status": self.status,
                "created_by": self.created_by, "created_at": self.created_at, "tags": self.tags}

    def _path(self, *parts: str) -> str:
        return "/".join(["models", _q(self.name), "versions", str(self.version), *parts])

    @property
    def metrics(self) -> dict[str, Any]:
        return self.info.get("metrics") or {}

    @property
    def input_schema(self) -> list[dict[str, Any]]:
        return self.info.get("input_schema") or []

    @property
    def evaluation(self) -> dict[str, Any]:
        """The evaluation on the training holdout (fetched once)."""
        if "evaluation" not in self.info:
            self.info = self._http.get(self._path())
        return self.info.get("evaluation") or {}

    def refresh(self) -> "ModelVersion":
        self.info = self._http.get(self._path())
        return self

    def evaluate(self, dataset: str, version: int | None = None, target: str | None = None, wait: bool = True,
                 progress: bool = True) -> Any:
        """Evaluate on another dataset (version) on the cluster; the evaluation dict, or the Job if not ``wait``."""
        body: dict[str, Any] = {"dataset": dataset}
        if version is not None:
            body["version"] = version
        if target is not None:
            body["target"] = target
        job = Job(self._http, self._http.post(self._path("evaluations"), json=body))
        return job.wait(progress=progress) if wait else job

    def evaluations(self) -> Records[Evaluation]:
        """Every evaluation on another dataset, oldest first, as :class:`Evaluation` objects."""
        got = self._http.get(self._path("evaluation"))["evaluations"]
        return Records((Evaluation.from_json(e) for e in got), EVALUATION_COLUMNS)

    def promote(self, stage: str) -> StageMove:
        """Point ``stage`` at this version (promotion or roll-back; recorded in the history).

        Returns the move: ``stage``, ``version`` (this one), ``previous`` (the version the
        stage pointed at before, or None) and its ``id`` in the stage history.
        """
        moved = self._http.request("PUT", f"models/{_q(self.name)}/aliases/{_q(stage)}",
                                   json={"version": self.version})
        self.info.setdefault("stages", [])
        if stage not in self.info["stages"]:
            self.info["stages"].append(stage)
        return StageMove.from_json({"model": self.name, "id": moved.get("history_id"), **moved})

    def update(self, **fields: Any) -> "ModelVersion":
        """Change catalogue metadata: description, tags, status, developer, published, archived."""
        self.info = {**self.info, **self._http.patch(self._path(), json=fields)}
        return self

    def publish(self, published: bool = True) -> "ModelVersion":
        return self.update(published=published)

    def archive(self, archived: bool = True) -> "ModelVersion":
        return self.update(archived=archived)

    def predict(self, inputs: Any, store: bool = True) -> list[Any]:
        """Predictions of this exact version (see :func:`predict`)."""
        return _predict(self._http, self.name, inputs, {"version": self.version}, store)["outputs"]

    def inferences(self, limit: int = 100, offset: int = 0) -> Records[Inference]:
        """Stored inference results of this version, newest first, as :class:`Inference` objects
        (``.to_pandas()``: id, model, version, stage, user, created_at, latency_ms, inputs, outputs)."""
        got = self._http.get(self._path("inferences"), params={"limit": limit, "offset": offset})["inferences"]
        return Records((Inference.from_json(i) for i in got), INFERENCE_COLUMNS)

    def report(self) -> dict[str, Any]:
        """Requests, latency p50/p95 and the evaluation."""
        return self._http.get(self._path("report"))

    def download(self) -> bytes:
        """The stored model bytes (a pickle for scikit-learn: load only what you trust)."""
        return self._http.get(self._path("artifact"), raw=True)


JOB_COLUMNS = ("id", "kind", "state", "progress", "model", "version", "message", "created_at", "finished_at")


class Job(NotADict):
    """A job in the registry (train, evaluate or sweep). ``info`` is its latest JSON (``raw`` too).

    Attributes: ``id``, ``kind``, ``state`` (queued, running, finished, failed, aborted),
    ``progress`` (0-1), ``message``, ``model`` / ``version`` it trains or evaluates,
    ``run_id``, ``error``, ``result``, ``created_at`` / ``finished_at`` (UTC).
    """

    def __init__(self, http: HTTPClient, info: dict[str, Any]) -> None:
        self._http = http
        self.info = info
        self.id: str = info["id"]

    def __repr__(self) -> str:
        return f"<Job {self.id[:8]} {self.info['kind']} {self.info.get('model')!r}: {self.state}>"

    @property
    def state(self) -> str:
        return self.info["state"]

    @property
    def progress(self) -> float:
        return float(self.info.get("progress") or 0.0)

    @property
    def run_id(self) -> str | None:
        return self.info.get("run_id")

    @property
    def raw(self) -> dict[str, Any]:
        return self.info

    @property
    def kind(self) -> str:
        return self.info["kind"]

    @property
    def message(self) -> str:
        return self.info.get("message") or ""

    @property
    def model(self) -> str | None:
        return self.info.get("model")

    @property
    def version(self) -> int | None:
        return self.info.get("version")

    @property
    def error(self) -> str | None:
        return self.info.get("error")

    @property
    def result(self) -> dict[str, Any] | None:
        return self.info.get("result")

    @property
    def created_at(self) -> datetime | None:
        return ts(self.info.get("created_at"))

    @property
    def finished_at(self) -> datetime | None:
        return ts(self.info.get("finished_at"))

    def _row(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "state": self.state, "progress": self.progress,
                "model": self.model, "version": self.version, "message": self.message,
                "created_at": self.created_at, "finished_at": self.finished_at}

    def refresh(self) -> "Job":
        self.info = self._http.get(f"jobs/{self.id}")
        return self

    def abort(self) -> "Job":
        """Stop the job: a PyTorch loop between batches, scikit-learn by cancelling its task."""
        self.info = self._http.post(f"jobs/{self.id}/abort")
        return self

    def trials(self) -> Records["Job"]:
        """A sweep's trials, one job each."""
        got = self._http.get("jobs", params={"parent": self.id, "limit": 1000})
        return Records((Job(self._http, j) for j in got["jobs"]), JOB_COLUMNS)

    def wait(self, timeout: float | None = None, progress: bool = True, poll: float = 0.5) -> Any:
        """Follow the job (a tqdm bar) until it ends.

        Returns the new :class:`ModelVersion` (train, sweep) or the evaluation dict
        (evaluate); raises ``MLHubError`` if the job failed or was aborted.
        """
        bar = _bar(self) if progress else None
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                self.refresh()
                if bar is not None:
                    bar.n = round(self.progress * 100, 1)
                    bar.set_postfix_str(f"{self.state} {self.info.get('message') or ''}"[:60], refresh=False)
                    bar.refresh()
                if self.state in DONE:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise MLHubError(ErrorCode.UNAVAILABLE, f"job {self.id} still {self.state} after {timeout} s")
                time.sleep(poll)
        finally:
            if bar is not None:
                bar.close()
        if self.state != "finished":
            raise MLHubError(ErrorCode.INVALID if self.state == "failed" else ErrorCode.CONFLICT,
                             f"job {self.id} {self.state}: {self.info.get('error') or self.state}")
        if self.info["kind"] == "evaluate":
            return (self.info.get("result") or {}).get("evaluation")
        return get(self.info["model"], self.info["version"], _http=self._http)


def _bar(job: Job) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=100, desc=f"{job.info['kind']} {job.info.get('model') or ''}".strip(),
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}")


MODEL_COLUMNS = ("name", "owner", "latest_version", "version_count", "stages", "model_type", "estimator", "task",
                 "visibility", "tags", "updated_at")


class Model(NotADict):
    """A model in the catalogue (what ``mh.models.model``/``list`` return).

    Attributes: ``name``, ``owner``, ``visibility``, ``description``, ``tags``, ``task``,
    ``model_type``, ``estimator``, ``developer``, ``latest_version``, ``version_count``,
    ``stages`` (``{stage: version}`` as loaded), ``role`` (yours), ``created_at`` /
    ``updated_at`` (UTC); ``info`` is its JSON as the server sent it (``raw`` too).
    """

    def __init__(self, http: HTTPClient, info: dict[str, Any]) -> None:
        self._http = http
        self.info = info
        self.name: str = info["name"]

    def __repr__(self) -> str:
        return f"<Model {self.name!r}: {self.info['latest_version']} version(s), stages {self.info['aliases']}>"

    @property
    def raw(self) -> dict[str, Any]:
        return self.info

    @property
    def owner(self) -> str:
        return self.info.get("owner") or ""

    @property
    def visibility(self) -> str:
        return self.info.get("visibility") or "private"

    @property
    def description(self) -> str:
        return self.info.get("description") or ""

    @property
    def tags(self) -> builtins.list[str]:
        return builtins.list(self.info.get("tags") or [])

    @property
    def task(self) -> str | None:
        return self.info.get("task")

    @property
    def model_type(self) -> str:
        return self.info.get("model_type") or ""

    @property
    def estimator(self) -> str:
        return self.info.get("estimator") or ""

    @property
    def developer(self) -> str:
        return self.info.get("developer") or ""

    @property
    def latest_version(self) -> int:
        return int(self.info.get("latest_version") or 0)

    @property
    def version_count(self) -> int:
        return int(self.info.get("version_count") or 0)

    @property
    def stages(self) -> dict[str, int]:
        return dict(self.info.get("aliases") or {})

    @property
    def role(self) -> str | None:
        return self.info.get("role")

    @property
    def created_at(self) -> datetime | None:
        return ts(self.info.get("created_at"))

    @property
    def updated_at(self) -> datetime | None:
        return ts(self.info.get("updated_at"))

    def _row(self) -> dict[str, Any]:
        return {"name": self.name, "owner": self.owner, "latest_version": self.latest_version,
                "version_count": self.version_count, "stages": self.stages, "model_type": self.model_type,
                "estimator": self.estimator, "task": self.task, "visibility": self.visibility, "tags": self.tags,
                "updated_at": self.updated_at}

    def versions(self, archived: bool = False) -> Records[ModelVersion]:
        """Its versions as :class:`ModelVersion` objects (archived ones too with ``archived=True``)."""
        got = self._http.get(f"models/{_q(self.name)}/versions", params={"archived": str(archived).lower()})
        return Records((ModelVersion(self._http, v) for v in got["versions"]), VERSION_COLUMNS)

    def version(self, version: int | str | None = None) -> ModelVersion:
        return get(self.name, version, _http=self._http)

    def aliases(self) -> dict[str, int]:
        """Its stages now, ``{stage: version}`` (e.g. ``{"production": 2, "staging": 3}``)."""
        return dict(self._http.get(f"models/{_q(self.name)}/aliases", params={"limit": 1})["aliases"])

    def stage_history(self, limit: int = 100) -> Records[StageMove]:
        """Every move of a stage, newest first (at most ``limit``), as :class:`StageMove` objects."""
        got = self._http.get(f"models/{_q(self.name)}/aliases", params={"limit": limit})["history"]
        return Records((StageMove.from_json(m) for m in got), STAGE_MOVE_COLUMNS)

    def share(self, user: str, role: str = "read") -> Member:
        """Give ``user`` (or ``group:<hub group>``) ``read``, ``edit`` or ``manage`` (needs manage)."""
        return Member.from_json(self._http.request("PUT", f"models/{_q(self.name)}/members/{_q(user)}",
                                                   json={"role": role}))

    def unshare(self, user: str) -> None:
        """Revoke ``user``'s role (needs manage)."""
        self._http.request("DELETE", f"models/{_q(self.name)}/members/{_q(user)}")

    def members(self) -> Records[Member]:
        """The owner, then every member with their role."""
        return members(self._http.get(f"models/{_q(self.name)}/members"))

    def update(self, **fields: Any) -> "Model":
        """Change description, tags or visibility."""
        self.info = self._http.patch(f"models/{_q(self.name)}", json=fields)
        return self


def _train_body(dataset: str, target: str, estimator: str | None, params: dict[str, Any] | None, name: str,
                kind: str | None, version: int | None, spec: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"dataset": dataset, "target": target, "name": name, **spec}
    if estimator is not None and not isinstance(estimator, str):
        import cloudpickle  # a custom estimator object, for the user's own cluster

        body.update(kind="custom", estimator_pickle=base64.b64encode(cloudpickle.dumps(estimator)).decode("ascii"))
    elif estimator is not None:
        body["estimator"] = estimator
    if kind is not None:
        body["kind"] = kind
    if params:
        body["params"] = params
    if version is not None:
        body["version"] = version
    return body


def train(dataset: str, target: str, estimator: Any = None, params: dict[str, Any] | None = None, *, name: str,
          kind: str | None = None, version: int | None = None, **spec: Any) -> Job:
    """Queue a training job on the registry's Dask cluster; returns the :class:`Job`.

    ``estimator``: a scikit-learn dotted path (or, on your own cluster, an estimator
    object); or ``kind="torch_mlp"`` / ``"torch_cnn"`` with ``epochs``, ``batch_size``,
    ``lr``, ``optimizer``. Other keywords: ``steps``, ``task``, ``encode``, ``impute``
    (``"median"``, ``"mean"`` or ``"most_frequent"``: fill missing numbers), ``features`` (the
    columns to train on; default all but the target), ``test_size``, ``seed``, ``project``,
    ``description``, ``tags``, ``visibility``. Bad input raises ``MLHubError`` here, before
    anything is queued.
    """
    http = _client()
    return Job(http, http.post("jobs", json=_train_body(dataset, target, estimator, params, name, kind, version,
                                                         spec)))


def sweep(dataset: str, target: str, estimator: Any = None, params: dict[str, Any] | None = None, *, name: str,
          space: dict[str, Sequence[Any]], metric: str, kind: str | None = None, version: int | None = None,
          **spec: Any) -> Job:
    """A grid sweep: every point of ``space`` a trial on the cluster (each its own run);
    ``job.wait()`` returns the best trial, registered as the next version of ``name``."""
    http = _client()
    body = _train_body(dataset, target, estimator, params, name, kind, version, spec)
    body.update(space={k: builtins.list(v) for k, v in space.items()}, metric=metric)
    return Job(http, http.post("sweeps", json=body))


def get(name: str, version: int | str | None = None, *, _http: HTTPClient | None = None) -> ModelVersion:
    """A version of ``name``: a number, ``"latest"`` (default) or a stage such as ``"production"``."""
    http = _http or _client()
    ref = "latest" if version is None else str(version)
    return ModelVersion(http, http.get(f"models/{_q(name)}/versions/{_q(ref)}"))


def model(name: str) -> Model:
    """The catalogue entry of ``name``."""
    http = _client()
    return Model(http, http.get(f"models/{_q(name)}"))


def list(q: str | None = None, tag: str | None = None, stage: str | None = None,  # noqa: A001
         type: str | None = None, developer: str | None = None, limit: int = 100) -> Records[Model]:  # noqa: A002
    """Models you may read, filtered like the Models sidebar, as :class:`Model` objects
    (``.to_pandas()``: name, owner, latest_version, version_count, stages, model_type,
    estimator, task, visibility, tags, updated_at)."""
    http = _client()
    params = {k: v for k, v in {"q": q, "tag": tag, "stage": stage, "type": type, "developer": developer,
                                "limit": limit}.items() if v is not None}
    return Records((Model(http, m) for m in http.get("models", params=params)["models"]), MODEL_COLUMNS)


def counts() -> dict[str, Any]:
    """Dashboard counts: models, versions, by stage, by type, jobs by state."""
    return _client().get("models", params={"limit": 1})["counts"]


def jobs(state: str | None = None, model: str | None = None, limit: int = 50) -> Records[Job]:
    """Jobs you may see, newest first, as :class:`Job` objects (``.to_pandas()`` for a table)."""
    http = _client()
    params = {k: v for k, v in {"state": state, "model": model, "limit": limit}.items() if v is not None}
    return Records((Job(http, j) for j in http.get("jobs", params=params)["jobs"]), JOB_COLUMNS)


def job(job_id: str) -> Job:
    http = _client()
    return Job(http, http.get(f"jobs/{_q(job_id)}"))


def _image_input(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _null(value: Any) -> Any:
    if (isinstance(value, float) and value != value) or type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _missing_as_null(row: Any) -> Any:
    """A row's missing values (NaN, ``pd.NA``, ``NaT``: what a DataFrame holds for them) as
    None, i.e. JSON null; the server accepts them where the model imputes, and otherwise
    names the row and feature. Infinities stay, and are refused naming row and field."""
    if isinstance(row, dict):
        return {k: _null(v) for k, v in row.items()}
    if isinstance(row, (builtins.list, tuple)):
        return [_null(v) for v in row]
    return _null(row)


def _predict(http: HTTPClient, name: str, inputs: Any, select: dict[str, Any], store: bool) -> dict[str, Any]:
    if hasattr(inputs, "to_dict") and hasattr(inputs, "columns"):   # a pandas DataFrame: records
        inputs = inputs.to_dict(orient="records")
    elif hasattr(inputs, "tolist"):                                   # a numpy array
        inputs = inputs.tolist()
    if isinstance(inputs, (bytes, bytearray)):
        inputs = [inputs]
    if isinstance(inputs, (builtins.list, tuple)):
        inputs = [_missing_as_null(_image_input(v)) for v in inputs]
    elif isinstance(inputs, dict):
        inputs = _missing_as_null(inputs)
    return http.post(f"models/{_q(name)}/predictions", json={**select, "inputs": inputs, "store": store})


def predict(name: str, inputs: Any, stage: str | None = "production", version: int | None = None,
            store: bool = True, full: bool = False) -> Any:
    """Predict with the version at ``stage`` (or ``version``): one output per row.

    ``inputs``: rows as lists (schema order) or records, a DataFrame, or for image models
    PNG/JPEG bytes (or base64 strings). Each output is ``{"prediction", "probabilities"?}``;
    ``full=True`` returns the whole answer (version, stage, latency_ms, inference_id).
    """
    select: dict[str, Any] = {"version": version} if version is not None else ({"stage": stage} if stage else {})
    out = _predict(_client(), name, inputs, select, store)
    return out if full else out["outputs"]


def import_card(path_or_text: Any, name: str | None = None) -> ModelVersion:
    """Create or update a catalogue model from a Hugging Face model card; no weights.

    ``path_or_text``: the card's text, the path of its README.md (or of a folder holding
    one), or a repository id ``"org/name"`` fetched from ``MLHUB_HF_ENDPOINT``. The
    registry parses it (license, tags, datasets, base_model, pipeline_tag, library_name,
    model-index results) and adds a version of model_type ``"card"`` to ``name`` (default:
    the card's model-index name) with the developer, task, parameter count, tags,
    description and reported metrics. A bad card raises ``MLHubError`` (``invalid``) naming
    what is wrong, and nothing is stored. See docs/models.md.
    """
    from .cards import card_text

    body: dict[str, Any] = {"card": card_text(path_or_text)}
    if name is not None:
        body["name"] = name
    http = _client()
    return ModelVersion(http, http.post("models", json=body)["version"])
