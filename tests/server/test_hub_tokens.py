"""The hub service (`mlhub serve --hub`'s app) with ML Hub API tokens, in process, against
a stand-in for the hub's REST API: the token's user must still be on the hub, and their
hub groups (GitHub teams) count for what is shared with ``group:<org:team>``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.httpserver import HTTPServer

from tests.conftest import free_port

SERVICE_TOKEN = "service-secret"
HUB_USERS = {"alice": [], "bob": ["my-org:ml-leads"], "carol": ["my-org:everyone"]}


class FakeHubUser(web.RequestHandler):
    """``GET /hub/api/users/<name>`` as JupyterHub answers the mlhub service."""

    def get(self, name: str) -> None:
        if self.request.headers.get("Authorization") != f"token {SERVICE_TOKEN}":
            raise web.HTTPError(403)
        if name not in HUB_USERS:
            raise web.HTTPError(404)
        self.finish({"kind": "user", "name": name, "admin": False, "groups": HUB_USERS[name]})


@pytest.fixture
def hub_service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from mlhub_ext.server.hub_service import hub_app_and_address

    hub_port, svc_port = free_port(), free_port()
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", SERVICE_TOKEN)
    monkeypatch.setenv("JUPYTERHUB_API_URL", f"http://127.0.0.1:{hub_port}/hub/api")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_URL", f"http://127.0.0.1:{svc_port}")
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/services/mlhub/")
    monkeypatch.setenv("JUPYTERHUB_CLIENT_ID", "service-mlhub")
    monkeypatch.setenv("MLHUB_AUTH", "github")
    monkeypatch.setenv("MLHUB_GITHUB_URL", "https://github.com")
    app, ip, port = hub_app_and_address(f"sqlite:///{tmp_path / 'reg.db'}", str(tmp_path / "artifacts"))
    # The hub service's database is created by `mlhub db upgrade` in a deployment.
    hub = HTTPServer(web.Application([(r"/hub/api/users/([^/]+)", FakeHubUser)]))
    hub.listen(hub_port, "127.0.0.1")
    svc = HTTPServer(app)
    svc.listen(port, ip)
    yield app, f"http://{ip}:{port}/services/mlhub/mlhub/api/v1/"
    svc.stop()
    hub.stop()
    app.settings["mlhub_services"].close()


async def fetch(url: str, token: str, method: str = "GET", body: Any = None) -> tuple[int, Any]:
    try:
        r = await AsyncHTTPClient().fetch(url, method=method, headers={"Authorization": f"token {token}"},
                                          body=None if body is None else json.dumps(body),
                                          allow_nonstandard_methods=True)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    return r.code, json.loads(r.body) if r.body else None


async def test_hub_token_callers_get_their_groups(hub_service):  # type: ignore[no-untyped-def]
    app, base = hub_service
    reg = app.settings["mlhub_services"].registry
    alice = reg.create_token("alice")[0]
    bob = reg.create_token("bob", scope="read")[0]
    carol = reg.create_token("carol")[0]
    assert (await fetch(base + "projects", alice, "POST", {"name": "churn"}))[0] == 201
    code, _ = await fetch(base + "projects/churn/members/group:my-org:ml-leads", alice, "PUT", {"role": "edit"})
    assert code == 200
    code, me = await fetch(base + "me", bob)
    assert code == 200 and me["mode"] == "hub" and me["groups"] == ["my-org:ml-leads"]
    assert me["hub"] == {"name": "bob", "admin": False, "groups": ["my-org:ml-leads"]}
    assert me["github"]["login"] == "bob" and me["github"]["avatar_url"] == "https://github.com/bob.png"
    assert [(s["name"], s["role"], s["via"]) for s in me["shared_with_me"]] == [
        ("churn", "edit", "group:my-org:ml-leads")]
    assert (await fetch(base + "projects/churn", bob))[0] == 200
    code, err = await fetch(base + "runs", bob, "POST", {"project": "churn"})   # edit, but a read-only token
    assert code == 403 and "read-only" in err["error"]["message"]
    assert (await fetch(base + "projects/churn", carol))[0] == 404            # not in the team


async def test_hub_token_of_a_user_the_hub_no_longer_has(hub_service):  # type: ignore[no-untyped-def]
    app, base = hub_service
    gone = app.settings["mlhub_services"].registry.create_token("mallory")[0]
    code, err = await fetch(base + "me", gone)
    assert code == 401 and "no longer on the hub" in err["error"]["message"]
    code, err = await fetch(base + "me", "mlh_not-a-token")
    assert code == 401 and err["error"]["code"] == "unauthenticated"
