"""ML Hub on the team hub: one registry service, one identity, sharing with roles.

Needs the lead's server side: ``mlhub serve --hub`` (the hub service "mlhub", API under
``/services/mlhub/mlhub/api/v1`` with hub tokens) and the single-user server's forwarding
of ``/user/<name>/mlhub/api/v1/*`` to it (MLHUB_HUB_SERVICE_URL). The registry speaks the
REST contract of docs/api.md plus ``PUT/DELETE /projects/{name}/members/{user}``
``{"role"}`` and ``PATCH /projects/{name}`` ``{"visibility"}``.

Flow (alice owns): her kernel logs a run with the SDK; bob cannot see it; read -> he
sees it and cannot write; edit -> he can; revoke -> gone; public -> every user reads.
Then the access matrix: every operation of the service's OpenAPI document for owner,
read, edit, manage, stranger, anonymous and a bad token.
"""
from __future__ import annotations

import json
import re

import pytest
import requests

pytestmark = pytest.mark.timeout(240)

HUB_ENV = {
    "MLHUB_HUB_SERVICE": "on",
    "MLHUB_ALLOWED_USERS": "alice,bob,carol,dave,erin,frank",
}
API = "/services/mlhub/mlhub/api/v1"
PROJECT = "shared-e2e"
MATRIX_PROJECT = "matrix-e2e"


class Caller:
    """Someone calling the registry service through the hub's proxy with a hub token."""

    def __init__(self, hub, name: str, token: str | None) -> None:
        self.hub, self.name, self.token = hub, name, token

    def __call__(self, method: str, path: str, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        if self.token is not None:
            headers["Authorization"] = f"token {self.token}"
        return requests.request(
            method, f"{self.hub.base}{API}{path}", headers=headers, timeout=60, **kw
        )


@pytest.fixture(scope="module")
def alice(hub):
    user = hub.user("alice")
    user.sign_in()
    user.wait_ready()
    user.open_lab()
    return user


@pytest.fixture(scope="module")
def callers(hub, alice) -> dict[str, Caller]:
    """Hub tokens for everyone (signed in through GitHub OAuth, no servers started)."""
    out = {"alice": Caller(hub, "alice", alice.new_token("sharing e2e"))}
    for name in ("bob", "carol", "dave", "erin", "frank"):
        user = hub.user(name)
        user.sign_in(spawn=False)
        out[name] = Caller(hub, name, user.new_token("sharing e2e"))
    out["anonymous"] = Caller(hub, "anonymous", None)
    out["bad token"] = Caller(hub, "bad token", "0123456789abcdef-not-a-token")
    return out


@pytest.fixture(scope="module")
def logged_run(alice) -> str:
    """A run logged by the SDK in alice's kernel; its id."""
    kernel = alice.start_kernel()
    try:
        result = kernel.execute(
            "import mlhub_ext as mh\n"
            f"run = mh.init({PROJECT!r}, name='from-kernel', config={{'lr': 0.1}})\n"
            "for step, loss in enumerate([0.5, 0.25, 0.125]):\n"
            "    run.log({'loss': loss}, step=step)\n"
            "run.finish()\n"
            "print(run.id)\n",
            timeout=120,
        )
    finally:
        kernel.shutdown()
    assert result.status == "ok", result.error
    run_id = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"[0-9a-f]{32}", run_id), result.stdout
    return run_id


def test_the_service_knows_the_hub_user(callers):
    response = callers["alice"]("GET", "/")
    assert response.status_code == 200, response.text
    assert response.json()["mode"] == "hub" and response.json()["user"] == "alice"
    assert callers["bob"]("GET", "/").json()["user"] == "bob"


def test_the_lab_reaches_the_service_through_alices_server(hub, alice):
    response = alice.server_api("GET", "mlhub/api/v1/")
    assert response.status_code == 200, response.text
    assert response.json()["mode"] == "hub" and response.json()["user"] == "alice"


def test_alice_kernel_logs_a_run(callers, logged_run):
    run = callers["alice"]("GET", f"/runs/{logged_run}").json()
    assert run["owner"] == "alice" and run["project"] == PROJECT
    assert run["status"] == "finished"
    assert run["latest_metrics"]["loss"] == 0.125
    series = callers["alice"]("GET", f"/runs/{logged_run}/metrics/loss").json()
    assert series["steps"] == [0, 1, 2] and series["values"] == [0.5, 0.25, 0.125]


def test_sharing_read_edit_revoke_public(callers, logged_run):
    alice, bob, erin = callers["alice"], callers["bob"], callers["erin"]

    def bob_sees() -> int:
        return bob("GET", f"/runs/{logged_run}").status_code

    # private: bob cannot see it, nor learn that it exists
    assert bob_sees() == 404
    assert bob("GET", f"/projects/{PROJECT}").status_code == 404
    assert PROJECT not in [p["name"] for p in bob("GET", "/projects").json()["projects"]]
    assert bob("POST", "/runs", json={"project": PROJECT}).status_code == 404

    # read: he sees it, cannot write or share
    granted = alice("PUT", f"/projects/{PROJECT}/members/bob", json={"role": "read"})
    assert granted.status_code == 200, granted.text
    assert bob_sees() == 200
    assert bob("GET", f"/projects/{PROJECT}").json()["role"] == "read"
    assert bob("POST", "/runs", json={"project": PROJECT}).status_code == 403
    assert bob("PATCH", f"/runs/{logged_run}", json={"notes": "mine now"}).status_code == 403
    assert bob("PUT", f"/projects/{PROJECT}/members/carol", json={"role": "read"}).status_code == 403
    members = alice("GET", f"/projects/{PROJECT}/members").json()["members"]
    assert {"user": "bob", "role": "read"}.items() <= next(m for m in members if m["user"] == "bob").items()

    # edit: he writes runs, still cannot share
    assert alice("PUT", f"/projects/{PROJECT}/members/bob", json={"role": "edit"}).status_code == 200
    created = bob("POST", "/runs", json={"project": PROJECT, "name": "bob's"})
    assert created.status_code == 201, created.text
    assert created.json()["owner"] == "bob"
    assert bob("PATCH", f"/runs/{logged_run}", json={"notes": "checked"}).status_code == 200
    assert bob("PUT", f"/projects/{PROJECT}/members/carol", json={"role": "read"}).status_code == 403
    assert bob("PATCH", f"/projects/{PROJECT}", json={"visibility": "public"}).status_code == 403

    # revoke: gone again
    assert alice("DELETE", f"/projects/{PROJECT}/members/bob").status_code == 204
    assert bob_sees() == 404
    assert bob("GET", f"/runs/{created.json()['id']}").status_code == 404

    # public: every signed-in user reads, nobody but members writes
    public = alice("PATCH", f"/projects/{PROJECT}", json={"visibility": "public"})
    assert public.status_code == 200 and public.json()["visibility"] == "public"
    for reader in (bob, erin):
        assert reader("GET", f"/runs/{logged_run}").status_code == 200
        assert PROJECT in [p["name"] for p in reader("GET", "/projects").json()["projects"]]
        assert reader("POST", "/runs", json={"project": PROJECT}).status_code == 403
    assert callers["anonymous"]("GET", f"/runs/{logged_run}").status_code == 401
    assert alice("PATCH", f"/projects/{PROJECT}", json={"visibility": "private"}).status_code == 200
    assert erin("GET", f"/runs/{logged_run}").status_code == 404


# --- access matrix ---------------------------------------------------------------------
RANK = {"read": 1, "edit": 2, "manage": 3, "owner": 4}
ROLE_OF = {"alice": "owner", "bob": "read", "carol": "edit", "dave": "manage"}
CALLERS = ["alice", "bob", "carol", "dave", "erin", "anonymous", "bad token"]
PUBLIC_PATHS = {"/openapi.json", "/docs"}
# What each operation needs: "public", "user" (any signed-in user) or a project role.
NEEDS = {
    ("get", "/"): "user",
    ("get", "/projects"): "user",
    ("post", "/projects"): "user",
    ("get", "/projects/{name}"): "read",
    ("patch", "/projects/{name}"): "manage",
    ("get", "/projects/{name}/members"): "read",
    ("put", "/projects/{name}/members/{user}"): "manage",
    ("delete", "/projects/{name}/members/{user}"): "manage",
    ("get", "/runs"): "read",  # asked with ?project=<the matrix project>
    ("post", "/runs"): "edit",
    ("get", "/runs/{run_id}"): "read",
    ("patch", "/runs/{run_id}"): "edit",
    ("get", "/runs/{run_id}/params"): "read",
    ("post", "/runs/{run_id}/params"): "edit",
    ("get", "/runs/{run_id}/metrics"): "read",
    ("post", "/runs/{run_id}/metrics"): "edit",
    ("get", "/runs/{run_id}/metrics/{key}"): "read",
    ("get", "/runs/{run_id}/export"): "read",
    ("get", "/runs/{run_id}/artifacts"): "read",
    ("put", "/runs/{run_id}/artifacts/{name}"): "edit",
    ("get", "/runs/{run_id}/artifacts/{name}"): "read",
}


@pytest.fixture(scope="module")
def matrix_run(callers) -> str:
    """alice's private project with bob read, carol edit, dave manage, and a run in it."""
    alice = callers["alice"]
    created = alice("POST", "/projects", json={"name": MATRIX_PROJECT})
    assert created.status_code == 201, created.text
    for user, role in ROLE_OF.items():
        if role != "owner":
            response = alice("PUT", f"/projects/{MATRIX_PROJECT}/members/{user}", json={"role": role})
            assert response.status_code == 200, response.text
    run = alice("POST", "/runs", json={"project": MATRIX_PROJECT, "name": "matrix"})
    assert run.status_code == 201, run.text
    run_id = run.json()["id"]
    metrics = {"seq": 1, "metrics": {"loss": {"steps": [0], "values": [1.0], "timestamps": [1.7e9]}}}
    assert alice("POST", f"/runs/{run_id}/metrics", json=metrics).status_code == 200
    stored = alice("PUT", f"/runs/{run_id}/artifacts/notes.txt", data=b"matrix")
    assert stored.status_code == 201, stored.text
    return run_id


def request_for(method: str, path: str, caller: str, run_id: str, n: int) -> tuple[str, dict]:
    """A concrete request for the operation: its URL path and keyword arguments."""
    url = (path.replace("{name}", MATRIX_PROJECT, 1) if path.startswith("/projects/") else path)
    url = url.replace("{run_id}", run_id).replace("{key}", "loss").replace("{user}", "frank")
    if path == "/runs/{run_id}/artifacts/{name}":
        url = f"/runs/{run_id}/artifacts/notes.txt"
    slug = re.sub(r"[^a-z]", "", caller) or "x"
    bodies = {
        ("post", "/projects"): {"name": f"matrix-{slug}-{n}"},
        ("patch", "/projects/{name}"): {"visibility": "private"},
        ("put", "/projects/{name}/members/{user}"): {"role": "read"},
        ("post", "/runs"): {"project": MATRIX_PROJECT},
        ("patch", "/runs/{run_id}"): {"notes": f"by {caller}"},
        ("post", "/runs/{run_id}/params"): {"params": {"by": caller}},
        ("post", "/runs/{run_id}/metrics"): {
            "metrics": {"loss": {"steps": [n], "values": [0.5], "timestamps": [1.7e9 + n]}}},
    }
    kw: dict = {}
    if (method, path) in bodies:
        kw["json"] = bodies[(method, path)]
    if (method, path) == ("put", "/runs/{run_id}/artifacts/{name}"):
        kw["data"] = f"by {caller}".encode()
    if path == "/runs":
        kw["params"] = {"project": MATRIX_PROJECT}
    if path.endswith("/export"):
        kw["params"] = {"format": "csv"}
    return url, kw


def expected(need: str, caller: str) -> str:
    """'ok', 401, 403 or 404 for ``caller`` on an operation that needs ``need``."""
    if need == "public":
        return "ok"
    if caller in ("anonymous", "bad token"):
        return "401"
    if need == "user":
        return "ok"
    role = ROLE_OF.get(caller)
    if role is None:
        return "404"  # a stranger must not learn that the project exists
    return "ok" if RANK[role] >= RANK[need] else "403"


def test_access_matrix_covers_every_operation_of_the_openapi_document(callers, matrix_run):
    document = requests.get(f"{callers['alice'].hub.base}{API}/openapi.json", timeout=30)
    assert document.status_code == 200, document.text
    failures, checked = [], 0
    operations = [
        (method, path) for path, item in document.json()["paths"].items()
        for method in item if method in {"get", "post", "put", "patch", "delete"}
    ]
    unknown = [op for op in operations if op not in NEEDS and op[1] not in PUBLIC_PATHS
               and op[1] != "/stream"]
    assert not unknown, f"operations with no access rule in this test: {unknown}"
    for n, (method, path) in enumerate(operations):
        if path == "/stream":
            continue  # a WebSocket; its auth is checked in test_stream_refuses_bad_tokens
        need = "public" if path in PUBLIC_PATHS else NEEDS[(method, path)]
        for caller in CALLERS:
            if (method, path) == ("delete", "/projects/{name}/members/{user}"):
                # something to revoke every time
                callers["alice"]("PUT", f"/projects/{MATRIX_PROJECT}/members/frank", json={"role": "read"})
            url, kw = request_for(method, path, caller, matrix_run, n)
            response = callers[caller](method.upper(), url, **kw)
            got = "ok" if response.status_code < 300 else str(response.status_code)
            want = expected(need, caller)
            checked += 1
            if got != want:
                failures.append(f"{method.upper()} {path} as {caller}: {response.status_code} "
                                f"(want {want}) {response.text[:120]}")
            elif got != "ok" and caller not in ("anonymous", "bad token") or got == "401":
                body = response.json()
                if body.get("error", {}).get("code") not in {"unauthenticated", "forbidden", "not_found"}:
                    failures.append(f"{method.upper()} {path} as {caller}: error body {body}")
    assert checked >= len(NEEDS) * len(CALLERS)
    assert not failures, "\n".join(failures)


def test_stream_refuses_bad_tokens(hub, callers):
    import websocket

    url = "ws" + hub.base[len("http"):] + f"{API}/stream"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(url, header=["Authorization: token not-a-token"], timeout=30)
    assert refused.value.status_code in (401, 403)
    ws = websocket.create_connection(
        url, header=[f"Authorization: token {callers['bob'].token}"], timeout=30
    )
    try:
        ws.send(json.dumps({"subscribe": {"projects": [MATRIX_PROJECT]}}))
        reply = json.loads(ws.recv())
        assert reply["type"] in ("subscribed", "error")
    finally:
        ws.close()
