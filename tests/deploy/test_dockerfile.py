"""deploy/kubernetes/Dockerfile: the single-user image every part of the deployment runs.

Without a Docker daemon (none here) the image is not built; these checks keep the file
consistent with the package and the values. `docker build` runs where a daemon answers.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from typing import Any

import pytest

from .helm import DEPLOY, REPO, dask_gateway_values, jupyterhub_values, load_yaml_all

DOCKERFILE = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def build_args() -> dict[str, str]:
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", DOCKERFILE, flags=re.M))


def test_based_on_jupyter_docker_stacks() -> None:
    base = build_args()["BASE_IMAGE"]
    assert base.startswith("quay.io/jupyter/"), base
    assert re.findall(r"^FROM (\S+)", DOCKERFILE, flags=re.M) == ["${BASE_IMAGE}", "${BASE_IMAGE}"]


def test_torch_is_the_tested_version_in_cpu_and_cuda_builds() -> None:
    from packaging.requirements import Requirement

    # The version `make install` puts first (Makefile: TORCH := torch==X) ...
    (tested,) = re.findall(r"^TORCH := torch==(\S+)$", (REPO / "Makefile").read_text(encoding="utf-8"), flags=re.M)
    assert build_args()["TORCH_VERSION"] == tested
    # ... inside the range of ML Hub's torch extra.
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    (requirement,) = [Requirement(r) for r in pyproject["project"]["optional-dependencies"]["torch"]]
    assert requirement.name == "torch" and requirement.specifier.contains(tested)
    assert build_args()["TORCH_VARIANT"] == "cpu"
    assert re.search(r"^\s+cpu\)\s.*--index-url", DOCKERFILE, flags=re.M)
    assert re.search(r"^\s+cuda\)\s", DOCKERFILE, flags=re.M)


def test_installs_ml_hub_with_the_hub_s3_and_torch_extras() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    extras = pyproject["project"]["optional-dependencies"]
    assert f"{pyproject['project']['name']}[hub,s3,torch] @ file://" in DOCKERFILE
    assert any(r.startswith("dask-gateway>=") for r in extras["hub"])  # Gateway() in notebooks
    assert any(r.startswith("s3fs") for r in extras["s3"])  # MLHUB_ARTIFACT_ROOT=s3://...
    assert any(r.startswith("torch") for r in extras["torch"])


def _images() -> dict[str, str]:
    values = jupyterhub_values()
    image = values["singleuser"]["image"]
    found = {"singleuser.image": f"{image['name']}:{image['tag']}"}
    for profile in values["singleuser"]["profileList"]:
        if "image" in profile.get("kubespawner_override", {}):
            found[f"profile {profile['slug']}"] = profile["kubespawner_override"]["image"]
    backend = dask_gateway_values()["gateway"]["backend"]["image"]
    found["gateway.backend.image"] = f"{backend['name']}:{backend['tag']}"
    for name in ("mlhub-registry.yaml", "mlhub-db-upgrade.yaml"):
        for doc in load_yaml_all(DEPLOY / name):
            spec: dict[str, Any] = doc.get("spec", {}).get("template", {}).get("spec", {})
            for c in spec.get("containers", []):
                found[f"{name} {c['name']}"] = c["image"]
    return found


def test_every_image_is_this_version_of_the_image() -> None:
    version = json.loads((REPO / "package.json").read_text(encoding="utf-8"))["version"]
    for where, image in _images().items():
        assert re.fullmatch(rf"registry\.example\.org/mlhub/singleuser:{re.escape(version)}-(cpu|gpu)", image), (
            f"{where}: {image} (the tag is <package.json version>-cpu|gpu)")
    assert _images()["profile gpu"].endswith("-gpu")


def _docker_daemon() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


@pytest.mark.skipif(not _docker_daemon(), reason="no Docker daemon answers here: the image is not built")
def test_image_builds() -> None:  # pragma: no cover - needs a daemon and the network
    subprocess.run(["docker", "build", "-f", str(DEPLOY / "Dockerfile"), "--build-arg", "TORCH_VARIANT=cpu",
                    "-t", "mlhub-singleuser-test:cpu", str(REPO)], check=True, timeout=3600)
