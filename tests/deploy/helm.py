"""What the deployment tests need of Helm and the charts, without Helm or a cluster.

Values are merged over a chart's defaults the way Helm coalesces them (maps merge
recursively, anything else is replaced, ``null`` removes the default's key), then
validated with ``jsonschema`` against the chart's ``values.schema.yaml``, as ``helm
install`` does before rendering.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "kubernetes"
CHARTS = Path(__file__).resolve().parent / "charts"
# Where the chart files were copied from; present on developers' machines, maybe not in CI.
SHARED_K8S = REPO.parent / "shared" / "k8s"

# chart -> (defaults file, schema file) in CHARTS
CHART_FILES = {
    "jupyterhub": ("z2jh-values.yaml", "z2jh-values.schema.yaml"),
    "dask-gateway": ("dask-gateway-values.yaml", "dask-gateway-values.schema.yaml"),
}


def load_yaml(path: Path) -> Any:
    """The one YAML document in ``path``."""
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_yaml_all(path: Path) -> list[Any]:
    """Every non-empty YAML document in ``path`` (a ``---``-separated manifest file)."""
    with open(path, encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def helm_merge(defaults: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` coalesced over ``defaults`` as Helm does; neither argument is changed."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = helm_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def chart_defaults(chart: str) -> dict[str, Any]:
    return load_yaml(CHARTS / CHART_FILES[chart][0])


def chart_schema(chart: str) -> dict[str, Any]:
    return load_yaml(CHARTS / CHART_FILES[chart][1])


def schema_errors(chart: str, values: dict[str, Any]) -> list[jsonschema.ValidationError]:
    """Every violation of the chart's schema by the already merged ``values``."""
    schema = chart_schema(chart)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return sorted(validator_class(schema).iter_errors(values), key=lambda e: list(e.absolute_path))


def describe(errors: list[jsonschema.ValidationError]) -> str:
    return "\n".join(f"{'.'.join(map(str, e.absolute_path)) or '<top>'}: {e.message}" for e in errors)


def jupyterhub_values(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Our jupyterhub values as ``helm install`` sees them: the chart's defaults, then
    ``jupyterhub-values.yaml``, then ``--set-file hub.extraConfig.mlhub=hub/mlhub_config.py``,
    then ``extra`` (a test's change)."""
    ours = load_yaml(DEPLOY / "jupyterhub-values.yaml")
    set_file = {"hub": {"extraConfig": {"mlhub": (DEPLOY / "hub" / "mlhub_config.py").read_text(encoding="utf-8")}}}
    merged = helm_merge(helm_merge(chart_defaults("jupyterhub"), ours), set_file)
    return helm_merge(merged, extra or {})


def dask_gateway_values(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Our dask-gateway values over the chart's defaults (then ``extra``)."""
    ours = load_yaml(DEPLOY / "dask-gateway-values.yaml")
    return helm_merge(helm_merge(chart_defaults("dask-gateway"), ours), extra or {})
