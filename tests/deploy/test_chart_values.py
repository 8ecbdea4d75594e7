"""deploy/kubernetes/*-values.yaml against the charts' own schemas and against what
ML Hub's local hub (hub_config/) grants; and proof that the validation can fail."""
from __future__ import annotations

import filecmp
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config, PyFileConfigLoader

from .helm import (
    CHART_FILES,
    CHARTS,
    DEPLOY,
    REPO,
    SHARED_K8S,
    chart_defaults,
    dask_gateway_values,
    describe,
    helm_merge,
    jupyterhub_values,
    load_yaml,
    schema_errors,
)


# --- the copied chart files --------------------------------------------------------------

@pytest.mark.skipif(not SHARED_K8S.is_dir(), reason=f"{SHARED_K8S} is not there (a clean checkout)")
@pytest.mark.parametrize("name", sorted(f for pair in CHART_FILES.values() for f in pair))
def test_copied_chart_files_match_shared(name: str) -> None:
    assert filecmp.cmp(CHARTS / name, SHARED_K8S / name, shallow=False), (
        f"tests/deploy/charts/{name} differs from {SHARED_K8S / name}: copy the newer one and "
        "update tests/deploy/charts/README.md")


@pytest.mark.parametrize("chart", sorted(CHART_FILES))
def test_chart_defaults_pass_their_own_schema(chart: str) -> None:
    # The schema and the defaults belong together; if this fails the copies are mismatched.
    assert not schema_errors(chart, chart_defaults(chart))


# --- our values pass ---------------------------------------------------------------------

def test_jupyterhub_values_pass_the_chart_schema() -> None:
    errors = schema_errors("jupyterhub", jupyterhub_values())
    assert not errors, describe(errors)


def test_dask_gateway_values_pass_the_chart_schema() -> None:
    errors = schema_errors("dask-gateway", dask_gateway_values())
    assert not errors, describe(errors)


# --- and bad values are refused ----------------------------------------------------------

@pytest.mark.parametrize(("chart", "change", "path", "validator"), [
    # a number as a word
    ("dask-gateway", {"gateway": {"replicas": "two"}}, ["gateway", "replicas"], "type"),
    ("jupyterhub", {"cull": {"timeout": "1h"}}, ["cull", "timeout"], "type"),
    # a top-level key the chart does not know (a typo, or values meant for another chart)
    ("jupyterhub", {"mlhub": {"replicas": 2}}, [], "additionalProperties"),
    ("dask-gateway", {"gatway": {"prefix": "/x"}}, [], "additionalProperties"),
    # a misplaced key: roles belong in hub.loadRoles, not hub.roles
    ("jupyterhub", {"hub": {"roles": {"user": {"scopes": ["self"]}}}}, ["hub"], "additionalProperties"),
    # null removes the chart's default, and the image tag is required
    ("jupyterhub", {"singleuser": {"image": {"tag": None}}}, ["singleuser", "image"], "required"),
    # not one of the authenticator types the chart offers
    ("dask-gateway", {"gateway": {"auth": {"type": "github"}}}, ["gateway", "auth", "type"], "enum"),
])
def test_bad_values_are_refused(chart: str, change: dict[str, Any], path: list[str], validator: str) -> None:
    values = jupyterhub_values(change) if chart == "jupyterhub" else dask_gateway_values(change)
    errors = schema_errors(chart, values)
    assert [(list(e.absolute_path), e.validator) for e in errors] == [(path, validator)], describe(errors)


def test_helm_merge_follows_helm() -> None:
    defaults = {"a": {"b": 1, "c": [1, 2]}, "d": 1}
    assert helm_merge(defaults, {"a": {"c": [3]}, "d": None, "e": {}}) == {"a": {"b": 1, "c": [3]}, "e": {}}
    assert defaults == {"a": {"b": 1, "c": [1, 2]}, "d": 1}


# --- JupyterHub's own vocabulary ---------------------------------------------------------

def test_hub_services_use_jupyterhub_service_fields() -> None:
    from jupyterhub.services.service import Service

    fields = set(Service.class_trait_names()) | {"apiToken"}  # apiToken: the chart's alias of api_token
    for name, service in jupyterhub_values()["hub"]["services"].items():
        unknown = set(service) - fields
        assert not unknown, f"hub.services.{name}: {sorted(unknown)} are not JupyterHub service fields"


def _scopes_of_values() -> dict[str, list[str]]:
    hub = jupyterhub_values()["hub"]
    scopes = {f"hub.loadRoles.{name}": role["scopes"] for name, role in hub["loadRoles"].items()}
    scopes["hub.config.Spawner.server_token_scopes"] = hub["config"]["Spawner"]["server_token_scopes"]
    return scopes


def test_role_scopes_are_jupyterhub_scopes_on_existing_services() -> None:
    from jupyterhub.scopes import scope_definitions

    services = set(jupyterhub_values()["hub"]["services"])
    for where, scopes in _scopes_of_values().items():
        for scope in scopes:
            base, _, scope_filter = scope.partition("!")
            assert base in scope_definitions, f"{where}: {scope!r} is no JupyterHub scope"
            if scope_filter.startswith("service="):
                assert scope_filter.removeprefix("service=") in services, (
                    f"{where}: {scope!r} names a service that hub.services does not define")
            else:
                assert scope_filter in ("", "user", "server"), f"{where}: unexpected filter in {scope!r}"


def test_role_members_exist() -> None:
    hub = jupyterhub_values()["hub"]
    for name, role in hub["loadRoles"].items():
        for service in role.get("services", []):
            assert service in hub["services"], f"hub.loadRoles.{name} names the unknown service {service}"


@pytest.fixture
def local_hub_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    """hub_config/jupyterhub_config.py as `make hub` loads it (registry and gateway on)."""
    for name in ("MLHUB_AUTH", "MLHUB_GITHUB_URL", "MLHUB_ALLOWED_ORGS", "MLHUB_GITHUB_TEAMS_AS_GROUPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MLHUB_HUB_SERVICE", "on")
    monkeypatch.setenv("MLHUB_GATEWAY", "on")
    monkeypatch.setenv("MLHUB_HUB_RUN_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("MLHUB_HUB_DATA_DIR", str(tmp_path / "data"))
    return PyFileConfigLoader("jupyterhub_config.py", path=str(REPO / "hub_config")).load_config()


def test_scopes_match_what_the_local_hub_grants(local_hub_config: Config) -> None:
    hub = jupyterhub_values()["hub"]
    local_roles = {r["name"]: r for r in local_hub_config.JupyterHub.load_roles}
    for name in ("user", "mlhub-service"):
        assert set(hub["loadRoles"][name]["scopes"]) == set(local_roles[name]["scopes"]), name
    assert hub["loadRoles"]["mlhub-service"]["services"] == local_roles["mlhub-service"]["services"]
    assert set(hub["config"]["Spawner"]["server_token_scopes"]) == set(local_hub_config.Spawner.server_token_scopes)
    # The same services that need a URL on the local hub have one on Kubernetes.
    local_services = {s["name"] for s in local_hub_config.JupyterHub.services if "url" in s}
    assert local_services == {n for n, s in hub["services"].items() if s.get("url")}


def test_github_oauth_settings_are_oauthenticator_traits(monkeypatch: pytest.MonkeyPatch) -> None:
    from oauthenticator.github import GitHubOAuthenticator

    hub = jupyterhub_values()["hub"]
    assert hub["config"]["JupyterHub"]["authenticator_class"] == "github"
    settings = hub["config"]["GitHubOAuthenticator"]
    unknown = set(settings) - set(GitHubOAuthenticator.class_trait_names())
    assert not unknown, f"hub.config.GitHubOAuthenticator: {sorted(unknown)} are not traits"
    # The credentials come from hub.extraEnv: the variables oauthenticator actually reads.
    env = hub["extraEnv"]
    monkeypatch.setenv("GITHUB_CLIENT_ID", "id-from-secret")
    monkeypatch.setenv("GITHUB_CLIENT_SECRET", "secret-from-secret")
    authenticator = GitHubOAuthenticator(config=Config({"GitHubOAuthenticator": settings}))
    assert (authenticator.client_id, authenticator.client_secret) == ("id-from-secret", "secret-from-secret")
    assert {"GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"} <= set(env)
    secrets = load_yaml_docs_by_name(DEPLOY / "mlhub-registry-secrets.example.yaml")
    for name in ("GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET"):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["key"] in secrets[ref["name"]]["stringData"], f"hub.extraEnv.{name}: no such key in the example"


def load_yaml_docs_by_name(path: Path) -> dict[str, dict[str, Any]]:
    from .helm import load_yaml_all

    return {doc["metadata"]["name"]: doc for doc in load_yaml_all(path)}


# --- KubeSpawner profiles ----------------------------------------------------------------

def test_profiles_override_real_kubespawner_traits() -> None:
    from kubespawner import KubeSpawner

    traits = KubeSpawner.class_traits()
    profiles = jupyterhub_values()["singleuser"]["profileList"]
    assert sum(bool(p.get("default")) for p in profiles) == 1
    for profile in profiles:
        unknown = set(profile.get("kubespawner_override", {})) - set(traits)
        assert not unknown, f"profile {profile['slug']}: {sorted(unknown)} are not KubeSpawner traits"
    gpu = next(p for p in profiles if p["slug"] == "gpu")
    assert gpu["kubespawner_override"]["extra_resource_limits"] == {"nvidia.com/gpu": "1"}
    assert gpu["kubespawner_override"]["image"].endswith("-gpu")


# --- dask-gateway, tied to the hub -------------------------------------------------------

def test_dask_gateway_uses_the_hub_service_and_its_token() -> None:
    gateway = dask_gateway_values()["gateway"]
    hub = jupyterhub_values()
    auth = gateway["auth"]
    assert auth["type"] == "jupyterhub"
    name = auth["jupyterhub"]["jupyterhubServiceName"]
    assert name in hub["hub"]["services"]
    # The jupyterhub chart keeps each service's token in its Secret `hub` under this key.
    assert (auth["jupyterhub"]["apiTokenFromSecretName"], auth["jupyterhub"]["apiTokenFromSecretKey"]) == (
        "hub", f"hub.services.{name}.apiToken")
    assert auth["jupyterhub"]["apiUrl"] == "http://hub:8081/hub/api"
    # The hub's proxy keeps the path: the gateway must serve under the service's prefix.
    assert gateway["prefix"] == f"/services/{name}"
    # traefik-<release>: the release is named dask-gateway (docs/deploy-kubernetes.md)
    assert hub["hub"]["services"][name]["url"] == "http://traefik-dask-gateway"
    assert gateway["backend"]["image"]["name"] == hub["singleuser"]["image"]["name"]
    assert gateway["backend"]["image"]["tag"] == hub["singleuser"]["image"]["tag"]


def test_dask_gateway_extra_config_sets_real_traits() -> None:
    from dask_gateway_server.backends.kubernetes import KubeBackend, KubeClusterConfig
    from dask_gateway_server.app import DaskGateway

    classes = {cls.__name__: cls for cls in (KubeClusterConfig, KubeBackend, DaskGateway)}
    for key, snippet in dask_gateway_values()["gateway"]["extraConfig"].items():
        c = Config()
        exec(compile(snippet, f"gateway.extraConfig.{key}", "exec"), {"c": c})
        for section, settings in c.items():
            assert section in classes, f"gateway.extraConfig.{key}: {section} is not a gateway class"
            unknown = set(settings) - set(classes[section].class_trait_names())
            assert not unknown, f"gateway.extraConfig.{key}: {section}.{sorted(unknown)} are not traits"
            cluster = classes[section](config=c)  # values of the right types, or TraitError
            for name, value in settings.items():
                assert getattr(cluster, name) == value


def test_dask_gateway_environment_names_are_dask_gateway_config_keys() -> None:
    """DASK_GATEWAY__A__B is dask's spelling of the config key gateway.a.b."""
    import dask.config
    import dask_gateway  # noqa: F401  (registers its defaults with dask.config)

    env = dict(jupyterhub_values()["singleuser"]["extraEnv"])
    env.update({e["name"]: e.get("value") for e in _registry_env()})
    names = [n for n in env if n.startswith("DASK_GATEWAY__")]
    assert names
    for name in names:
        key = ".".join(part.lower().replace("_", "-") for part in ["gateway", *name.split("__")[1:]])
        assert dask.config.get(key, default=KeyError) is not KeyError, f"{name}: dask-gateway has no config {key}"


def _registry_env() -> list[dict[str, Any]]:
    from .helm import load_yaml_all

    deployment = next(d for d in load_yaml_all(DEPLOY / "mlhub-registry.yaml") if d["kind"] == "Deployment")
    return deployment["spec"]["template"]["spec"]["containers"][0]["env"]


# --- Kubernetes objects inside the values ------------------------------------------------

def test_kubernetes_objects_in_the_values_are_valid() -> None:
    """What the charts pass through to Kubernetes verbatim (helm would not check it)."""
    from .kube import build

    values = jupyterhub_values()
    for i, rule in enumerate(values["singleuser"]["networkPolicy"]["egress"]):
        build(rule, "V1NetworkPolicyEgressRule", f"singleuser.networkPolicy.egress[{i}]")
    for name, env in values["hub"]["extraEnv"].items():
        build({"name": name, **env}, "V1EnvVar", f"hub.extraEnv.{name}")
    for profile in values["singleuser"]["profileList"]:
        for i, toleration in enumerate(profile.get("kubespawner_override", {}).get("tolerations", [])):
            build(toleration, "V1Toleration", f"profile {profile['slug']} tolerations[{i}]")


def test_a_misspelt_kubernetes_field_in_the_values_is_refused() -> None:
    from .kube import ManifestError, build

    with pytest.raises(ManifestError, match="has no field 'podSelectr'"):
        build({"to": [{"podSelectr": {}}]}, "V1NetworkPolicyEgressRule", "egress[0]")
