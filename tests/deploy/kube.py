"""Kubernetes manifests checked against the API's own types, without a cluster.

The models of ``kubernetes_asyncio`` (KubeSpawner's client, generated from the Kubernetes
OpenAPI document) know every field of every kind, its type and which are required. A
manifest is walked against them: an unknown field (a typo, or a field at the wrong level)
fails, and so does a missing required one (the model's constructor refuses it).
"""
from __future__ import annotations

import re
from typing import Any

from kubernetes_asyncio.client import models

KINDS = {
    ("apps/v1", "Deployment"): "V1Deployment",
    ("v1", "Service"): "V1Service",
    ("v1", "Secret"): "V1Secret",
    ("policy/v1", "PodDisruptionBudget"): "V1PodDisruptionBudget",
    ("batch/v1", "Job"): "V1Job",
}
PRIMITIVES: dict[str, type | tuple[type, ...]] = {
    "str": str, "int": int, "bool": bool, "float": (int, float), "object": object, "datetime": str,
}


class ManifestError(AssertionError):
    pass


def build(value: Any, type_name: str, path: str) -> Any:
    """``value`` as an instance of the API type ``type_name``; ManifestError names ``path``."""
    if type_name in PRIMITIVES:
        if not isinstance(value, PRIMITIVES[type_name]) or (type_name == "int" and isinstance(value, bool)):
            raise ManifestError(f"{path}: {value!r} is not of type {type_name}")
        return value
    if match := re.fullmatch(r"list\[(.+)\]", type_name):
        if not isinstance(value, list):
            raise ManifestError(f"{path}: expected a list")
        return [build(item, match.group(1), f"{path}[{i}]") for i, item in enumerate(value)]
    if match := re.fullmatch(r"dict\(str, (.+)\)", type_name):
        if not isinstance(value, dict):
            raise ManifestError(f"{path}: expected a mapping")
        return {k: build(v, match.group(1), f"{path}.{k}") for k, v in value.items()}
    model = getattr(models, type_name)
    if not isinstance(value, dict):
        raise ManifestError(f"{path}: expected a {type_name} mapping, got {value!r}")
    by_json_name = {json_name: attr for attr, json_name in model.attribute_map.items()}
    kwargs = {}
    for key, item in value.items():
        if key not in by_json_name:
            raise ManifestError(f"{path}.{key}: {type_name} has no field {key!r}")
        attr = by_json_name[key]
        kwargs[attr] = build(item, model.openapi_types[attr], f"{path}.{key}")
    try:
        return model(**kwargs)
    except ValueError as e:  # a required field missing, or a value outside its enum
        raise ManifestError(f"{path}: {e}") from None


def check_manifest(doc: dict[str, Any]) -> Any:
    """The API object for one manifest document (apiVersion/kind must be one we know)."""
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key not in KINDS:
        raise ManifestError(f"unexpected apiVersion/kind {key}")
    return build(doc, KINDS[key], f"{doc['kind']}/{doc.get('metadata', {}).get('name', '?')}")
