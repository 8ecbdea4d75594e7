"""The hub's configuration on Kubernetes, rendered: the jupyterhub chart's own
jupyterhub_config.py (tests/deploy/charts/z2jh-hub/) loads our values and
hub/mlhub_config.py in JupyterHub's config loader, with KubeSpawner, and every profile
gives a pod."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from .helm import CHARTS, jupyterhub_values

CHART_ETC = "/usr/local/etc/jupyterhub"  # where the hub pod mounts the chart's Secret and ConfigMap
RUNNER = Path(__file__).resolve().parent / "z2jh_hub_runner.py"
# What the chart's ConfigMap names (release "jupyterhub", no fullnameOverride: the short names).
NAMES = ("hub", "proxy-api", "proxy-public", "singleuser", "user-scheduler", "priority", "image-pull-secret")
FAKE_KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none, namespace: mlhub}}]
current-context: none
"""


def lay_out_hub(tmp_path: Path, values: dict[str, Any]) -> dict[str, str]:
    """Lay out what the chart mounts into the hub pod; the runner's job for it.

    The Secret holds values.yaml (the merged values plus Chart/Release, as the chart's
    hub/secret.yaml writes it) and the generated tokens and keys; the ConfigMap the resource
    names. The chart's two files are copied with their mount path pointed at that layout.
    """
    etc = tmp_path / "etc"
    (etc / "secret").mkdir(parents=True)
    (etc / "config").mkdir()
    rendered = dict(values, Chart={"Name": "jupyterhub", "Version": "4.0.0", "AppVersion": "5.5.0"},
                    Release={"Name": "jupyterhub", "Namespace": "mlhub", "Service": "Helm"})
    (etc / "secret" / "values.yaml").write_text(yaml.safe_dump(rendered), encoding="utf-8")
    generated = {f"hub.services.{name}.apiToken": f"token-{name}" for name in values["hub"]["services"]}
    generated |= {"hub.config.JupyterHub.cookie_secret": secrets.token_hex(32),
                  "hub.config.CryptKeeper.keys": secrets.token_hex(32),
                  "hub.config.ConfigurableHTTPProxy.auth_token": secrets.token_hex(32)}
    for key, value in generated.items():
        (etc / "secret" / key).write_text(value, encoding="utf-8")
    for name in NAMES:
        (etc / "config" / name).write_text(name, encoding="utf-8")

    hub_dir = tmp_path / "hub"
    hub_dir.mkdir()
    for name in ("jupyterhub_config.py", "z2jh.py"):
        source = (CHARTS / "z2jh-hub" / name).read_text(encoding="utf-8")
        assert CHART_ETC in source, f"{name} no longer reads {CHART_ETC}: update lay_out_hub"
        (hub_dir / name).write_text(source.replace(CHART_ETC, str(etc)), encoding="utf-8")
    return {"config": str(hub_dir / "jupyterhub_config.py"), "report": str(tmp_path / "report.json"),
            "log": str(tmp_path / "hub.log")}


@dataclass
class Rendered:
    returncode: int
    log: str
    report: dict[str, Any] | None


def render_hubs(tmp_path: Path, scenarios: dict[str, dict[str, Any]]) -> dict[str, Rendered]:
    """Each scenario's values through the chart's hub config (one process, a fork each)."""
    jobs = {name: lay_out_hub(tmp_path / name, values) for name, values in scenarios.items()}
    (tmp_path / "jobs.json").write_text(json.dumps(list(jobs.values())), encoding="utf-8")
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(FAKE_KUBECONFIG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTERHUB_", "KUBERNETES_"))}
    env.update({
        # Kubernetes sets <SERVICE>_SERVICE_PORT for every Service in the namespace.
        "HUB_SERVICE_PORT": "8081", "PROXY_API_SERVICE_PORT": "8001", "POD_NAMESPACE": "mlhub",
        "KUBECONFIG": str(kubeconfig),
        # From the Secret mlhub-github-oauth (hub.extraEnv).
        "GITHUB_CLIENT_ID": "client-id-from-secret", "GITHUB_CLIENT_SECRET": "client-secret-from-secret",
    })
    done = subprocess.run([sys.executable, str(RUNNER), str(tmp_path / "jobs.json")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-4000:]
    results = {}
    for name, job in jobs.items():
        report = Path(job["report"])
        results[name] = Rendered(
            returncode=int(Path(job["report"] + ".rc").read_text(encoding="utf-8")),
            log=Path(job["log"]).read_text(encoding="utf-8"),
            report=json.loads(report.read_text(encoding="utf-8")) if report.exists() else None,
        )
    return results


# Values the hub must refuse to start with, and what it says.
REFUSED = {
    "user-role-lacks-gateway": (
        {"hub": {"loadRoles": {"user": {"scopes": ["self", "access:services!service=mlhub"]}}}},
        "hub.loadRoles.user.scopes lacks access:services!service=dask-gateway"),
    "server-token-lacks-services": (
        {"hub": {"config": {"Spawner": {"server_token_scopes": ["access:servers!server"]}}}},
        "hub.config.Spawner.server_token_scopes lacks access:services!service=dask-gateway, "
        "access:services!service=mlhub"),
    "no-registry-url": ({"hub": {"services": {"mlhub": {"url": None}}}}, "hub.services.mlhub.url is not set"),
    "no-registry-role": ({"hub": {"loadRoles": {"mlhub-service": None}}}, "hub.loadRoles.mlhub-service must exist"),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    scenarios = {
        "ours": jupyterhub_values(),
        "teams": jupyterhub_values({"custom": {"mlhub": {"githubTeamsAsGroups": True}}}),
        **{name: jupyterhub_values(change) for name, (change, _) in REFUSED.items()},
    }
    return render_hubs(tmp_path_factory.mktemp("z2jh"), scenarios)


@pytest.fixture(scope="module")
def report(rendered: dict[str, Rendered]) -> dict[str, Any]:
    ours = rendered["ours"]
    assert ours.returncode == 0 and ours.report is not None, ours.log[-4000:]
    return ours.report


def test_hub_uses_kubespawner_and_github(report: dict[str, Any]) -> None:
    assert report["spawner_class"] == "kubespawner.KubeSpawner"
    assert report["authenticator"] == "GitHubOAuthenticator"
    assert report["client_id"] == "client-id-from-secret"
    assert report["allowed_organizations"] == ["my-org"]


def test_every_configured_name_is_a_trait(report: dict[str, Any]) -> None:
    assert set(report["unknown_traits"]) >= {"JupyterHub", "KubeSpawner", "Spawner", "GitHubOAuthenticator"}
    assert not any(report["unknown_traits"].values()), report["unknown_traits"]


def test_services_get_their_urls_and_generated_tokens(report: dict[str, Any]) -> None:
    services = {s["name"]: s for s in report["services"]}
    assert services["mlhub"]["url"] == "http://mlhub-registry:10202"
    assert services["mlhub"]["api_token"] == "token-mlhub"
    assert services["dask-gateway"]["url"] == "http://traefik-dask-gateway"
    assert services["dask-gateway"]["api_token"] == "token-dask-gateway"
    assert "apiToken" not in services["mlhub"]["keys"]


def test_culling_runs_as_a_service(report: dict[str, Any]) -> None:
    culler = next(s for s in report["services"] if s["name"] == "jupyterhub-idle-culler")
    assert "--timeout=3600" in culler["command"] and "--cull-every=300" in culler["command"]
    roles = {r["name"]: r for r in report["load_roles"]}
    assert "delete:servers" in roles["jupyterhub-idle-culler"]["scopes"]


def test_roles_reach_the_hub(report: dict[str, Any]) -> None:
    roles = {r["name"]: r for r in report["load_roles"]}
    assert "access:services!service=mlhub" in roles["user"]["scopes"]
    assert roles["mlhub-service"]["services"] == ["mlhub"]
    assert "access:services!service=dask-gateway" in report["server_token_scopes"]


def test_servers_find_the_registry(report: dict[str, Any]) -> None:
    # Set by hub/mlhub_config.py from hub.services.mlhub.url, with the registry's hub prefix.
    assert report["environment"]["MLHUB_HUB_SERVICE_URL"] == "http://mlhub-registry:10202/services/mlhub/"
    for pod in report["pods"].values():
        assert pod["env"]["MLHUB_HUB_SERVICE_URL"] == "http://mlhub-registry:10202/services/mlhub/"
        assert pod["env"]["DASK_GATEWAY__AUTH__TYPE"] == "jupyterhub"


def test_profiles_give_pods(report: dict[str, Any]) -> None:
    pods = report["pods"]
    assert set(pods) == {"(none)", "cpu", "cpu-large", "gpu"}
    assert pods["cpu"]["image"] == "registry.example.org/mlhub/singleuser:0.1.0-cpu"
    assert "nvidia.com/gpu" not in pods["cpu"]["limits"]
    assert float(pods["cpu-large"]["limits"]["cpu"]) == 8
    gpu = pods["gpu"]
    assert gpu["image"] == "registry.example.org/mlhub/singleuser:0.1.0-gpu"
    assert gpu["limits"]["nvidia.com/gpu"] == "1"
    assert "nvidia.com/gpu" in gpu["tolerations"]


def test_teams_as_groups_is_switched_by_custom_value(rendered: dict[str, Rendered]) -> None:
    teams = rendered["teams"]
    assert teams.returncode == 0 and teams.report is not None, teams.log[-4000:]
    assert teams.report["groups_from_teams"] is True


@pytest.mark.parametrize("scenario", sorted(REFUSED))
def test_a_hub_that_would_refuse_ml_hub_does_not_start(rendered: dict[str, Rendered], scenario: str) -> None:
    result = rendered[scenario]
    assert result.returncode != 0
    assert REFUSED[scenario][1] in result.log, result.log[-4000:]
