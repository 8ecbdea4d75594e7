"""End to end on a real hub: GitHub OAuth sign-in, spawn, kernels, roles, sharing, Dask.

Real JupyterHub, configurable-http-proxy, PostgreSQL, dask-gateway and our fake GitHub,
all on 127.0.0.1 (see conftest.py). Tests run in file order and share the hub: alice's
server started by the first is used by the later ones.
"""
from __future__ import annotations

from urllib.parse import urlparse

import pytest
import requests

pytestmark = pytest.mark.timeout(180)

# The hub's own machinery only; the registry service is covered by test_sharing_e2e.py.
HUB_ENV = {"MLHUB_HUB_SERVICE": "off", "MLHUB_GITHUB_TEAMS_AS_GROUPS": "1"}


@pytest.fixture(scope="module")
def alice(hub):
    user = hub.user("alice")
    user.sign_in()
    user.wait_ready()
    user.open_lab()
    return user


@pytest.fixture(scope="module")
def bob(hub):
    user = hub.user("bob")
    user.sign_in()
    return user


@pytest.fixture(scope="module")
def alice_kernel(alice):
    kernel = alice.start_kernel()
    yield kernel
    kernel.shutdown()


def test_sign_in_goes_through_the_github_oauth_chain(hub):
    carol = hub.user("carol")
    carol.sign_in(spawn=False)
    paths = [(urlparse(h.url).netloc, urlparse(h.url).path) for h in carol.hops]
    assert paths[:4] == [
        ("127.0.0.1:18000", "/hub/oauth_login"),
        ("127.0.0.1:19000", "/login/oauth/authorize"),
        ("127.0.0.1:18000", "/hub/oauth_callback"),
        ("127.0.0.1:18000", "/hub/"),
    ]
    assert paths[-1] == ("127.0.0.1:18000", "/hub/spawn")
    model = carol.model()
    assert model["name"] == "carol" and model["servers"] == {}


def test_github_teams_become_hub_groups(hub, alice, bob):
    # the fake GitHub puts alice (only) in the team mlhub-trial/ml-leads
    assert hub.admin_api("GET", "/users/alice").json()["groups"] == ["mlhub-trial:ml-leads"]
    assert hub.admin_api("GET", "/users/bob").json()["groups"] == []


def test_alice_signs_in_and_her_server_is_ready(alice):
    server = alice.model()["servers"][""]
    assert server["ready"] and server["url"] == "/user/alice/"
    status = alice.server_api("GET", "api/status")
    assert status.status_code == 200, status.text


def test_user_not_allowed_gets_403_at_the_callback(hub):
    mallory = hub.user("mallory")
    response = mallory.sign_in()
    assert response.status_code == 403
    assert urlparse(mallory.hops[-1].url).path == "/hub/oauth_callback"
    assert hub.admin_api("GET", "/users/mallory").status_code == 404
    assert mallory.hub_api("GET", "/user").status_code == 403


def test_a_server_answers_only_its_owner(hub, alice, bob):
    anonymous = hub.user("nobody")
    assert anonymous.session.get(f"{hub.base}/user/alice/api/status", allow_redirects=False).status_code == 403
    # bob is signed in to the hub, but alice's server's OAuth refuses him
    response = bob.follow("/user/alice/lab")
    assert response.status_code == 403
    assert bob.visited("/hub/api/oauth2/authorize")


def test_alice_kernel_runs_code_with_the_hub_environment(alice_kernel):
    result = alice_kernel.execute(
        "import os\n"
        "print(sum(range(10)))\n"
        "print(os.environ['JUPYTERHUB_USER'])\n"
        "print(os.environ['MLHUB_HUB_SERVICE_URL'])\n"
    )
    assert result.status == "ok", result.error
    total, user, service_url = result.stdout.split()
    assert (total, user) == ("45", "alice")
    assert service_url == "http://127.0.0.1:20202/services/mlhub/"


def test_scopes_are_minimal(hub, alice, alice_kernel):
    user_scopes = set(alice.model()["scopes"])  # the browser session: the user role
    assert "access:services!service=dask-gateway" in user_scopes
    assert "shares!user=alice" in user_scopes
    assert not {"admin:users", "admin:servers", "access:services"} & user_scopes
    # the server's token, as kernels see it
    result = alice_kernel.execute(
        "import json, os, urllib.request\n"
        "req = urllib.request.Request(os.environ['JUPYTERHUB_API_URL'] + '/user',\n"
        "    headers={'Authorization': 'token ' + os.environ['JUPYTERHUB_API_TOKEN']})\n"
        "print(json.dumps(json.load(urllib.request.urlopen(req))['scopes']))\n"
    )
    assert result.status == "ok", result.error
    token_scopes = set(__import__("json").loads(result.stdout))
    assert "access:services!service=dask-gateway" in token_scopes
    assert "access:servers!server=alice/" in token_scopes
    assert not any(s.startswith(("shares", "admin", "servers", "tokens")) for s in token_scopes)


def test_sharing_alice_server_with_bob(hub, alice, bob):
    granted = alice.hub_api("POST", "/shares/alice/", json={"user": "bob"})
    assert granted.status_code == 200, granted.text
    assert "access:servers!server=alice/" in granted.json()["scopes"]
    opened = bob.follow("/user/alice/lab")
    assert opened.status_code == 200
    # bob may use the server, not share it further
    assert bob.hub_api("POST", "/shares/alice/", json={"user": "carol"}).status_code in (403, 404)
    revoked = alice.hub_api("PATCH", "/shares/alice/", json={"user": "bob"})
    assert revoked.status_code == 200, revoked.text
    assert alice.hub_api("GET", "/shares/alice/").json()["items"] == []


def test_dask_gateway_gives_alice_her_own_cluster(hub, alice, bob, alice_kernel):
    created = alice_kernel.execute(
        "from dask_gateway import Gateway\n"
        "import dask.array as da\n"
        "gateway = Gateway()\n"
        "cluster = gateway.new_cluster()\n"
        "cluster.scale(1)\n"
        "client = cluster.get_client()\n"
        "client.wait_for_workers(1, timeout=90)\n"
        "print(cluster.name)\n"
        "print(da.ones((1000, 1000), chunks=500).sum().compute())\n",
        timeout=150,
    )
    assert created.status == "ok", created.error
    name, total = created.stdout.split()
    assert float(total) == 1_000_000.0
    try:
        assert list(gateway_clusters(hub, alice.new_token("dask test"))) == [name]
        assert gateway_clusters(hub, bob.new_token("dask test")) == {}
        assert gateway_clusters(hub, "not-a-token", expect=None) is None
    finally:
        done = alice_kernel.execute("client.close(); cluster.shutdown(); print('down')", timeout=60)
    assert done.stdout.strip() == "down", done.error


def gateway_clusters(hub, token: str, expect: int | None = 200) -> dict | None:
    """The caller's running clusters, from dask-gateway's REST API (as its client asks).

    ``expect=None``: the request must be refused (dask-gateway answers a token the hub
    rejects with 500, not 401, so any error status counts).
    """
    response = requests.get(
        f"{hub.base}/services/dask-gateway/api/v1/clusters/",
        headers={"Authorization": f"jupyterhub {token}"}, timeout=30,
    )
    if expect is None:
        assert response.status_code >= 400, response.text
        return None
    assert response.status_code == expect, response.text
    return response.json()
