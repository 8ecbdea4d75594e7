"""deploy/kubernetes/mlhub-registry.yaml (Deployment, Service, PodDisruptionBudget), the
schema Job and the example Secrets: valid Kubernetes objects, tied to the hub's values, with
environment variables that the registry (and the libraries it uses) actually read, and
probes on a path the registry serves."""
from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import requests

from .helm import DEPLOY, jupyterhub_values, load_yaml_all
from .kube import ManifestError, check_manifest

MANIFESTS = ("mlhub-registry.yaml", "mlhub-db-upgrade.yaml", "mlhub-registry-secrets.example.yaml")
# What s3fs/botocore read for credentials, region and endpoint (named in the storage_options
# help of mlhub_ext's config, which leaves them to s3fs).
AWS_NAMES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION",
             "AWS_ENDPOINT_URL", "AWS_PROFILE"}


def docs(name: str) -> dict[str, dict[str, Any]]:
    """The documents of a manifest file by kind (or, for the Secrets file, by name)."""
    loaded = load_yaml_all(DEPLOY / name)
    key = "name" if name.endswith("secrets.example.yaml") else "kind"
    return {d["metadata"]["name"] if key == "name" else d["kind"]: d for d in loaded}


@pytest.fixture
def deployment() -> dict[str, Any]:
    return docs("mlhub-registry.yaml")["Deployment"]


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    (only,) = deployment["spec"]["template"]["spec"]["containers"]
    return only


def env_of(c: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in c["env"]}


def plain_env(c: dict[str, Any]) -> dict[str, str]:
    return {name: e["value"] for name, e in env_of(c).items() if "value" in e}


# --- valid objects -----------------------------------------------------------------------

@pytest.mark.parametrize("name", MANIFESTS)
def test_manifests_are_valid_kubernetes_objects(name: str) -> None:
    for doc in load_yaml_all(DEPLOY / name):
        check_manifest(doc)


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["spec"].update(replicas="two"), "spec.replicas: 'two' is not of type int"),
    (lambda d: container(d).update(readinesProbe={}), "has no field 'readinesProbe'"),
    (lambda d: container(d).pop("name"), "Invalid value for `name`, must not be `None`"),
    (lambda d: d["spec"].pop("selector"), "Invalid value for `selector`, must not be `None`"),
])
def test_broken_manifests_are_refused(deployment: dict[str, Any], change: Any, message: str) -> None:
    broken = copy.deepcopy(deployment)
    change(broken)
    with pytest.raises(ManifestError, match=re.escape(message)):
        check_manifest(broken)


# --- the Deployment and its Service ------------------------------------------------------

def test_two_replicas_behind_one_service(deployment: dict[str, Any]) -> None:
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    pod_labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= pod_labels.items()
    service = docs("mlhub-registry.yaml")["Service"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    pdb = docs("mlhub-registry.yaml")["PodDisruptionBudget"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert pdb["spec"]["minAvailable"] < spec["replicas"]
    # The hub's NetworkPolicy admits only labelled pods to its API.
    assert pod_labels["hub.jupyter.org/network-access-hub"] == "true"

    ports = {p["name"]: p["containerPort"] for p in container(deployment)["ports"]}
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] in ports
    # hub.services.mlhub.url is this Service.
    url = urlparse(jupyterhub_values()["hub"]["services"]["mlhub"]["url"])
    assert (url.hostname, url.port) == (service["metadata"]["name"], service_port["port"])
    # The process listens where JUPYTERHUB_SERVICE_URL says, which is the container port.
    assert urlparse(plain_env(container(deployment))["JUPYTERHUB_SERVICE_URL"]).port == ports[service_port["targetPort"]]


def test_user_pods_may_reach_the_registry(deployment: dict[str, Any]) -> None:
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    port = container(deployment)["ports"][0]["containerPort"]
    egress = jupyterhub_values()["singleuser"]["networkPolicy"]["egress"]
    assert any(
        to["podSelector"]["matchLabels"].items() <= pod_labels.items() and any(p["port"] == port for p in rule["ports"])
        for rule in egress for to in rule["to"]
    ), "singleuser.networkPolicy.egress does not let user pods reach the registry's pods"


def test_probes_use_the_served_port_and_the_api_document(deployment: dict[str, Any]) -> None:
    c = container(deployment)
    prefix = plain_env(c)["JUPYTERHUB_SERVICE_PREFIX"]
    port_names = {p["name"] for p in c["ports"]}
    for probe in ("readinessProbe", "livenessProbe"):
        get = c[probe]["httpGet"]
        assert get["port"] in port_names
        assert get["path"] == f"{prefix}mlhub/api/v1/openapi.json"


# --- the environment: names the registry reads -------------------------------------------

def _string_literals(package_dir: Path, pattern: str, skip: tuple[str, ...] = ()) -> set[str]:
    found: set[str] = set()
    for path in package_dir.rglob("*.py"):
        if not any(part in skip for part in path.relative_to(package_dir).parts):
            found |= set(re.findall(rf"""["']({pattern})["']""", path.read_text(encoding="utf-8")))
    return found


def test_mlhub_variables_are_read_by_the_registry(deployment: dict[str, Any]) -> None:
    import mlhub_ext

    # The registry's side of the package: not the SDK (client, notebook), whose variables
    # (MLHUB_URL, MLHUB_TOKEN...) a service does not read.
    read = _string_literals(Path(mlhub_ext.__file__).parent, r"MLHUB_[A-Z0-9_]+", skip=("client", "notebook"))
    job = docs("mlhub-db-upgrade.yaml")["Job"]
    for c in (container(deployment), job["spec"]["template"]["spec"]["containers"][0]):
        names = {n for n in env_of(c) if n.startswith("MLHUB_")}
        assert names and not names - read, f"not read by mlhub_ext (renamed?): {sorted(names - read)}"


def test_the_settings_reader_takes_database_and_artifacts_from_them(
        deployment: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """`mlhub serve` builds its settings with mlhub_ext.cli._defaults(): what it reads from
    the environment the Deployment sets is what the registry opens."""
    from mlhub_ext.cli import _defaults

    env = env_of(container(deployment))
    values = {"MLHUB_DB_URL": "postgresql+psycopg://u:p@db:5432/mlhub_registry",
              "MLHUB_ARTIFACT_ROOT": "s3://bucket/registry"}
    for name, value in values.items():
        assert name in env, f"the Deployment does not set {name}"
        monkeypatch.setenv(name, value)
    for name, e in env.items():
        if name.startswith("MLHUB_") and "value" in e:
            monkeypatch.setenv(name, e["value"])
    cfg = _defaults()
    assert (cfg.db_url, cfg.artifact_root) == (values["MLHUB_DB_URL"], values["MLHUB_ARTIFACT_ROOT"])
    assert cfg.dask_address == "gateway"
    assert cfg.data_dir == env["MLHUB_DATA_DIR"]["value"]
    assert (cfg.rate_limit, cfg.rate_burst) == (200.0, 2000)
    assert cfg.metric_writer == "process"
    assert cfg.artifact_cache_size == int(env["MLHUB_ARTIFACT_CACHE_SIZE"]["value"])
    # No MLHUB_STORAGE_OPTIONS: s3fs takes the AWS_* variables itself.
    assert "MLHUB_STORAGE_OPTIONS" not in env and cfg.storage_options == {}


def test_jupyterhub_variables_are_what_hub_auth_reads(deployment: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import jupyterhub.services.auth as hub_auth
    import mlhub_ext
    from jupyterhub.services.service import Service
    from jupyterhub.utils import url_path_join

    env = env_of(container(deployment))
    read = _string_literals(Path(hub_auth.__file__).parent, r"JUPYTERHUB_[A-Z0-9_]+")
    read |= _string_literals(Path(mlhub_ext.__file__).parent, r"JUPYTERHUB_[A-Z0-9_]+")
    names = {n for n in env if n.startswith("JUPYTERHUB_")}
    assert not names - read, f"read by neither JupyterHub's service auth nor mlhub_ext: {sorted(names - read)}"

    plain = plain_env(container(deployment))
    name = plain["JUPYTERHUB_SERVICE_NAME"]
    assert name in jupyterhub_values()["hub"]["services"]
    # What the hub would give a service of that name (it gives external services nothing).
    service = Service(name=name, url=jupyterhub_values()["hub"]["services"][name]["url"], base_url="/")
    assert plain["JUPYTERHUB_SERVICE_PREFIX"] == service.prefix
    assert plain["JUPYTERHUB_CLIENT_ID"] == service.oauth_client_id
    assert plain["JUPYTERHUB_OAUTH_CALLBACK_URL"] == url_path_join(service.prefix, "oauth_callback")
    # The token is the one the jupyterhub chart generated for that service.
    ref = env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert (ref["name"], ref["key"]) == ("hub", f"hub.services.{name}.apiToken")
    assert urlparse(plain["JUPYTERHUB_API_URL"]).hostname == "hub"

    # And HubOAuth reads them so: only callers allowed to access this service get in.
    for key, value in plain.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "token-from-the-hub-secret")
    auth = hub_auth.HubOAuth()
    assert auth.access_scopes == {f"access:services!service={name}", "access:services"}
    assert auth.api_url == plain["JUPYTERHUB_API_URL"]
    assert auth.oauth_client_id == plain["JUPYTERHUB_CLIENT_ID"]
    assert auth.oauth_redirect_uri == plain["JUPYTERHUB_OAUTH_CALLBACK_URL"]


def test_aws_variables_are_the_standard_ones(deployment: dict[str, Any]) -> None:
    names = {n for n in env_of(container(deployment)) if n.startswith("AWS_")}
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL"} <= names <= AWS_NAMES
    try:
        import botocore
    except ImportError:
        return
    read = _string_literals(Path(botocore.__file__).parent, r"AWS_[A-Z0-9_]+")
    assert not names - read, f"botocore reads none of {sorted(names - read)}"


def test_secret_references_resolve(deployment: dict[str, Any]) -> None:
    secrets = docs("mlhub-registry-secrets.example.yaml")
    job = docs("mlhub-db-upgrade.yaml")["Job"]
    refs = [e["valueFrom"]["secretKeyRef"]
            for c in (container(deployment), job["spec"]["template"]["spec"]["containers"][0])
            for e in c["env"] if "valueFrom" in e]
    chart_keys = {f"hub.services.{n}.apiToken" for n in jupyterhub_values()["hub"]["services"]}
    for ref in refs:
        if ref["name"] == "hub":  # the jupyterhub chart's Secret
            assert ref["key"] in chart_keys
        else:
            assert ref["key"] in secrets[ref["name"]]["stringData"], f"{ref} is not in the example Secret"
    # The database and the bucket come from Secrets, not from plain values.
    env = env_of(container(deployment))
    for name in ("MLHUB_DB_URL", "MLHUB_ARTIFACT_ROOT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        assert "secretKeyRef" in env[name].get("valueFrom", {}), name
    assert job["spec"]["template"]["spec"]["containers"][0]["env"] == [env["MLHUB_DB_URL"]]


def test_schema_job_runs_the_upgrade_with_the_same_image(deployment: dict[str, Any]) -> None:
    (upgrade,) = docs("mlhub-db-upgrade.yaml")["Job"]["spec"]["template"]["spec"]["containers"]
    assert upgrade["command"] == ["mlhub", "db", "upgrade"]
    assert upgrade["image"] == container(deployment)["image"]
    assert container(deployment)["command"] == ["mlhub", "serve", "--hub"]
    from mlhub_ext.cli import build_parser

    for command in (upgrade["command"], container(deployment)["command"]):
        build_parser().parse_args(command[1:])  # SystemExit on an unknown subcommand or option


# --- and the registry, started with that environment, answers the probe ------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_registry_started_with_the_deployment_env_answers_the_probe(deployment: dict[str, Any], tmp_path: Path) -> None:
    """`mlhub serve --hub` with the Deployment's own variables (the Secrets' values replaced by
    a local SQLite database and folder, the listen address by 127.0.0.1) answers the probe
    path without the hub, and refuses an API call without a token."""
    c = container(deployment)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLHUB_", "JUPYTERHUB_", "AWS_"))}
    env.update(plain_env(c))
    env.update({
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}",
        "JUPYTERHUB_API_TOKEN": "token-from-the-hub-secret",
        "MLHUB_DB_URL": f"sqlite:///{tmp_path / 'registry.db'}",
        "MLHUB_ARTIFACT_ROOT": str(tmp_path / "artifacts"),
        "MLHUB_DATA_DIR": str(tmp_path / "scratch"),
        "MLHUB_METRIC_WRITER": "thread",   # the process writer needs PostgreSQL; SQLite stands in here
    })
    probe = c["readinessProbe"]["httpGet"]["path"]
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "mlhub_ext.cli", *c["command"][1:]],
                                env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"mlhub serve --hub exited: {log_path.read_text()[-3000:]}"
            try:
                answer = requests.get(f"http://127.0.0.1:{port}{probe}", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, f"no answer in 60 s: {log_path.read_text()[-3000:]}"
                time.sleep(0.2)
        assert answer.status_code == 200
        assert "openapi" in answer.json()
        api = probe.removesuffix("openapi.json")
        refused = requests.get(f"http://127.0.0.1:{port}{api}projects", timeout=10)
        assert refused.status_code in (401, 403), refused.text
        assert json.loads(refused.text)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
