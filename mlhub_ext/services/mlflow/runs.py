"""MLflow runs as ML Hub runs.

- ``run_id`` is ML Hub's run id; ``run_name`` its name (tag ``mlflow.runName`` too).
- ``status``: RUNNING/FINISHED/FAILED/KILLED ↔ running/finished/failed/killed (SCHEDULED → running).
- params are kept as MLflow sent them, strings; an ``mh`` run's non-string params read as
  ``str(value)`` (JSON for lists and objects).
- key/value tags live in ``provenance["mlflow"]["tags"]`` (ML Hub's own run tags are a list of
  labels, each read by MLflow as a tag with an empty value); ``mlflow.runName`` is the run's
  name and ``mlflow.note.content`` its notes; ``mlflow.*`` system tags are kept as sent.
- delete/restore mark ``provenance["mlflow"]["lifecycle_stage"]`` (MLflow's soft delete):
  searches skip deleted runs unless asked; ML Hub's own delete removes a run for good.
- metrics go through the registry's append path (the stream sees them, as it sees the SDK's)
  with MLflow's millisecond timestamps (stored as seconds) and steps; a log-batch or
  log-metric is applied once per content (``retry_key``), so a retried request adds nothing.
"""
from __future__ import annotations

import json
import math
from typing import Any, Sequence

import orjson

from ...core.entities import Project, Role, Run, RunStatus
from ...core.errors import ErrorCode, MLHubError
from ...core.numbers import encode_value
from ...core.service import Registry
from ...core.store import MetricBatch, RunQuery
from . import search
from .errors import MlflowError, invalid, not_found
from .experiments import decode_page_token, encode_page_token, reads
from .ids import arg_int, arg_list, arg_str, artifact_uri, experiment_id, millis, project_for

MAX_METRICS_PER_BATCH = 1000
MAX_PARAMS_TAGS_PER_BATCH = 100
MAX_ENTITIES_PER_BATCH = 1000
MAX_TAG_VALUE = 8000
MAX_PARAM_VALUE = 6000
MAX_KEY = 250
MAX_SEARCH_RESULTS = 50_000
STATUS_FROM_MLHUB = {RunStatus.RUNNING: "RUNNING", RunStatus.FINISHED: "FINISHED", RunStatus.FAILED: "FAILED",
                     RunStatus.KILLED: "KILLED"}
RUN_NAME_TAG = "mlflow.runName"
NOTE_TAG = "mlflow.note.content"


# -- the MLflow view of a run --------------------------------------------------------------
def _mlflow(run: Run) -> dict[str, Any]:
    value = run.provenance.get("mlflow")
    return value if isinstance(value, dict) else {}


def param_text(value: Any) -> str:
    """A param as MLflow shows it: strings as they are, other values as Python or JSON writes them."""
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def kv_tags(run: Run) -> dict[str, str]:
    tags = {t: "" for t in run.tags}
    stored = _mlflow(run).get("tags")
    if isinstance(stored, dict):
        tags.update({str(k): str(v) for k, v in stored.items()})
    tags[RUN_NAME_TAG] = run.name
    tags.setdefault("mlflow.user", run.owner)
    if run.notes:
        tags[NOTE_TAG] = run.notes
    return tags


def lifecycle(run: Run) -> str:
    return "deleted" if _mlflow(run).get("lifecycle_stage") == "deleted" else "active"


def run_info(run: Run, exp_id: str) -> dict[str, Any]:
    status = RunStatus(run.status)
    return {"run_id": run.id, "run_uuid": run.id, "run_name": run.name, "experiment_id": exp_id,
            "user_id": run.owner, "status": STATUS_FROM_MLHUB[status], "start_time": millis(run.created_at),
            "end_time": millis(run.finished_at) if status != RunStatus.RUNNING else None,
            "artifact_uri": artifact_uri(exp_id, run.id), "lifecycle_stage": lifecycle(run)}


def run_json(run: Run, exp_id: str, steps: dict[str, int] | None = None,
             info: dict[str, Any] | None = None) -> dict[str, Any]:
    """MLflow's Run: ``info``, ``data`` (latest metrics, params, tags) and ``inputs``.

    A metric's timestamp here is the run's last update (ML Hub keeps the latest value and
    step per series, not its time); ``metrics/get-history`` has every point's own time.
    """
    stamp = millis(run.updated_at) or 0
    info = info if info is not None else run_info(run, exp_id)
    steps = steps or {}
    metrics = [{"key": k, "value": encode_value(v), "timestamp": stamp, "step": steps.get(k, 0)}
               for k, v in run.latest_metrics.items()]
    params = [{"key": k, "value": param_text(v)} for k, v in run.params.items()]
    tags = [{"key": k, "value": v} for k, v in kv_tags(run).items()]
    inputs = _mlflow(run).get("inputs")
    return {"info": info, "data": {"metrics": metrics, "params": params, "tags": tags},
            "inputs": {"dataset_inputs": inputs if isinstance(inputs, list) else []}}


class RunView:
    """A run as the search grammar reads it (``view["metrics"|"params"|"tags"|"attributes"]``),
    each part built on first use: most searches read one or two of them."""

    __slots__ = ("run", "experiment_id", "_cache")

    def __init__(self, run: Run, exp_id: str) -> None:
        self.run, self.experiment_id, self._cache = run, exp_id, {}

    def __getitem__(self, part: str) -> Any:
        if part in self._cache:
            return self._cache[part]
        run = self.run
        if part == "metrics":
            value: Any = run.latest_metrics
        elif part == "params":
            value = {k: param_text(v) for k, v in run.params.items()}
        elif part == "tags":
            value = kv_tags(run)
        elif part == "attributes":
            value = run_info(run, self.experiment_id)
        elif part == "datasets":
            inputs = _mlflow(run).get("inputs")
            value = [d.get("dataset", {}) for d in inputs] if isinstance(inputs, list) else []
        else:
            raise KeyError(part)
        self._cache[part] = value
        return value

    def get(self, part: str, default: Any = None) -> Any:
        try:
            return self[part]
        except KeyError:
            return default


def search_view(run: Run, exp_id: str) -> RunView:
    return RunView(run, exp_id)


def _run_id(req: dict[str, Any]) -> str:
    run_id = arg_str(req, "run_id") or arg_str(req, "run_uuid")
    if not run_id:
        raise invalid("Missing value for required parameter 'run_id'.")
    return run_id


def _get_run(registry: Registry, user: str, run_id: str) -> Run:
    try:
        return registry.get_run(user, run_id)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"Run with id={run_id} not found") from None
        raise


def _exp_id(registry: Registry, user: str, run: Run) -> str:
    return experiment_id(registry.get_project(user, run.project))


def _writable(registry: Registry, user: str, run_id: str) -> Run:
    """The run, refusing a deleted one as MLflow does."""
    run = _get_run(registry, user, run_id)
    if lifecycle(run) == "deleted":
        raise MlflowError("INVALID_STATE", f"The run {run_id} must be in the 'active' state. "
                          "Current state is deleted.")
    return run


# -- runs ----------------------------------------------------------------------------------
def _tag_list(req: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for tag in arg_list(req, "tags"):
        if not isinstance(tag, dict):
            raise invalid(f"each tag must be an object with 'key' and 'value', not {tag!r}")
        out.append((_key(tag.get("key"), "tag"), _text(tag.get("value", ""), "tag", MAX_TAG_VALUE)))
    return out


def _key(key: Any, what: str) -> str:
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY:
        raise invalid(f"Invalid {what} key {key!r}: it must be a string of 1-{MAX_KEY} characters")
    return key


def _text(value: Any, what: str, limit: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        value = str(value)
    if len(value) > limit:
        raise invalid(f"{what} value '{value[:100]}...' had length {len(value)}, which exceeded length limit of {limit}")
    return value


def create_run(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """A new run in experiment ``experiment_id`` (``"0"``: the caller's Default experiment):
    one access lookup by id, then the registry's create (its own one-lookup check and one
    write transaction); the answer is built from what was written, not read back."""
    exp = arg_str(req, "experiment_id") or "0"
    if exp == "0":
        project_name, exp_id = _default_project(registry, user)
    else:
        try:
            found = registry.project_access_by_id(user, int(exp), Role.EDIT) \
                if exp.isdigit() and len(exp) <= 18 else None
        except MLHubError as e:
            if e.code == ErrorCode.NOT_FOUND:   # a stranger's private experiment reads as a missing one
                found = None
            else:
                raise
        if found is None:
            raise not_found(f"No Experiment with id={exp} exists")
        if found.deleted_at is not None:   # as MLflow: a deleted experiment takes no new runs
            raise invalid(f"The experiment {exp} must be in the 'active' state. Current state is deleted.")
        project_name, exp_id = found.name, exp
    tags = dict(_tag_list(req))
    name = arg_str(req, "run_name") or tags.pop(RUN_NAME_TAG, None) or None
    tags.pop(RUN_NAME_TAG, None)
    notes = tags.pop(NOTE_TAG, "")
    if name is not None and len(name) > 256:
        raise invalid(f"run_name {name[:100]!r}... is longer than 256 characters")
    try:
        run = registry.create_run(user, project_name, name=name, provenance={"mlflow": {"tags": tags}}, notes=notes)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"No Experiment with id={exp} exists") from None
        raise
    return {"run": run_json(run, exp_id)}


def _default_project(registry: Registry, user: str) -> tuple[str, str]:
    project = project_for(registry, user, "0", Role.EDIT, create_default=True)
    if project.deleted_at is not None:
        raise invalid("The experiment 0 must be in the 'active' state. Current state is deleted.")
    return project.name, experiment_id(project)


@reads
def get_run(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    run = _get_run(registry, user, _run_id(req))
    steps = {m.key: m.last_step for m in registry.list_metrics(user, run.id)}
    return {"run": run_json(run, _exp_id(registry, user, run), steps)}


def update_run(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    run = _get_run(registry, user, _run_id(req))
    patch: dict[str, Any] = {}
    status = arg_str(req, "status")
    if status is not None:
        if status not in search.STATUS_TO_MLHUB:
            raise invalid(f"Invalid run status {status!r}: use RUNNING, SCHEDULED, FINISHED, FAILED or KILLED")
        if search.STATUS_TO_MLHUB[status] != RunStatus(run.status).value:
            patch["status"] = search.STATUS_TO_MLHUB[status]
    name = arg_str(req, "run_name")
    if name is not None and name != run.name:
        patch["name"] = name
    if patch:
        run = registry.update_run(user, run.id, patch)
    return {"run_info": run_info(run, _exp_id(registry, user, run))}


def _set_lifecycle(registry: Registry, user: str, req: dict[str, Any], stage: str) -> dict[str, Any]:
    run = _get_run(registry, user, _run_id(req))
    state = dict(_mlflow(run))
    state["lifecycle_stage"] = stage
    registry.set_run_provenance(user, run.id, "mlflow", state)
    return {}


def delete_run(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    return _set_lifecycle(registry, user, req, "deleted")


def restore_run(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    return _set_lifecycle(registry, user, req, "active")


@reads
def search_runs(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """MLflow's runs/search: ``experiment_ids``, ``filter``, ``run_view_type``, ``max_results``
    (default 1000, at most 50,000), ``order_by`` and ``page_token``."""
    exp_ids = [str(e) for e in arg_list(req, "experiment_ids")]
    if not exp_ids:
        raise invalid("runs/search needs at least one experiment id in 'experiment_ids'")
    max_results = arg_int(req, "max_results", 1000, low=1, high=MAX_SEARCH_RESULTS)
    assert max_results is not None
    view_type = str(arg_str(req, "run_view_type", default="ACTIVE_ONLY")).upper()
    if view_type not in ("ACTIVE_ONLY", "DELETED_ONLY", "ALL"):
        raise invalid(f"Invalid run_view_type {view_type!r}: use ACTIVE_ONLY, DELETED_ONLY or ALL")
    clauses = search.parse(arg_str(req, "filter", default="") or "")
    order = search.parse_order_by([str(o) for o in arg_list(req, "order_by")])
    offset = decode_page_token(arg_str(req, "page_token"))
    store_clauses, ids, rest = search.pushdown(clauses)
    projects: list[Project] = []
    for exp in dict.fromkeys(exp_ids):
        projects.append(project_for(registry, user, exp, create_default=exp == "0"))
    views: list[dict[str, Any]] = []
    for project in projects:
        exp_id = experiment_id(project)
        query = RunQuery(project=project.name, readable_by=user, limit=2 ** 31, offset=0,
                         filter=store_clauses, ids=ids)
        runs, _ = registry.store.list_runs(query)
        for run in runs:
            stage = lifecycle(run)
            if view_type == "ACTIVE_ONLY" and stage != "active" or view_type == "DELETED_ONLY" and stage != "deleted":
                continue
            view = RunView(run, exp_id)
            if not rest or search.matches(view, rest):
                views.append(view)
    views = search.sort_runs(views, order)
    page = views[offset:offset + max_results]
    answer: dict[str, Any] = {"runs": [run_json(v.run, v.experiment_id, info=v["attributes"]) for v in page]}
    if offset + max_results < len(views):
        answer["next_page_token"] = encode_page_token(offset + max_results)
    return answer


# -- params, tags, inputs -------------------------------------------------------------------
def _log_params(registry: Registry, user: str, run: Run, params: Sequence[tuple[str, str]]) -> None:
    if not params:
        return
    fresh: dict[str, str] = {}
    for key, value in params:
        old = run.params.get(key, fresh.get(key))
        if old is not None and param_text(old) != value:
            raise invalid(f"Changing param values is not allowed. Param with key='{key}' was already logged with "
                          f"value='{param_text(old)[:200]}' for run ID='{run.id}'. Attempted logging new value "
                          f"'{value[:200]}'.")
        if old is None:
            fresh[key] = value
    if fresh:
        registry.set_params(user, run.id, fresh)


def _set_tags(registry: Registry, user: str, run: Run, tags: Sequence[tuple[str, str]]) -> None:
    if not tags:
        return
    patch: dict[str, Any] = {}
    state = dict(_mlflow(run))
    stored = dict(state.get("tags") or {})
    for key, value in tags:
        if key == RUN_NAME_TAG:
            if value:
                patch["name"] = value[:256]
        elif key == NOTE_TAG:
            patch["notes"] = value
        else:
            stored[key] = value
    if patch:
        registry.update_run(user, run.id, patch)
    if stored != (state.get("tags") or {}):
        state["tags"] = stored
        registry.set_run_provenance(user, run.id, "mlflow", state)


def log_param(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    run = _writable(registry, user, _run_id(req))
    key = _key(req.get("key"), "param")
    _log_params(registry, user, run, [(key, _text(req.get("value"), "param", MAX_PARAM_VALUE))])
    return {}


def set_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    run = _writable(registry, user, _run_id(req))
    _set_tags(registry, user, run, [(_key(req.get("key"), "tag"), _text(req.get("value"), "tag", MAX_TAG_VALUE))])
    return {}


def delete_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    run = _writable(registry, user, _run_id(req))
    key = _key(req.get("key"), "tag")
    state = dict(_mlflow(run))
    stored = dict(state.get("tags") or {})
    if key in stored:
        del stored[key]
        state["tags"] = stored
        registry.set_run_provenance(user, run.id, "mlflow", state)
    elif key in run.tags:
        registry.update_run(user, run.id, {"tags": [t for t in run.tags if t != key]})
    elif key == NOTE_TAG and run.notes:
        registry.update_run(user, run.id, {"notes": ""})
    else:
        raise not_found(f"No tag with name: {key} in run with id {run.id}")
    return {}


def _dataset_version(datasets: Any, user: str, name: str, digest: str) -> dict[str, Any] | None:
    """The ML Hub dataset ``name`` (readable by ``user``) version whose content sha256 starts with
    ``digest`` (at least 8 hex characters), as ``{"name", "version"}``; None when there is none."""
    digest = digest.lower()
    if datasets is None or len(digest) < 8 or any(c not in "0123456789abcdef" for c in digest):
        return None
    try:
        versions = datasets.list_versions(user, name)
    except MLHubError as e:
        if e.code in (ErrorCode.NOT_FOUND, ErrorCode.INVALID):
            return None
        raise
    for v in versions:
        if str(v.content_sha256).startswith(digest):
            return {"name": name, "version": v.version}
    return None


def log_inputs(registry: Registry, user: str, req: dict[str, Any], datasets: Any = None) -> dict[str, Any]:
    """Dataset inputs are recorded on the run (``provenance["mlflow"]["inputs"]``), once per
    name, digest and context. A dataset named like an ML Hub dataset the caller may read, whose
    digest (8 or more hex characters) begins the content sha256 of one of its versions, is linked
    to that version: ``mlhub_dataset: {"name", "version"}`` on the entry. ``datasets`` is the
    dataset service (the handler passes it)."""
    run = _writable(registry, user, _run_id(req))
    state = dict(_mlflow(run))
    inputs = list(state.get("inputs") or [])
    seen = {_input_key(i) for i in inputs}
    for item in arg_list(req, "datasets"):
        if not isinstance(item, dict) or not isinstance(item.get("dataset"), dict):
            raise invalid(f"each dataset input must be an object with a 'dataset' object, not {str(item)[:200]!r}")
        ds = item["dataset"]
        for field in ("name", "digest"):
            if not isinstance(ds.get(field), str) or not ds[field]:
                raise invalid(f"a dataset input needs a non-empty string '{field}'")
        entry: dict[str, Any] = {"tags": [t for t in item.get("tags") or [] if isinstance(t, dict)],
                                 "dataset": {k: str(v) for k, v in ds.items() if v is not None}}
        link = _dataset_version(datasets, user, ds["name"], ds["digest"])
        if link is not None:
            entry["mlhub_dataset"] = link
        if _input_key(entry) not in seen:
            seen.add(_input_key(entry))
            inputs.append(entry)
    state["inputs"] = inputs
    registry.set_run_provenance(user, run.id, "mlflow", state)
    return {}


log_inputs.uses_datasets = True  # type: ignore[attr-defined]


def _input_key(entry: dict[str, Any]) -> tuple[str, str, str]:
    ds = entry.get("dataset") or {}
    context = next((t.get("value", "") for t in entry.get("tags") or [] if t.get("key") == "mlflow.data.context"), "")
    return str(ds.get("name")), str(ds.get("digest")), str(context)


# -- metrics ---------------------------------------------------------------------------------
def _number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise invalid(f"Invalid value {value!r} for {what}: expected a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise invalid(f"Invalid value {str(value)[:100]!r} for {what}: expected a number") from None


def _metric(m: Any) -> tuple[str, float, int, int]:
    if not isinstance(m, dict):
        raise invalid(f"each metric must be an object with key, value, timestamp and step, not {str(m)[:100]!r}")
    key = _key(m.get("key"), "metric")
    value = _number(m.get("value"), f"metric {key!r}")
    stamp = arg_int(m, "timestamp", required=True)
    step = arg_int(m, "step", 0)
    assert stamp is not None and step is not None
    return key, value, stamp, step


def _metrics(items: Sequence[Any]) -> list[tuple[str, float, int, int]]:
    """Decode MLflow metrics; the common shape in one pass, anything else through :func:`_metric`
    (which names what is wrong)."""
    out: list[tuple[str, float, int, int]] = []
    for m in items:
        try:
            key, value, stamp, step = m["key"], m["value"], m["timestamp"], m.get("step", 0)
            if type(key) is not str or not 0 < len(key) <= MAX_KEY or type(value) is bool \
                    or type(stamp) not in (int, str) or type(step) not in (int, str):
                raise ValueError
            point = (key, float(value), int(stamp), int(step))
            if not -(2 ** 63) <= point[2] < 2 ** 63 or not -(2 ** 63) <= point[3] < 2 ** 63:
                raise ValueError
            out.append(point)
        except (KeyError, TypeError, ValueError, AttributeError):
            out.append(_metric(m))
    return out


def _append(registry: Registry, user: str, run_id: str, points: Sequence[tuple[str, float, int, int]],
            retry_key: bytes) -> None:
    if not points:
        return
    grouped: dict[str, tuple[list[int], list[float], list[float]]] = {}
    for key, value, stamp, step in points:
        steps, values, stamps = grouped.setdefault(key, ([], [], []))
        steps.append(step)
        values.append(value)
        stamps.append(stamp / 1000.0)
    batches = [MetricBatch(k, s, v, t) for k, (s, v, t) in grouped.items()]
    registry.append_metrics(user, run_id, None, batches, "batches", retry_key=retry_key)


def _retry_key(run_id: str, metrics: Any) -> bytes:
    """The same metrics sent again (a client retry resends the same body) give the same key."""
    return orjson.dumps([run_id, metrics], option=orjson.OPT_SORT_KEYS)


def log_metric(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    run_id = _run_id(req)
    point = _metric(req)
    _append(registry, user, run_id, [point], _retry_key(run_id, [{k: req.get(k) for k in
                                                                 ("key", "value", "timestamp", "step")}]))
    return {}


def log_batch(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """Metrics, params and tags of one run within MLflow's limits (1,000 metrics, 100 params,
    100 tags, 1,000 in all); anything above answers INVALID_PARAMETER_VALUE before a write."""
    run_id = _run_id(req)
    metrics, params, tags = arg_list(req, "metrics"), arg_list(req, "params"), arg_list(req, "tags")
    if len(metrics) > MAX_METRICS_PER_BATCH:
        raise invalid(f"A batch logging request can contain at most {MAX_METRICS_PER_BATCH} metrics. "
                      f"Got {len(metrics)} metrics. Please split up metrics across multiple requests and try again.")
    if len(params) > MAX_PARAMS_TAGS_PER_BATCH:
        raise invalid(f"A batch logging request can contain at most {MAX_PARAMS_TAGS_PER_BATCH} params. "
                      f"Got {len(params)} params. Please split up params across multiple requests and try again.")
    if len(tags) > MAX_PARAMS_TAGS_PER_BATCH:
        raise invalid(f"A batch logging request can contain at most {MAX_PARAMS_TAGS_PER_BATCH} tags. "
                      f"Got {len(tags)} tags. Please split up tags across multiple requests and try again.")
    if len(metrics) + len(params) + len(tags) > MAX_ENTITIES_PER_BATCH:
        raise invalid(f"A batch logging request can contain at most {MAX_ENTITIES_PER_BATCH} metrics, params and "
                      f"tags in total. Got {len(metrics) + len(params) + len(tags)}.")
    points = _metrics(metrics)
    param_items = []
    for p in params:
        if not isinstance(p, dict):
            raise invalid(f"each param must be an object with 'key' and 'value', not {str(p)[:100]!r}")
        param_items.append((_key(p.get("key"), "param"), _text(p.get("value"), "param", MAX_PARAM_VALUE)))
    tag_items = _tag_list({"tags": tags})
    if param_items or tag_items:
        run = _writable(registry, user, run_id)
        _log_params(registry, user, run, param_items)
        _set_tags(registry, user, run, tag_items)
    _append(registry, user, run_id, points, _retry_key(run_id, metrics))
    return {}


def finite_or_text(value: float) -> Any:
    return value if math.isfinite(value) else encode_value(value)
