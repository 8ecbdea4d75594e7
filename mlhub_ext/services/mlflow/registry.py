"""MLflow's model registry as ML Hub's: registered model ↔ model, model version ↔ version,
alias ↔ stage.

- A registered model is an ML Hub model (same name, owner, visibility, members, access
  rules: a stranger's private model answers RESOURCE_DOES_NOT_EXIST). MLflow's key/value tags
  are the model's tags, ``key=value`` (a tag with an empty value is the bare ``key``).
- A model version is an ML Hub version. Creating one copies nothing: it records the files
  of its source (``models:/<logged model id>``, ``runs:/<run id>/<path>`` or an
  ``mlflow-artifacts:`` URI) — path → sha256 and size, in ``spec["mlflow"]["files"]``,
  next to the source, logged model id, flavors and MLflow tags — and the blobs are
  content-addressed, so the version keeps its files whatever happens to the run.
  Its download URI is ``mlflow-artifacts:/registered-models/<name>/<version>``; a version ML Hub
  trained itself (a skops file) downloads there with an ``MLmodel`` written for it
  (:func:`.artifacts.files_of`), so ``mlflow.pyfunc.load_model`` loads it too.
- Serving: a version whose ``MLmodel`` has the sklearn flavor saved as skops (MLflow 3's
  default outside Databricks) and a signature is stored as ML Hub's ``sklearn`` type with its
  skops file as the artifact, so ``POST /models/<name>/predictions`` serves it after the same
  trusted-types check as ML Hub's own models. Any other version (pickle or cloudpickle,
  other flavors, no signature) is of type :data:`MLFLOW_MODEL_TYPE`: the registry never
  loads it, predictions answer 409 naming what it serves, and ``mlflow.pyfunc.load_model``
  loads it in the user's own kernel.
- Aliases are stages (``production``, ``staging``… or any name); every move is kept in the
  stage history. ``current_stage`` is always ``"None"``; get-latest-versions and
  transition-stage map MLflow's old stages onto stages of the same name in lower case.
- Renaming and deleting a registered model and deleting a version need the manage role (as
  ML Hub's own ``PATCH``/``DELETE /models/<name>`` and ``DELETE …/versions/<n>``); a deleted
  version's number is not given again and the aliases on it go (recorded in the stage history).
"""
from __future__ import annotations

import io
import json
import zipfile
from typing import Any, Callable

from ...core.errors import ErrorCode, MLHubError
from ...core.model_service import ModelService
from ...core.models import Model, ModelVersion
from ...core.service import Registry
from . import search
from .artifacts import REGISTRY_ROOT, Target, files_of, logged_model_files, models_of, read_blob, resolve
from .errors import MlflowError, invalid, not_found
from .experiments import decode_page_token, encode_page_token, reads
from .ids import arg_int, arg_list, arg_str, millis

MLFLOW_MODEL_TYPE = "mlflow"
SKLEARN = "sklearn"          # ML Hub's skops-backed scikit-learn type (services/model_format.py)
MAX_RESULTS = 1000
SPEC_KEY = "mlflow"
_MLFLOW_TYPES = {"double": "float", "float": "float", "long": "int", "integer": "int", "boolean": "bool",
                 "string": "string"}


# -- lookups and JSON ------------------------------------------------------------------------
def _model(models: ModelService, user: str, name: str) -> Model:
    try:
        return models.get_model(user, name)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"Registered Model with name={name} not found") from None
        raise


def _version(models: ModelService, user: str, name: str, version: Any) -> ModelVersion:
    if not isinstance(version, str) or not version.isdigit() or not 0 < int(version) < 2 ** 31:
        raise invalid(f"Parameter 'version' must be an integer, got {version!r}.")
    try:
        return models.get_version(user, name, int(version), with_evaluation=False)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"Model Version (name={name}, version={version}) not found") from None
        raise


def tag_dict(labels: list[str]) -> dict[str, str]:
    """ML Hub's tag labels as MLflow's key/value tags (``key=value``; a bare label has value "")."""
    out: dict[str, str] = {}
    for label in labels:
        key, _, value = label.partition("=")
        out[key] = value
    return out


def tag_labels(tags: dict[str, str]) -> list[str]:
    return [f"{k}={v}" if v else k for k, v in tags.items()]


def _mlflow(v: ModelVersion) -> dict[str, Any]:
    value = v.spec.get(SPEC_KEY)
    return value if isinstance(value, dict) else {}


def version_json(v: ModelVersion, aliases: dict[str, int] | None = None) -> dict[str, Any]:
    """MLflow's ModelVersion of an ML Hub version."""
    info = _mlflow(v)
    stamp = millis(v.created_at)
    out = {"name": v.model, "version": str(v.version), "creation_timestamp": stamp, "last_updated_timestamp": stamp,
           "user_id": v.created_by, "current_stage": "None", "description": v.description,
           "source": info.get("source") or f"mlflow-artifacts:/{REGISTRY_ROOT}/{v.model}/{v.version}",
           "run_id": v.run_id or "", "status": "READY",
           "tags": [{"key": k, "value": val} for k, val in sorted((info.get("tags") or {}).items())],
           "aliases": sorted(a for a, n in (aliases if aliases is not None else {}).items() if n == v.version)}
    if info.get("model_id"):
        out["model_id"] = info["model_id"]
    if info.get("run_link"):
        out["run_link"] = info["run_link"]
    return out


def model_json(models: ModelService, m: Model, with_latest: bool = True) -> dict[str, Any]:
    """MLflow's RegisteredModel of an ML Hub model."""
    out: dict[str, Any] = {
        "name": m.name, "creation_timestamp": millis(m.created_at), "last_updated_timestamp": millis(m.updated_at),
        "user_id": m.owner, "description": m.description,
        "tags": [{"key": k, "value": v} for k, v in tag_dict(m.tags).items()],
        "aliases": [{"alias": a, "version": str(n)} for a, n in sorted(m.aliases.items())]}
    if with_latest and m.latest is not None:
        out["latest_versions"] = [version_json(m.latest, m.aliases)]
    elif with_latest and m.latest_version:
        latest = models.store.get_version(m.name, m.latest_version, with_evaluation=False)
        if latest is not None:
            out["latest_versions"] = [version_json(latest, m.aliases)]
    return out


def _name(req: dict[str, Any]) -> str:
    return arg_str(req, "name", required=True) or ""


def _translate(fn: Callable[[], Any], name: str) -> Any:
    try:
        return fn()
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"Registered Model with name={name} not found") from None
        if e.code == ErrorCode.INVALID:
            raise invalid(e.message) from None
        raise


def _kv(items: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not item["key"]:
            raise invalid(f"each tag must be an object with a non-empty string 'key', not {str(item)[:100]!r}")
        value = item.get("value", "")
        out[item["key"]] = value if isinstance(value, str) else str(value)
    return out


# -- registered models -----------------------------------------------------------------------
def create_registered_model(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    models = models_of(registry)
    tags = tag_labels(_kv(arg_list(req, "tags")))
    try:
        m = models.create_model(user, name, arg_str(req, "description") or "", tags)
    except MLHubError as e:
        if e.code == ErrorCode.CONFLICT:
            raise MlflowError("RESOURCE_ALREADY_EXISTS", f"Registered Model (name={name}) already exists.") from None
        if e.code == ErrorCode.INVALID:
            raise invalid(e.message) from None
        raise
    return {"registered_model": model_json(models, m)}


@reads
def get_registered_model(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    models = models_of(registry)
    return {"registered_model": model_json(models, _model(models, user, name))}


@reads
def search_registered_models(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``filter`` over ``name`` (=, !=, LIKE, ILIKE) and ``tags.<key>``; ``order_by`` name or
    last_updated_timestamp (ASC/DESC); max_results up to 1000; page tokens."""
    models = models_of(registry)
    max_results = arg_int(req, "max_results", 100, low=1, high=MAX_RESULTS) or 100
    clauses = search.parse(arg_str(req, "filter", default="") or "")
    offset = decode_page_token(arg_str(req, "page_token"))
    found: list[Model] = []
    while True:
        page, total, _ = models.list_models(user, limit=1000, offset=len(found))
        found.extend(page)
        if not page or len(found) >= total:
            break
    views = [model_json(models, m, with_latest=False) for m in found]
    kept = [v for v in views if _match_model(v, clauses)]
    kept = _order(kept, [str(o) for o in arg_list(req, "order_by")], ("name", "creation_timestamp",
                                                                       "last_updated_timestamp"))
    chunk = kept[offset:offset + max_results]
    by_name = {m.name: m for m in found}
    answer: dict[str, Any] = {"registered_models": [model_json(models, by_name[v["name"]]) for v in chunk]}
    if offset + max_results < len(kept):
        answer["next_page_token"] = encode_page_token(offset + max_results)
    return answer


def _test(actual: Any, c: search.Clause) -> bool:
    # A tag a model does not have is "not equal" to any value: MLflow 3's client adds
    # tags.`mlflow.prompt.is_prompt` != 'true' to every registry search (prompts are not models).
    if actual is None and c.kind == "tag" and c.op in ("!=", "NOT IN"):
        return True
    return search._test(actual, c)


def _match_model(view: dict[str, Any], clauses: list[search.Clause]) -> bool:
    tags = {t["key"]: t["value"] for t in view["tags"]}
    for c in clauses:
        if c.kind == "tag":
            actual: Any = tags.get(c.key)
        elif c.kind == "attribute" and c.key in ("name", "user_id", "description"):
            actual = view[c.key]
        else:
            raise invalid(f"Invalid registered model filter on {c.kind} {c.key!r}: use name or tags.<key>")
        if not _test(actual, c):
            return False
    return True


def _order(views: list[dict[str, Any]], order_by: list[str], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    out = sorted(views, key=lambda v: (v.get("name", ""), -int(v.get("version", 0) or 0)))
    for item in reversed(order_by):
        parts = item.split()
        field = parts[0].removeprefix("attributes.") if parts else ""
        if field == "timestamp":
            field = "creation_timestamp"
        if field not in fields or len(parts) > 2 or (len(parts) == 2 and parts[1].upper() not in ("ASC", "DESC")):
            raise invalid(f"Invalid order_by clause {item!r}: use one of {', '.join(fields)}, optionally ASC or DESC")
        desc = len(parts) == 2 and parts[1].upper() == "DESC"
        out.sort(key=lambda v: (v.get(field) is None, int(v[field]) if field == "version" else v.get(field) or 0),
                 reverse=desc)
    return out


def update_registered_model(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    models = models_of(registry)
    description = arg_str(req, "description") or ""
    m = _translate(lambda: models.update_model(user, name, {"description": description}), name)
    return {"registered_model": model_json(models, m)}


def rename_registered_model(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``new_name`` for the model (manage role): versions, aliases, members, inference records and
    jobs follow. A taken name is RESOURCE_ALREADY_EXISTS; a name ML Hub does not accept is
    INVALID_PARAMETER_VALUE."""
    name = _name(req)
    new_name = arg_str(req, "new_name", required=True) or ""
    models = models_of(registry)
    _model(models, user, name)
    try:
        m = models.rename_model(user, name, new_name)
    except MLHubError as e:
        if e.code == ErrorCode.CONFLICT:
            raise MlflowError("RESOURCE_ALREADY_EXISTS",
                              f"Registered Model (name={new_name}) already exists.") from None
        if e.code == ErrorCode.INVALID:
            raise invalid(e.message) from None
        raise
    return {"registered_model": model_json(models, m)}


def delete_registered_model(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """The model with every version, alias, member and inference record (manage role); the
    files stay in the content-addressed store. INVALID_STATE while one of its jobs runs."""
    name = _name(req)
    models = models_of(registry)
    _model(models, user, name)
    try:
        models.delete_model(user, name)
    except MLHubError as e:
        if e.code == ErrorCode.CONFLICT:
            raise MlflowError("INVALID_STATE", e.message) from None
        if e.code == ErrorCode.NOT_FOUND:  # deleted by someone else in between
            raise not_found(f"Registered Model with name={name} not found") from None
        raise
    return {}


def set_registered_model_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    key = arg_str(req, "key", required=True) or ""
    value = req.get("value", "")
    models = models_of(registry)
    m = _model(models, user, name)
    tags = tag_dict(m.tags)
    tags[key] = value if isinstance(value, str) else str(value)
    _translate(lambda: models.update_model(user, name, {"tags": tag_labels(tags)}), name)
    return {}


def delete_registered_model_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    key = arg_str(req, "key", required=True) or ""
    models = models_of(registry)
    tags = tag_dict(_model(models, user, name).tags)
    if key not in tags:
        raise not_found(f"No tag with key {key!r} on registered model {name!r}")
    del tags[key]
    _translate(lambda: models.update_model(user, name, {"tags": tag_labels(tags)}), name)
    return {}


# -- aliases ---------------------------------------------------------------------------------
def set_alias(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    alias = arg_str(req, "alias", required=True) or ""
    version = arg_str(req, "version", required=True) or ""
    models = models_of(registry)
    _version(models, user, name, version)
    _translate(lambda: models.promote(user, name, alias, version), name)
    return {}


def delete_alias(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    alias = arg_str(req, "alias", required=True) or ""
    models = models_of(registry)
    m = _model(models, user, name)
    if alias not in m.aliases:
        raise not_found(f"Registered model alias {alias} not found.")
    _translate(lambda: models.remove_alias(user, name, alias), name)
    return {}


@reads
def get_version_by_alias(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    alias = arg_str(req, "alias", required=True) or ""
    models = models_of(registry)
    m = _model(models, user, name)
    if alias not in m.aliases:
        raise not_found(f"Registered model alias {alias} not found.")
    v = _version(models, user, name, str(m.aliases[alias]))
    return {"model_version": version_json(v, m.aliases)}


@reads
def get_latest_versions(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """The latest version, and for each old-style stage asked (``Staging``, ``Production``…)
    the version the stage of that name in lower case points at."""
    name = _name(req)
    models = models_of(registry)
    m = _model(models, user, name)
    stages = [str(s) for s in arg_list(req, "stages")]
    out: list[dict[str, Any]] = []
    wanted = stages or ["None"] + sorted(s.capitalize() for s in m.aliases)
    for stage in wanted:
        number = m.latest_version if stage.lower() == "none" else m.aliases.get(stage.lower())
        if number:
            item = version_json(_version(models, user, name, str(number)), m.aliases)
            item["current_stage"] = stage if stage.lower() != "none" else "None"
            out.append(item)
    return {"model_versions": out}


# -- model versions --------------------------------------------------------------------------
def _source_files(registry: Registry, user: str, source: str, model_id: str | None
                  ) -> tuple[dict[str, tuple[str, int]], str | None]:
    """The files a new version records and the logged model they come from."""
    if model_id or source.startswith("models:/m-"):
        model_id = model_id or source[len("models:/"):].strip("/")
        return logged_model_files(registry, user, model_id), model_id
    if source.startswith("runs:/"):
        run_id, _, sub = source[len("runs:/"):].partition("/")
        path = f"0/{run_id}/artifacts" + (f"/{sub.strip('/')}" if sub.strip("/") else "")
    elif source.startswith("mlflow-artifacts:"):
        path = source[len("mlflow-artifacts:"):]
        if path.startswith("//"):
            path = path[2:].partition("/")[2]
    else:
        raise invalid(f"Invalid model version source {source[:300]!r}: ML Hub registers 'models:/<model id>', "
                      "'runs:/<run id>/<path>' or 'mlflow-artifacts:/...' sources (files it stores)")
    target = resolve(path)
    if target.kind == "version":
        raise invalid("register a logged model or a run's files, not another registered version's")
    every = files_of(registry, user, Target(target.kind, run_id=target.run_id, prefix=target.prefix))
    prefix = target.rest + "/" if target.rest else ""
    return {k[len(prefix):]: v for k, v in every.items() if k.startswith(prefix)}, None


def _signature_schema(mlmodel: dict[str, Any]) -> list[dict[str, Any]]:
    """ML Hub's input schema from an MLmodel signature ([] when it has none ML Hub can check)."""
    raw = (mlmodel.get("signature") or {}).get("inputs")
    try:
        cols = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    out: list[dict[str, Any]] = []
    for i, col in enumerate(cols if isinstance(cols, list) else []):
        if not isinstance(col, dict):
            return []
        if col.get("type") == "tensor":
            spec = col.get("tensor-spec") or {}
            shape = spec.get("shape") or []
            if len(cols) != 1 or not str(spec.get("dtype", "")).startswith(("float", "int")) or len(shape) != 2 \
                    or not isinstance(shape[1], int) or shape[1] < 1:
                return []
            dtype = "float" if str(spec["dtype"]).startswith("float") else "int"
            return [{"name": f"x{j}", "dtype": dtype} for j in range(shape[1])]
        dtype = _MLFLOW_TYPES.get(str(col.get("type")))
        if dtype is None:
            return []
        out.append({"name": str(col.get("name") or f"x{i}"), "dtype": dtype,
                    **({"nullable": True} if col.get("required") is False else {})})
    return out


def _skops_estimator(data: bytes) -> str:
    """``module.Class`` of a skops file's top object, read from its schema (nothing loaded)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            schema = json.loads(z.read("schema.json"))
        return f"{schema.get('__module__', '')}.{schema.get('__class__', '')}".strip(".")[:256]
    except (zipfile.BadZipFile, KeyError, ValueError):
        return ""


def describe_files(registry: Registry, files: dict[str, tuple[str, int]]) -> dict[str, Any]:
    """How ML Hub keeps a version with these MLflow files: ``model_type``, ``artifact`` (sha256),
    ``input_schema``, ``estimator``, ``flavors`` and, when it is not served, ``not_served`` (why)."""
    import yaml

    if "MLmodel" not in files:
        raise invalid("The source has no MLmodel file: register a model logged with mlflow.<flavor>.log_model")
    blobs = registry.blobs
    assert blobs is not None
    try:
        mlmodel = yaml.safe_load(read_blob(blobs, files["MLmodel"][0])) or {}
    except yaml.YAMLError as e:
        raise invalid(f"The source's MLmodel file is not valid YAML: {e}") from None
    flavors = mlmodel.get("flavors") if isinstance(mlmodel, dict) else None
    flavors = flavors if isinstance(flavors, dict) else {}
    sk = flavors.get("sklearn") if isinstance(flavors.get("sklearn"), dict) else None
    fmt = str(sk.get("serialization_format", "")) if sk else ""
    data_file = str(sk.get("pickled_model", "")) if sk else ""
    schema = _signature_schema(mlmodel if isinstance(mlmodel, dict) else {})
    out: dict[str, Any] = {"flavors": sorted(flavors), "model_type": MLFLOW_MODEL_TYPE,
                           "artifact": files.get(data_file, files["MLmodel"])[0], "input_schema": schema,
                           "estimator": "", "serialization_format": fmt}
    if sk is None:
        out["not_served"] = f"it has no sklearn flavor (flavors: {', '.join(sorted(flavors)) or 'none'})"
    elif fmt != "skops" or data_file not in files:
        out["not_served"] = (f"its scikit-learn model is saved as {fmt or 'an unknown format'}, which runs code "
                             "when loaded")
    elif not schema:
        out["not_served"] = "it has no signature with columns or a 2-D numeric tensor, so inputs cannot be checked"
    else:
        out["model_type"] = SKLEARN
        out["estimator"] = _skops_estimator(read_blob(blobs, files[data_file][0]))
    return out


def create_model_version(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``model-versions/create``: name, source, run_id, tags, run_link, description, model_id."""
    name = _name(req)
    source = arg_str(req, "source", required=True) or ""
    models = models_of(registry)
    _model(models, user, name)
    files, model_id = _source_files(registry, user, source, arg_str(req, "model_id"))
    facts = describe_files(registry, files)
    run_id = arg_str(req, "run_id")
    if run_id is None and model_id:
        run_id = model_id[2:34]
    project = None
    if run_id:
        try:
            project = registry.get_run(user, run_id).project
        except MLHubError:
            run_id = None
    info = {"source": source, "model_id": model_id, "files": {k: [s, n] for k, (s, n) in sorted(files.items())},
            "flavors": facts["flavors"], "serialization_format": facts["serialization_format"],
            "tags": _kv(arg_list(req, "tags")), "run_link": arg_str(req, "run_link") or ""}
    if "not_served" in facts:
        info["not_served"] = facts["not_served"]
    version = ModelVersion(
        model=name, version=0, created_by=user, model_type=facts["model_type"], artifact_sha256=facts["artifact"],
        artifact_size=sum(n for _, n in files.values()), estimator=facts["estimator"], developer=str(user),
        description=arg_str(req, "description") or "", run_id=run_id, project=project,
        spec={SPEC_KEY: info}, input_schema=facts["input_schema"])
    created = _translate(lambda: models.add_version(user, version), name)
    return {"model_version": version_json(created, {})}


@reads
def get_model_version(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    models = models_of(registry)
    m = _model(models, user, name)
    v = _version(models, user, name, arg_str(req, "version", required=True))
    return {"model_version": version_json(v, m.aliases)}


@reads
def get_download_uri(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    v = _version(models_of(registry), user, name, arg_str(req, "version", required=True))
    return {"artifact_uri": f"mlflow-artifacts:/{REGISTRY_ROOT}/{name}/{v.version}"}


@reads
def search_model_versions(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """``filter`` over ``name``, ``version_number``, ``run_id``, ``source_path`` and ``tags.<key>``
    (``name = 'm'`` is answered from that model alone); order_by ``name``, ``version_number``,
    ``creation_timestamp``; max_results up to 1000 (default 1000 here); page tokens."""
    models = models_of(registry)
    max_results = arg_int(req, "max_results", MAX_RESULTS, low=1, high=MAX_RESULTS * 200) or MAX_RESULTS
    clauses = search.parse(arg_str(req, "filter", default="") or "")
    offset = decode_page_token(arg_str(req, "page_token"))
    named = [c.value for c in clauses if c.kind == "attribute" and c.key == "name" and c.op == "="]
    if named:
        candidates = []
        for n in named[:1]:
            try:
                candidates.append(models.get_model(user, str(n)))
            except MLHubError as e:
                if e.code != ErrorCode.NOT_FOUND:
                    raise
    else:
        candidates = []
        while True:
            page, total, _ = models.list_models(user, limit=1000, offset=len(candidates))
            candidates.extend(page)
            if not page or len(candidates) >= total:
                break
    views = []
    for m in candidates:
        for v in models.store.list_versions(m.name, include_archived=True):
            view = version_json(v, m.aliases)
            if _match_version(view, clauses):
                views.append(view)
    views = _order(views, [o.replace("version_number", "version") for o in map(str, arg_list(req, "order_by"))],
                   ("name", "version", "creation_timestamp", "last_updated_timestamp"))
    if not arg_list(req, "order_by"):
        views.sort(key=lambda v: (v["name"], -int(v["version"])))
    chunk = views[offset:offset + max_results]
    answer: dict[str, Any] = {"model_versions": chunk}
    if offset + max_results < len(views):
        answer["next_page_token"] = encode_page_token(offset + max_results)
    return answer


def _match_version(view: dict[str, Any], clauses: list[search.Clause]) -> bool:
    tags = {t["key"]: t["value"] for t in view["tags"]}
    for c in clauses:
        if c.kind == "tag":
            actual: Any = tags.get(c.key)
        elif c.kind == "attribute" and c.key in ("name", "run_id", "source_path", "version_number", "user_id"):
            actual = view[{"source_path": "source", "version_number": "version"}.get(c.key, c.key)]
        else:
            raise invalid(f"Invalid model version filter on {c.kind} {c.key!r}: use name, version_number, run_id, "
                          "source_path or tags.<key>")
        if not _test(actual, c):
            return False
    return True


def update_model_version(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    name = _name(req)
    version = arg_str(req, "version", required=True)
    models = models_of(registry)
    v = _version(models, user, name, version)
    description = arg_str(req, "description") or ""
    v = _translate(lambda: models.update_version(user, name, v.version, {"description": description}), name)
    return {"model_version": version_json(v, _model(models, user, name).aliases)}


def _set_version_tags(registry: Registry, user: str, req: dict[str, Any],
                      change: Callable[[dict[str, str]], None]) -> dict[str, Any]:
    name = _name(req)
    models = models_of(registry)
    v = _version(models, user, name, arg_str(req, "version", required=True))
    info = dict(_mlflow(v))
    tags = dict(info.get("tags") or {})
    change(tags)
    info["tags"] = tags
    _translate(lambda: models.set_version_spec(user, name, v.version, SPEC_KEY, info), name)
    return {}


def set_model_version_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    key = arg_str(req, "key", required=True) or ""
    value = req.get("value", "")

    def change(tags: dict[str, str]) -> None:
        tags[key] = value if isinstance(value, str) else str(value)

    return _set_version_tags(registry, user, req, change)


def delete_model_version_tag(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    key = arg_str(req, "key", required=True) or ""

    def change(tags: dict[str, str]) -> None:
        if key not in tags:
            raise not_found(f"No tag with key {key!r} on this model version")
        del tags[key]

    return _set_version_tags(registry, user, req, change)


def delete_model_version(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """One version (manage role) with its aliases; its number is never given again."""
    name = _name(req)
    models = models_of(registry)
    v = _version(models, user, name, arg_str(req, "version", required=True))
    try:
        models.delete_version(user, name, v.version)
    except MLHubError as e:
        if e.code == ErrorCode.NOT_FOUND:
            raise not_found(f"Model Version (name={name}, version={v.version}) not found") from None
        raise
    return {}


def transition_stage(registry: Registry, user: str, req: dict[str, Any]) -> dict[str, Any]:
    """MLflow's old stages: ``Staging``/``Production`` point the stage of that name (lower case)
    at the version; ``None`` and ``Archived`` are refused (use aliases, or archive in ML Hub)."""
    name = _name(req)
    version = arg_str(req, "version", required=True) or ""
    stage = arg_str(req, "stage", required=True) or ""
    if stage.lower() in ("none", "archived"):
        raise invalid(f"ML Hub maps stages to aliases: it cannot move a version to {stage!r}; delete the alias instead")
    set_alias(registry, user, {"name": name, "alias": stage.lower(), "version": version})
    models = models_of(registry)
    out = version_json(_version(models, user, name, version), _model(models, user, name).aliases)
    out["current_stage"] = stage
    return {"model_version": out}


# (method, route under api/2.0/mlflow/, function) — registered-models/alias takes three methods.
ROUTES: list[tuple[str, str, Any]] = [
    ("POST", "registered-models/create", create_registered_model),
    ("GET", "registered-models/get", get_registered_model),
    ("GET", "registered-models/search", search_registered_models),
    ("PATCH", "registered-models/update", update_registered_model),
    ("POST", "registered-models/rename", rename_registered_model),
    ("DELETE", "registered-models/delete", delete_registered_model),
    ("POST", "registered-models/set-tag", set_registered_model_tag),
    ("DELETE", "registered-models/delete-tag", delete_registered_model_tag),
    ("POST", "registered-models/alias", set_alias),
    ("DELETE", "registered-models/alias", delete_alias),
    ("GET", "registered-models/alias", get_version_by_alias),
    ("POST", "registered-models/get-latest-versions", get_latest_versions),
    ("GET", "registered-models/get-latest-versions", get_latest_versions),
    ("POST", "model-versions/create", create_model_version),
    ("GET", "model-versions/get", get_model_version),
    ("GET", "model-versions/search", search_model_versions),
    ("PATCH", "model-versions/update", update_model_version),
    ("DELETE", "model-versions/delete", delete_model_version),
    ("GET", "model-versions/get-download-uri", get_download_uri),
    ("POST", "model-versions/set-tag", set_model_version_tag),
    ("DELETE", "model-versions/delete-tag", delete_model_version_tag),
    ("POST", "model-versions/transition-stage", transition_stage),
]
