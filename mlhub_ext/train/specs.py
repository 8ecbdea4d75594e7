"""Model specs and their validation, done before anything is queued.

A spec names what to train: any scikit-learn estimator or pipeline by dotted path, one
of the built-in PyTorch models, or (on the user's own cluster only) a cloudpickled
estimator object. Validation never imports a module outside ``sklearn``: the top-level
name of a path is checked first, so ``os.system`` is refused without ``os`` being touched.
"""
from __future__ import annotations

import base64
import importlib
import importlib.util
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ..core.errors import invalid, malformed, quoted

KINDS = ("sklearn", "torch_mlp", "torch_cnn", "custom")
TORCH_KINDS = ("torch_mlp", "torch_cnn")
OPTIMIZERS = ("adam", "sgd", "adamw")
TASKS = ("classification", "regression")
ENCODINGS = ("onehot",)
IMPUTE_STRATEGIES = ("mean", "median", "most_frequent")
PIPELINE_PATH = "sklearn.pipeline.Pipeline"

# PyTorch is the ``torch`` extra of the package, not a dependency (installing ML Hub must
# not replace a user's own build); training a torch kind without it names the extra.
TORCH_MISSING = "PyTorch is not installed: pip install 'mlhub_ext[torch]'"

# Hyperparameters of the built-in torch models, with their defaults.
TORCH_PARAM_DEFAULTS: dict[str, dict[str, Any]] = {
    "torch_mlp": {"hidden_sizes": [64, 32], "dropout": 0.0},
    "torch_cnn": {"channels": [16, 32], "hidden_size": 64, "dropout": 0.0, "image_size": None},
}
# Spec fields a sweep may vary besides ``params``.
TRAINING_FIELDS = ("epochs", "batch_size", "lr", "optimizer", "weight_decay", "seed", "test_size")
# Spec fields only the torch models use (a scikit-learn estimator ignores them).
TORCH_ONLY_FIELDS = ("epochs", "batch_size", "lr", "optimizer", "weight_decay")

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass
class ModelSpec:
    """What to train and how. JSON round-trips through :meth:`to_dict` / :meth:`from_dict`."""

    kind: str = "sklearn"
    estimator: str | None = None          # dotted path, for kind "sklearn"
    params: dict[str, Any] = field(default_factory=dict)
    steps: list[Any] | None = None        # pipeline steps: [name, dotted path, params]
    task: str | None = None               # "classification" | "regression"; None: inferred
    encode: str | None = None             # "onehot" to encode non-numeric features
    impute: str | None = None             # "mean" | "median" | "most_frequent": fill missing numbers
    features: list[str] | None = None     # feature columns to train on; None: all but the target
    epochs: int = 10
    batch_size: int = 32
    lr: float = 1e-3
    optimizer: str = "adam"
    weight_decay: float = 0.0
    seed: int = 0
    test_size: float = 0.2                # held-out fraction used for evaluation
    image_column: str | None = None       # torch_cnn: column holding images
    estimator_pickle: bytes | None = None  # kind "custom": cloudpickle.dumps(estimator)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (the custom pickle as base64)."""
        out = asdict(self)
        if self.estimator_pickle is not None:
            out["estimator_pickle"] = base64.b64encode(self.estimator_pickle).decode("ascii")
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ModelSpec":
        """Build a spec from a dict, refusing unknown keys."""
        if not isinstance(data, dict):
            raise malformed(f"a model spec must be an object, not {type(data).__name__}")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise invalid(f"unknown spec field(s) {unknown}; valid fields: {sorted(known)}")
        data = dict(data)
        blob = data.get("estimator_pickle")
        if isinstance(blob, str):
            try:
                data["estimator_pickle"] = base64.b64decode(blob, validate=True)
            except ValueError as exc:
                raise malformed(f"estimator_pickle is not valid base64: {exc}") from None
        if data.get("params") is None:
            data["params"] = {}
        return cls(**data)


def validate_spec(spec: ModelSpec | dict[str, Any], *, allow_custom: bool = False) -> ModelSpec:
    """Check a spec and return it normalised (torch defaults filled in).

    Raises ``MLHubError(INVALID)`` naming the problem. ``allow_custom`` is true only when
    training goes to the user's own cluster; a custom pickle is never unpickled here.
    """
    if not isinstance(spec, ModelSpec):
        spec = ModelSpec.from_dict(spec)
    if spec.kind not in KINDS:
        raise invalid(f"unknown model kind {quoted(spec.kind)}; expected one of {list(KINDS)}")
    if not isinstance(spec.params, dict):
        raise invalid("params must be an object of parameter names to values")
    if spec.task is not None and spec.task not in TASKS:
        raise invalid(f"task must be one of {list(TASKS)}, not {quoted(spec.task)}")
    if spec.encode is not None and spec.encode not in ENCODINGS:
        raise invalid(f"encode must be one of {list(ENCODINGS)} or null, not {quoted(spec.encode)}")
    if spec.impute is not None and spec.impute not in IMPUTE_STRATEGIES:
        raise invalid(f"impute must be one of {list(IMPUTE_STRATEGIES)} or null, not {quoted(spec.impute)}")
    if spec.impute is not None and spec.kind != "sklearn":
        raise invalid(f"impute applies to scikit-learn models, not kind {quoted(spec.kind)}; for other models "
                      "make a version of the dataset without missing values (the fillna or dropna operation)")
    _check_features(spec.features)
    _check_number("test_size", spec.test_size, 0.0, 0.9)
    _check_int("seed", spec.seed, minimum=0)
    if spec.kind == "sklearn":
        build_sklearn_estimator(spec)
        return spec
    if spec.kind == "custom":
        if not allow_custom:
            raise invalid("custom estimator objects can only be trained on your own Dask "
                          "cluster, not on a shared one")
        if not isinstance(spec.estimator_pickle, (bytes, bytearray)) or not spec.estimator_pickle:
            raise invalid("a custom spec needs estimator_pickle: cloudpickle.dumps(estimator)")
        return spec
    return _validate_torch(spec)


# -- scikit-learn ------------------------------------------------------------------------

def resolve_sklearn_class(path: Any) -> type:
    """Import and return the scikit-learn estimator class at ``path``.

    The top-level module is checked before any import, so a path outside ``sklearn`` is
    refused without being imported.
    """
    if not isinstance(path, str) or not path:
        raise invalid("estimator must be a dotted path such as "
                      "'sklearn.ensemble.RandomForestClassifier'")
    parts = path.split(".")
    if parts[0] != "sklearn":
        raise invalid(f"estimator {quoted(path)} is not a scikit-learn estimator: only paths under "
                      "'sklearn.' are allowed")
    if len(parts) < 2 or not all(_IDENT.match(p) for p in parts):
        raise invalid(f"estimator {quoted(path)} is not a valid dotted path")
    obj = _import_path(parts)
    from sklearn.base import BaseEstimator

    if not isinstance(obj, type) or not issubclass(obj, BaseEstimator):
        raise invalid(f"{quoted(path)} is not a scikit-learn estimator class")
    if (obj.__module__ or "").split(".")[0] != "sklearn":
        raise invalid(f"{quoted(path)} is defined outside scikit-learn ({obj.__module__})")
    return obj


def _import_path(parts: list[str]) -> Any:
    # Longest importable module prefix, then attributes. Only reached for sklearn paths.
    path = ".".join(parts)
    for cut in range(len(parts) - 1, 0, -1):
        modname = ".".join(parts[:cut])
        try:
            obj: Any = importlib.import_module(modname)
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                raise invalid(f"estimator {quoted(path)} not found: {quoted(modname)} has no {quoted(attr)}")
            obj = getattr(obj, attr)
        return obj
    raise invalid(f"estimator {quoted(path)} not found")


def build_sklearn_estimator(spec: ModelSpec) -> Any:
    """Instantiate (unfitted) the estimator or pipeline a sklearn spec describes."""
    if spec.steps and spec.estimator not in (None, PIPELINE_PATH):
        raise invalid(f"steps are only for estimator {quoted(PIPELINE_PATH)}, not {quoted(spec.estimator)}")
    if spec.estimator == PIPELINE_PATH or (spec.estimator is None and spec.steps):
        from sklearn.pipeline import Pipeline

        est: Any = Pipeline(_build_steps(spec.steps))
        label = "pipeline"
    else:
        cls = resolve_sklearn_class(spec.estimator)
        try:
            est = cls()
        except TypeError as exc:
            raise invalid(f"{quoted(spec.estimator)} cannot be built from params alone: {exc}") from None
        label = spec.estimator or ""
    return _apply_params(est, spec.params, label)


def _build_steps(steps: Any) -> list[tuple[str, Any]]:
    if not isinstance(steps, list) or not steps:
        raise invalid("a pipeline needs steps: a list of [name, dotted path, params]")
    built: list[tuple[str, Any]] = []
    for i, step in enumerate(steps):
        if isinstance(step, dict):
            step = [step.get("name"), step.get("estimator"), step.get("params") or {}]
        if not isinstance(step, (list, tuple)) or len(step) not in (2, 3):
            raise invalid(f"pipeline step {i} must be [name, dotted path, params]")
        name, path, params = (list(step) + [{}])[:3]
        if not isinstance(name, str) or not _IDENT.match(name) or "__" in name:
            raise invalid(f"pipeline step {i} needs a name of letters, digits and single "
                          f"underscores, not {quoted(name)}")
        if name in {n for n, _ in built}:
            raise invalid(f"pipeline step name {quoted(name)} is used twice")
        cls = resolve_sklearn_class(path)
        try:
            est = cls()
        except TypeError as exc:
            raise invalid(f"{quoted(path)} cannot be built from params alone: {exc}") from None
        built.append((name, _apply_params(est, params or {}, f"step {quoted(name)} ({path})")))
    return built


def _apply_params(est: Any, params: dict[str, Any], label: str) -> Any:
    if not isinstance(params, dict):
        raise invalid(f"params of {label} must be an object")
    valid = sorted(k for k in est.get_params(deep=True) if k != "steps")
    unknown = sorted(k for k in params if k not in valid)
    if unknown:
        raise invalid(f"unknown parameter(s) {unknown} for {label}; valid parameters: {valid}",
                      unknown=unknown, valid=valid)
    try:
        est.set_params(**params)
        _validate_eagerly(est)
    except (ValueError, TypeError) as exc:
        raise invalid(f"bad parameter value for {label}: {exc}") from None
    return est


def _validate_eagerly(est: Any) -> None:
    # sklearn checks params at fit time; _validate_params (>= 1.2) does it without data.
    check = getattr(est, "_validate_params", None)
    if callable(check):
        check()
    for _, sub in getattr(est, "steps", None) or []:
        if hasattr(sub, "get_params"):
            _validate_eagerly(sub)


# -- torch -------------------------------------------------------------------------------

def require_torch(needed_for: str = "the built-in PyTorch models") -> None:
    """Raise ``MLHubError`` (``invalid``, 422 at REST) naming the ``torch`` extra when
    PyTorch cannot be imported here; ``needed_for`` says what needs it.

    Looks the module up without importing it, so a check costs nothing when torch is there.
    """
    try:
        found = importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):   # a broken or half-imported torch counts as missing
        found = False
    if not found:
        raise invalid(f"{TORCH_MISSING} (needed for {needed_for})", extra="torch")


def _validate_torch(spec: ModelSpec) -> ModelSpec:
    require_torch(f"kind {quoted(spec.kind)}")
    _check_int("epochs", spec.epochs, minimum=1, maximum=10_000)
    _check_int("batch_size", spec.batch_size, minimum=1, maximum=1_000_000)
    _check_number("lr", spec.lr, 0.0, 10.0, open_low=True)
    _check_number("weight_decay", spec.weight_decay, 0.0, 1.0)
    if spec.optimizer not in OPTIMIZERS:
        raise invalid(f"optimizer must be one of {list(OPTIMIZERS)}, not {quoted(spec.optimizer)}")
    defaults = TORCH_PARAM_DEFAULTS[spec.kind]
    unknown = sorted(set(spec.params) - set(defaults))
    if unknown:
        raise invalid(f"unknown parameter(s) {unknown} for {spec.kind}; valid parameters: "
                      f"{sorted(defaults)}", unknown=unknown, valid=sorted(defaults))
    params = {**defaults, **spec.params}
    _check_number("dropout", params["dropout"], 0.0, 0.95)
    if spec.kind == "torch_mlp":
        _check_int_list("hidden_sizes", params["hidden_sizes"], allow_empty=True)
    else:
        _check_int_list("channels", params["channels"], allow_empty=False)
        if len(params["channels"]) > 4:
            raise invalid("channels may list at most 4 convolution layers")
        _check_int("hidden_size", params["hidden_size"], minimum=1, maximum=100_000)
        size = params["image_size"]
        if size is not None:
            if isinstance(size, int):
                size = [size, size]
            _check_int_list("image_size", size, allow_empty=False)
            if len(size) != 2:
                raise invalid("image_size must be [height, width] or one integer")
            params["image_size"] = list(size)
    return replace(spec, params=params)


def _check_features(value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, (list, tuple)) or not value:
        raise invalid(f"features must be a non-empty list of column names (or null for all columns but the "
                      f"target), not {quoted(value)}")
    bad = [v for v in value if not isinstance(v, str) or not v]
    if bad:
        raise invalid(f"features must be column names (strings), not {quoted(bad)}")
    twice = sorted({v for v in value if list(value).count(v) > 1})
    if twice:
        raise invalid(f"features name column(s) {twice} more than once")


def _check_int(name: str, value: Any, minimum: int, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"{name} must be an integer, not {quoted(value)}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise invalid(f"{name} must be {bound}, not {value}")


def _check_number(name: str, value: Any, low: float, high: float, *,
                  open_low: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(f"{name} must be a number, not {quoted(value)}")
    if value != value or value > high or value < low or (open_low and value == low):
        lo = f"> {low}" if open_low else f">= {low}"
        raise invalid(f"{name} must be {lo} and <= {high}, not {value}")


def _check_int_list(name: str, value: Any, *, allow_empty: bool) -> None:
    if not isinstance(value, (list, tuple)) or (not value and not allow_empty):
        raise invalid(f"{name} must be a list of positive integers, not {quoted(value)}")
    for v in value:
        _check_int(f"each of {name}", v, minimum=1, maximum=100_000)
