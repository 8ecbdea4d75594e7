"""Load the jupyterhub chart's hub configuration as the hub pod does, and report on it.

    python z2jh_hub_runner.py <jobs.json>

``jobs.json``: a list of ``{"config": <jupyterhub_config.py>, "report": <report.json>,
"log": <file>}``. Run by tests/deploy/test_hub_config.py in a process of its own: the
chart's configuration changes process-wide state (tornado's HTTP client class, sys.path,
the cached ``z2jh`` module), which must not leak into other tests or other jobs. So the
heavy imports happen once and each job runs in a forked child, its output in ``log``, its
exit status in ``<report>.rc``. The caller lays out the chart's mounted Secret and
ConfigMap and points the configuration at them. The report (JSON) holds what the hub would
start with and, for every KubeSpawner profile, the pod KubeSpawner would create (built
without a cluster).
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import traceback
import types
from typing import Any


def stand_in_for_pycurl() -> None:
    """The chart's configuration selects tornado's curl HTTP client; the hub image has
    pycurl. Nothing here makes HTTP requests, so where pycurl is missing a stand-in
    class (tornado's own client) is registered under that name."""
    try:
        import pycurl  # noqa: F401
    except ImportError:
        from tornado.simple_httpclient import SimpleAsyncHTTPClient

        module = types.ModuleType("tornado.curl_httpclient")

        class CurlAsyncHTTPClient(SimpleAsyncHTTPClient):  # type: ignore[misc]
            pass

        module.CurlAsyncHTTPClient = CurlAsyncHTTPClient  # type: ignore[attr-defined]
        sys.modules["tornado.curl_httpclient"] = module


def unknown_traits(config: Any) -> dict[str, list[str]]:
    """Per configured class we know, the configured names that are not its traits."""
    from jupyterhub.app import JupyterHub
    from jupyterhub.spawner import Spawner
    from kubespawner import KubeSpawner
    from oauthenticator.github import GitHubOAuthenticator

    classes = {c.__name__: c for c in (JupyterHub, Spawner, KubeSpawner, GitHubOAuthenticator)}
    return {
        section: sorted(set(config[section]) - set(classes[section].class_trait_names()))
        for section in config if section in classes
    }


async def pod_for_profile(config: Any, slug: str | None) -> dict[str, Any]:
    from kubespawner import KubeSpawner

    spawner = KubeSpawner(config=config, _mock=True)
    if slug is not None:
        spawner.user_options = {"profile": slug}
        await spawner.load_user_options()
    pod = (await spawner.get_pod_manifest()).to_dict()
    container = pod["spec"]["containers"][0]
    return {
        "image": container["image"],
        "limits": container["resources"]["limits"],
        "requests": container["resources"]["requests"],
        "tolerations": [t["key"] for t in pod["spec"].get("tolerations") or []],
        "env": {e["name"]: e.get("value") for e in container.get("env") or []},
    }


def main(config_file: str, report_file: str) -> None:
    stand_in_for_pycurl()
    from jupyterhub.app import JupyterHub

    app = JupyterHub()
    app.load_config_file(config_file)  # traitlets' PyFileConfigLoader, as `jupyterhub -f` does
    config = app.config
    hub = config.JupyterHub
    authenticator = app.authenticator_class(config=config)
    profiles = config.KubeSpawner.profile_list
    pods = {"(none)": asyncio.run(pod_for_profile(config, None))}
    for profile in profiles:
        pods[profile["slug"]] = asyncio.run(pod_for_profile(config, profile["slug"]))
    report = {
        "spawner_class": hub.spawner_class,
        "authenticator": type(authenticator).__name__,
        "client_id": authenticator.client_id,
        "allowed_organizations": sorted(authenticator.allowed_organizations),
        "services": [
            {"name": s["name"], "url": s.get("url"), "api_token": s.get("api_token"),
             "command": s.get("command"), "keys": sorted(s)}
            for s in hub.services
        ],
        "load_roles": hub.load_roles,
        "server_token_scopes": sorted(config.Spawner.server_token_scopes),
        "unknown_traits": unknown_traits(config),
        "environment": dict(config.KubeSpawner.environment),
        "groups_from_teams": bool(config.GitHubOAuthenticator.get("manage_groups", False)),
        "pods": pods,
    }
    with open(report_file, "w", encoding="utf-8") as f:
        json.dump(report, f, default=str)


def run_forked(job: dict[str, str]) -> int:
    """``main`` for one job in a child process; its exit status."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            with open(job["log"], "w", encoding="utf-8") as log:
                os.dup2(log.fileno(), 1)
                os.dup2(log.fileno(), 2)
                try:
                    main(job["config"], job["report"])
                    code = 0
                except SystemExit as e:  # the configuration refused to load, with a message
                    if e.code not in (None, 0) and not isinstance(e.code, int):
                        print(e.code, file=sys.stderr)
                    code = e.code if isinstance(e.code, int) else 1
                except BaseException:
                    traceback.print_exc()
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    # Imported once, before forking: what every job needs and takes long to import.
    import jupyterhub.app  # noqa: F401
    import kubespawner  # noqa: F401
    import oauthenticator.github  # noqa: F401

    with open(sys.argv[1], encoding="utf-8") as f:
        jobs = json.load(f)
    for job in jobs:
        code = run_forked(job)
        with open(job["report"] + ".rc", "w", encoding="utf-8") as f:
            f.write(str(code))
