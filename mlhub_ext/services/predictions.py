"""Predictions: a stored model version answering inputs, with a record of each answer.

Predictions load the stored model once into a memory-bounded cache, check the inputs
against the version's input schema, predict, and (unless asked not to) keep an
inference record with the inputs, outputs, latency and caller.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import time
from typing import Any

import numpy as np

from ..core.errors import ErrorCode, MLHubError, conflict, invalid, malformed, quoted
from ..core.model_service import ModelService
from ..train.cache import DEFAULT_MAX_BYTES, ModelCache
from ..train.predict import check_inputs, check_numeric_rows, describe_schema, is_numeric_schema, load_model, predict
from ..train.tabular import to_python
from ..train.tree_predict import CLASSIFIERS as TREE_CLASSIFIERS, TreePredictor
from .mlflow.registry import MLFLOW_MODEL_TYPE
from .model_format import SKLEARN, SKLEARN_PICKLE, load_skops


class ServingCache(ModelCache):
    """The train layer's LRU cache, loading skops files with the trusted-types check and
    refusing pickles unless ``allow_pickle`` (local mode: the user's own server).

    Next to each loaded tree or forest it keeps its :class:`TreePredictor` (built once, on
    the first prediction), which answers small requests without scikit-learn's per-call cost.
    """

    def __init__(self, allow_pickle: bool, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        super().__init__(max_bytes)
        self.allow_pickle = allow_pickle
        self._predictors: dict[Any, TreePredictor | None] = {}

    def load(self, blob: bytes, model_type: str) -> Any:
        if model_type == SKLEARN:
            return load_skops(blob)
        if model_type in (SKLEARN_PICKLE, "custom") and not self.allow_pickle:
            raise invalid(f"this version is stored as a pickle ({model_type}), which a shared ML Hub does not "
                          "load; only local mode serves it")
        return load_model(blob, SKLEARN if model_type == SKLEARN_PICKLE else model_type,
                          allow_custom=self.allow_pickle)

    def predictor(self, key: Any, model: Any, schema: list[dict[str, Any]]) -> TreePredictor | None:
        """The cached :class:`TreePredictor` of the model under ``key`` (None if it has none)."""
        with self._lock:
            if key in self._predictors:
                return self._predictors[key]
        fast = TreePredictor.compile(model, [c["name"] for c in schema]) if is_numeric_schema(schema) else None
        with self._lock:
            if key in self._items:          # not for a model evicted meanwhile
                self._predictors[key] = fast
        return fast

    def discard(self, key: Any) -> None:
        with self._lock:
            self._items.pop(key, None)
            self._predictors.pop(key, None)

    def _evict(self) -> None:
        super()._evict()
        for key in [k for k in self._predictors if k not in self._items]:
            del self._predictors[key]


# scikit-learn's tree classifiers, whose ``predict`` is, in its own code,
# ``classes_[argmax(predict_proba)]``: one pass over the trees gives both answers.
ARGMAX_CLASSIFIERS = TREE_CLASSIFIERS


def serve_predict(model: Any, inputs: Any, schema: list[dict[str, Any]],
                  fast: TreePredictor | None = None) -> list[dict[str, Any]]:
    """:func:`mlhub_ext.train.predict.predict`, with one pass for argmax classifiers, and
    through ``fast`` (the model's :class:`TreePredictor`) when there is one."""
    if fast is not None:
        X = check_numeric_rows(inputs, schema)
        if any(c.get("nullable") for c in schema) and any(v != v for row in X for v in row):
            # A missing value (NaN, where the schema allows it): the compiled trees have no
            # NaN branch, so scikit-learn predicts these rows.
            return predict(model, inputs, schema)
        if fast.classes is None:
            return [{"prediction": float(v)} for v in fast.predict(X)]
        return _with_probabilities(fast.classes, fast.predict_proba(X))
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    classes = getattr(model, "classes_", None)
    if type(final).__name__ not in ARGMAX_CLASSIFIERS or classes is None or np.ndim(classes) != 1 \
            or not type(final).__module__.startswith("sklearn."):
        return predict(model, inputs, schema)
    X = check_inputs(inputs, schema)
    return _with_probabilities(classes, np.asarray(model.predict_proba(X), dtype=float))


def _with_probabilities(classes: Any, probs: np.ndarray) -> list[dict[str, Any]]:
    labels = [str(to_python(c)) for c in classes]
    best = probs.argmax(axis=1).tolist()
    return [{"prediction": to_python(classes[i]), "probabilities": dict(zip(labels, row))}
            for i, row in zip(best, probs.tolist())]


def decode_image(value: Any) -> bytes:
    """An image input sent in JSON: base64 (optionally a ``data:`` URL)."""
    if isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    if not isinstance(value, str):
        raise invalid(f"image inputs are base64-encoded PNG or JPEG strings, not {type(value).__name__}")
    if value.startswith("data:"):
        value = value.partition(",")[2]
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise invalid("an image input is not valid base64") from None


def run_prediction(svc: ModelService, cache: ServingCache, user: str, name: str, body: dict[str, Any],
                   files: list[bytes] | None = None) -> dict[str, Any]:
    """Predict with the version ``body`` selects; see docs/models-api.md for the shapes."""
    unknown = sorted(set(body) - {"stage", "version", "inputs", "store"})
    if unknown:
        raise invalid(f"unknown field(s) {unknown}; a prediction takes stage or version, inputs and store")
    if "inputs" not in body and not files:
        raise malformed('a prediction needs "inputs": rows as lists or records (or uploaded image files)')
    store = body.get("store", True)
    if isinstance(store, str):
        store = store.lower() not in ("0", "false", "no")
    mv, stage = svc.serving_version(user, name, body.get("stage"), body.get("version"))
    if mv.model_type == MLFLOW_MODEL_TYPE:
        why = (mv.spec.get("mlflow") or {}).get("not_served") or "it is not in a format ML Hub loads"
        raise conflict(f"version {mv.version} of model {quoted(name)} was registered through MLflow and is not served "
                       f"here: {why}. ML Hub serves MLflow scikit-learn models saved as skops (mlflow.sklearn.log_model's "
                       "default serialization_format='skops') with a signature (signature= or input_example=), and "
                       "its own trained versions; load this one in a kernel with "
                       f"mlflow.pyfunc.load_model('models:/{name}/{mv.version}')")
    schema = mv.input_schema
    image = len(schema) == 1 and schema[0].get("dtype") == "image"
    inputs = body.get("inputs")
    if image:
        rows = list(files or [])
        if inputs is not None:
            rows += [decode_image(v) for v in (inputs if isinstance(inputs, list) else [inputs])]
        inputs = rows
        recorded: Any = [{"image_sha256": hashlib.sha256(b).hexdigest(), "bytes": len(b)} for b in rows]
    else:
        if files:
            raise invalid(f"model {quoted(name)} takes table rows, not files; expected features: {describe_schema(schema)}",
                          expected=schema)
        recorded = inputs
    started = time.perf_counter()
    key = (name, mv.version, mv.artifact_sha256)
    model = cache.get(key, lambda: (svc.model_bytes(mv), mv.model_type))
    fast = cache.predictor(key, model, schema)
    try:
        outputs = serve_predict(model, inputs, schema, fast)
    except MLHubError as e:
        if e.code != ErrorCode.INVALID:
            raise
        # Inputs that do not fit the model are a bad request (400), naming the expected schema.
        raise MLHubError(ErrorCode.MALFORMED, e.message, **{"expected": schema, **e.details}) from None
    latency_ms = (time.perf_counter() - started) * 1000.0
    inference_id = None
    if store:
        inference_id = svc.record_inference(user, mv, stage, recorded, outputs, latency_ms).id
    return {"model": name, "version": mv.version, "stage": stage, "outputs": outputs,
            "latency_ms": latency_ms, "inference_id": inference_id}


class Predictions:
    """Predictions of one registry: its model service and the cache of loaded models.

    ``allow_pickle``: pickled models (custom estimators, what skops could not save) load
    too; only in local mode, where the registry is the user's own process.
    """

    def __init__(self, models: ModelService, allow_pickle: bool, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.models = models
        self.cache = ServingCache(allow_pickle, max_bytes)

    def predict(self, user: str, name: str, body: dict[str, Any], files: list[bytes] | None = None) -> dict[str, Any]:
        """:func:`run_prediction` with this registry's models and cache."""
        return run_prediction(self.models, self.cache, user, name, body, files)
