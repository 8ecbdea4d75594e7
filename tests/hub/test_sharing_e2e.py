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

import hashlib
import json
import re
import time
from typing import Callable

import pytest
import requests

pytestmark = pytest.mark.timeout(240)

HUB_ENV = {
    "MLHUB_HUB_SERVICE": "on",
    "MLHUB_ALLOWED_USERS": "alice,bob,carol,dave,erin,frank",
    # GitHub teams become hub groups: alice is in the fake GitHub's mlhub-trial/ml-leads.
    "MLHUB_GITHUB_TEAMS_AS_GROUPS": "1",
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


def test_sharing_with_a_github_team(callers):
    """bob shares with the hub group of a GitHub team: alice (in the team) gets the role,
    carol (not in it) gets nothing; the profile names the grant."""
    bob, alice, carol = callers["bob"], callers["alice"], callers["carol"]
    assert bob("POST", "/projects", json={"name": "team-e2e"}).status_code == 201
    granted = bob("PUT", "/projects/team-e2e/members/group:mlhub-trial:ml-leads", json={"role": "edit"})
    assert granted.status_code == 200, granted.text
    me = alice("GET", "/me").json()
    assert me["groups"] == ["mlhub-trial:ml-leads"] and me["github"]["login"] == "alice"
    assert [(s["name"], s["role"], s["via"]) for s in me["shared_with_me"]] == [
        ("team-e2e", "edit", "group:mlhub-trial:ml-leads")]
    assert alice("POST", "/runs", json={"project": "team-e2e"}).status_code == 201
    assert carol("GET", "/projects/team-e2e").status_code == 404
    assert bob("DELETE", "/projects/team-e2e/members/group:mlhub-trial:ml-leads").status_code == 204
    assert alice("GET", "/projects/team-e2e").status_code == 404


def test_mlhub_tokens_through_the_hub(hub, callers):
    """An ML Hub token made on the profile works through the hub's proxy as its user, with
    their groups; read-only refuses writes; revoked, it is refused."""
    alice = callers["alice"]
    made = alice("POST", "/me/tokens", json={"name": "e2e script", "scope": "read", "expires_in_days": 1})
    assert made.status_code == 201, made.text
    script = Caller(hub, "alice's script", made.json()["token"])
    me = script("GET", "/me")
    assert me.status_code == 200, me.text
    assert me.json()["name"] == "alice" and me.json()["groups"] == ["mlhub-trial:ml-leads"]
    assert me.json()["token"]["name"] == "e2e script"
    refused = script("POST", "/projects", json={"name": "by-script"})
    assert refused.status_code == 403 and "read-only" in refused.json()["error"]["message"]
    assert alice("DELETE", f"/me/tokens/{made.json()['id']}").status_code == 204
    assert script("GET", "/me").status_code == 401


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
MATRIX_DATASET = "matrix_ds"
# What each operation needs: "user" (any signed-in user), "uploader" (alice's upload:
# nobody else's business) or a role on alice's project / dataset.
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
    ("delete", "/runs/{run_id}"): "manage",  # a fresh run of alice's each time
    ("post", "/runs/{run_id}/stop"): "edit",  # once stopped, the run is no longer running: 409 counts as granted
    ("get", "/runs/{run_id}/links"): "read",
    ("get", "/projects/{name}/runs/groups"): "read",
    ("get", "/projects/{name}/insights"): "read",    # one run: a 422 (fewer than 2 runs) once granted
    ("post", "/projects/{name}/insights"): "read",   # reads only: even a read role may ask
    # Reads only; a run the caller may not read is listed in "missing" (as a 404 would say: not
    # found), so any signed-in user gets a 200.
    ("post", "/metrics/query"): "user",
    ("post", "/models"): "user",  # a model card imported under a new name of the caller's
    ("get", "/home"): "user",
    ("get", "/datasets"): "user",
    ("post", "/datasets"): "edit",  # a new version of alice's dataset from the caller's upload
    ("get", "/datasets/{name}"): "read",
    ("patch", "/datasets/{name}"): "manage",
    ("get", "/datasets/{name}/versions"): "read",
    ("get", "/datasets/{name}/versions/{version}"): "read",
    ("get", "/datasets/{name}/versions/{version}/preview"): "read",
    ("get", "/datasets/{name}/versions/{version}/stats"): "read",
    ("get", "/datasets/{name}/versions/{version}/files"): "read",
    ("get", "/datasets/{name}/versions/{version}/diff"): "read",
    ("get", "/datasets/{name}/versions/{version}/thumbnails"): "read",
    ("post", "/datasets/{name}/rollback"): "edit",
    ("get", "/datasets/{name}/members"): "read",
    ("put", "/datasets/{name}/members/{user}"): "manage",
    ("delete", "/datasets/{name}/members/{user}"): "manage",
    ("post", "/uploads"): "user",
    ("get", "/uploads/{upload_id}"): "uploader",
    ("put", "/uploads/{upload_id}/chunks/{offset}"): "uploader",
    ("post", "/uploads/{upload_id}/complete"): "uploader",
    ("get", "/models"): "user",
    ("get", "/models/{name}"): "read",
    ("patch", "/models/{name}"): "manage",  # asked with a visibility change (a rename needs manage too)
    ("delete", "/models/{name}"): "manage",  # a fresh model of alice's each time
    ("get", "/models/{name}/members"): "read",
    ("put", "/models/{name}/members/{user}"): "manage",
    ("delete", "/models/{name}/members/{user}"): "manage",
    ("get", "/models/{name}/versions"): "read",
    ("get", "/models/{name}/versions/{version}"): "read",
    ("patch", "/models/{name}/versions/{version}"): "edit",
    ("delete", "/models/{name}/versions/{version}"): "manage",  # version 1 of a fresh model of alice's each time
    ("get", "/models/{name}/versions/{version}/evaluation"): "read",
    ("post", "/models/{name}/versions/{version}/evaluations"): "edit",  # refused as invalid: nothing queued
    ("get", "/models/{name}/versions/{version}/artifact"): "read",
    ("get", "/models/{name}/versions/{version}/inferences"): "read",
    ("get", "/models/{name}/versions/{version}/report"): "read",
    ("get", "/models/{name}/aliases"): "read",
    ("put", "/models/{name}/aliases/{stage}"): "edit",
    ("delete", "/models/{name}/aliases/{stage}"): "edit",
    ("post", "/models/{name}/predictions"): "read",  # asked with store=false
    ("get", "/jobs"): "user",
    ("post", "/jobs"): "edit",  # a new version of alice's model; refused as invalid: nothing queued
    ("get", "/jobs/{job_id}"): "read",
    ("post", "/jobs/{job_id}/abort"): "edit",  # the job has finished: 409 once access is granted
    ("post", "/sweeps"): "edit",
    ("get", "/me"): "user",
    ("get", "/me/tokens"): "user",
    ("post", "/me/tokens"): "user",
    ("delete", "/me/tokens/{token_id}"): "uploader",  # alice's token: nobody else's business
}
MATRIX_MODEL = "matrix_model"
MATRIX_TRAIN = "matrix_train"
MATRIX_CARD = "---\nlicense: mit\n---\n# Matrix card\n\nA model to delete in the access matrix.\n"
TRAIN_CSV = b"a,b,label\n" + b"".join(
    b"%d,%d,%s\n" % (i, (i * 7) % 11, b"yes" if i % 2 else b"no") for i in range(40))
CSV = b"x,y\n1,2\n3,4\n"


def upload(caller: Caller, data: bytes = CSV, complete: bool = True) -> str:
    """An upload of ``data`` by ``caller`` (completed unless told otherwise); its id."""
    started = caller("POST", "/uploads", json={"filename": "matrix.csv", "size": len(data)})
    assert started.status_code in (200, 201), started.text
    upload_id = started.json()["id"]
    if complete:
        sent = caller("PUT", f"/uploads/{upload_id}/chunks/0", data=data,
                      headers={"X-Chunk-SHA256": hashlib.sha256(data).hexdigest()})
        assert sent.status_code < 300, sent.text
        done = caller("POST", f"/uploads/{upload_id}/complete",
                      json={"sha256": hashlib.sha256(data).hexdigest()})
        assert done.status_code < 300, done.text
    return upload_id


@pytest.fixture(scope="module")
def matrix(callers) -> dict[str, str]:
    """alice's private project (with a run) and dataset (two versions), bob read, carol
    edit, dave manage on both; and an open upload of alice's."""
    alice = callers["alice"]
    created = alice("POST", "/projects", json={"name": MATRIX_PROJECT})
    assert created.status_code == 201, created.text
    run = alice("POST", "/runs", json={"project": MATRIX_PROJECT, "name": "matrix"})
    assert run.status_code == 201, run.text
    run_id = run.json()["id"]
    metrics = {"seq": 1, "metrics": {"loss": {"steps": [0], "values": [1.0], "timestamps": [1.7e9]}}}
    assert alice("POST", f"/runs/{run_id}/metrics", json=metrics).status_code == 200
    stored = alice("PUT", f"/runs/{run_id}/artifacts/notes.txt", data=b"matrix")
    assert stored.status_code == 201, stored.text
    for data, extra in ((CSV, {}), (CSV + b"5,6\n", {"new_version": True})):
        registered = alice("POST", "/datasets", json={"upload_id": upload(alice, data),
                                                      "name": MATRIX_DATASET, **extra})
        assert registered.status_code == 201, registered.text
    registered = alice("POST", "/datasets", json={"upload_id": upload(alice, TRAIN_CSV), "name": MATRIX_TRAIN})
    assert registered.status_code == 201, registered.text
    job = alice("POST", "/jobs", json={"dataset": MATRIX_TRAIN, "target": "label", "name": MATRIX_MODEL,
                                       "estimator": "sklearn.tree.DecisionTreeClassifier"})
    assert job.status_code == 202, job.text
    job_id = job.json()["id"]
    deadline = time.monotonic() + 180
    while alice("GET", f"/jobs/{job_id}").json()["state"] not in ("finished", "failed", "aborted"):
        assert time.monotonic() < deadline, "the matrix model did not train in 180 s"
        time.sleep(1)
    assert alice("GET", f"/jobs/{job_id}").json()["state"] == "finished", alice("GET", f"/jobs/{job_id}").text
    # it ran on alice's own dask-gateway cluster, opened with her token: bob has none
    gateway = f"{callers['alice'].hub.base}/services/dask-gateway/api/v1/clusters/"
    mine = requests.get(gateway, headers={"Authorization": f"jupyterhub {callers['alice'].token}"}, timeout=30)
    assert mine.status_code == 200 and len(mine.json()) >= 1, mine.text
    theirs = requests.get(gateway, headers={"Authorization": f"jupyterhub {callers['bob'].token}"}, timeout=30)
    assert theirs.status_code == 200 and theirs.json() == {}, theirs.text
    for user, role in ROLE_OF.items():
        if role != "owner":
            for kind, name in (("projects", MATRIX_PROJECT), ("datasets", MATRIX_DATASET),
                               ("datasets", MATRIX_TRAIN), ("models", MATRIX_MODEL)):
                shared = alice("PUT", f"/{kind}/{name}/members/{user}", json={"role": role})
                assert shared.status_code == 200, shared.text
    return {"run_id": run_id, "upload_id": upload(alice, complete=False), "job_id": job_id}


def request_for(method: str, path: str, caller: Callable, ids: dict[str, str], n: int) -> tuple[str, dict]:
    """A concrete request for the operation: its URL path and keyword arguments."""
    family = path.split("/")[1]
    url = path.replace("{name}", {"projects": MATRIX_PROJECT, "datasets": MATRIX_DATASET,
                                  "models": ids.get("model", MATRIX_MODEL)}.get(family, "{name}"), 1)
    url = (url.replace("{run_id}", ids["run_id"]).replace("{key}", "loss").replace("{user}", "frank")
           .replace("{version}", "1").replace("{upload_id}", ids["upload_id"]).replace("{offset}", "0")
           .replace("{job_id}", ids["job_id"]).replace("{stage}", "staging")
           .replace("{token_id}", ids.get("token_id", "0"))
           .replace("/artifacts/{name}", "/artifacts/notes.txt"))
    name = caller.name
    slug = re.sub(r"[^a-z]", "", name) or "x"
    signed_in = caller.token is not None and name != "bad token"
    bodies = {
        ("post", "/projects"): {"name": f"matrix-{slug}-{n}"},
        ("patch", "/projects/{name}"): {"visibility": "private"},
        ("put", "/projects/{name}/members/{user}"): {"role": "read"},
        ("post", "/runs"): {"project": MATRIX_PROJECT},
        ("patch", "/runs/{run_id}"): {"notes": f"by {name}"},
        ("post", "/runs/{run_id}/params"): {"params": {"by": name}},
        ("post", "/runs/{run_id}/metrics"): {
            "metrics": {"loss": {"steps": [n], "values": [0.5], "timestamps": [1.7e9 + n]}}},
        ("post", "/datasets"): {"upload_id": upload(caller) if signed_in else "0" * 32,
                                "name": MATRIX_DATASET, "new_version": True},
        ("patch", "/datasets/{name}"): {"visibility": "private"},
        ("post", "/datasets/{name}/rollback"): {"version": 1, "message": f"by {name}"},
        ("put", "/datasets/{name}/members/{user}"): {"role": "read"},
        ("post", "/uploads"): {"filename": "m.csv", "size": len(CSV)},
        ("post", "/uploads/{upload_id}/complete"): {"sha256": hashlib.sha256(CSV).hexdigest()},
        ("patch", "/models/{name}"): {"visibility": "private"},
        ("put", "/models/{name}/members/{user}"): {"role": "read"},
        ("patch", "/models/{name}/versions/{version}"): {"description": f"by {name}"},
        ("post", "/models/{name}/versions/{version}/evaluations"): {"dataset": MATRIX_TRAIN, "target": "nope"},
        ("put", "/models/{name}/aliases/{stage}"): {"version": 1},
        ("post", "/models/{name}/predictions"): {"version": 1, "inputs": [[1, 2]], "store": False},
        ("post", "/jobs"): {"dataset": MATRIX_TRAIN, "target": "label", "name": MATRIX_MODEL,
                            "estimator": "sklearn.tree.DecisionTreeClassifier", "params": {"no_such": 1}},
        ("post", "/me/tokens"): {"name": f"matrix-{slug}-{n}", "expires_in_days": 1, "scope": "read"},
        ("post", "/models"): {"card": "---\nlicense: mit\n---\n# Matrix card\n\nA card for the access matrix.\n",
                              "name": f"card_{slug}_{n}"},
        ("post", "/projects/{name}/insights"): {"metric": "loss"},
        ("post", "/metrics/query"): {"runs": [ids["run_id"]], "keys": ["loss"]},
        ("post", "/sweeps"): {"dataset": MATRIX_TRAIN, "target": "label", "name": MATRIX_MODEL,
                              "estimator": "sklearn.tree.DecisionTreeClassifier", "params": {"no_such": 1},
                              "space": {"max_depth": [1, 2]}, "metric": "accuracy"},
    }
    params = {
        "/runs": {"project": MATRIX_PROJECT},
        "/runs/{run_id}/export": {"format": "csv"},
        "/projects/{name}/runs/groups": {"by": "tags", "metric": "loss"},
        "/projects/{name}/insights": {"metric": "loss"},
        "/datasets/{name}/versions/{version}/diff": {"other": "2"},
    }
    kw: dict = {}
    if (method, path) in bodies:
        kw["json"] = bodies[(method, path)]
    if method == "put" and path in ("/runs/{run_id}/artifacts/{name}", "/uploads/{upload_id}/chunks/{offset}"):
        kw["data"] = CSV
        kw["headers"] = {"X-Chunk-SHA256": hashlib.sha256(CSV).hexdigest()}
    if path in params:
        kw["params"] = params[path]
    return url, kw


def expected(need: str, caller: str) -> str:
    """'ok', 401, 403 or 404 for ``caller`` on an operation that needs ``need``."""
    if need == "public":
        return "ok"
    if caller in ("anonymous", "bad token"):
        return "401"
    if need == "user":
        return "ok"
    if need == "uploader":
        return "ok" if caller == "alice" else "404"
    role = ROLE_OF.get(caller)
    if role is None:
        return "404"  # a stranger must not learn that the resource exists
    return "ok" if RANK[role] >= RANK[need] else "403"


def outcome(status: int) -> str:
    """'ok' when access was granted: 2xx, or a refusal of the content (400/409/422, e.g.
    thumbnails of a table, completing an upload with bytes missing); else the status."""
    return "ok" if status < 300 or status in (400, 409, 422) else str(status)


def test_access_matrix_covers_every_operation_of_the_openapi_document(callers, matrix):
    document = requests.get(f"{callers['alice'].hub.base}{API}/openapi.json", timeout=30)
    assert document.status_code == 200, document.text
    operations = [
        (method, path) for path, item in document.json()["paths"].items()
        for method in item if method in {"get", "post", "put", "patch", "delete"}
    ]
    unknown = [op for op in operations if op not in NEEDS and op[1] not in PUBLIC_PATHS
               and op[1] != "/stream"]
    assert not unknown, f"operations with no access rule in this test: {unknown}"
    failures, checked = [], 0
    for n, (method, path) in enumerate(operations):
        if path == "/stream":
            continue  # a WebSocket; its auth is checked in test_stream_refuses_bad_tokens
        need = "public" if path in PUBLIC_PATHS else NEEDS[(method, path)]
        for caller in CALLERS:
            if method == "delete" and path.endswith("/members/{user}"):
                family = path.split("/")[1]
                target = {"projects": MATRIX_PROJECT, "datasets": MATRIX_DATASET, "models": MATRIX_MODEL}[family]
                # something to revoke every time
                callers["alice"]("PUT", f"/{family}/{target}/members/frank", json={"role": "read"})
            if method == "delete" and path == "/me/tokens/{token_id}":
                made = callers["alice"]("POST", "/me/tokens", json={"name": "matrix revoke"})
                assert made.status_code == 201, made.text
                matrix["token_id"] = str(made.json()["id"])   # something of alice's to revoke every time
            ids = matrix
            if method == "delete" and path == "/runs/{run_id}":
                fresh = callers["alice"]("POST", "/runs", json={"project": MATRIX_PROJECT, "name": "to delete"})
                assert fresh.status_code == 201, fresh.text
                ids = {**matrix, "run_id": fresh.json()["id"]}  # something of alice's to delete every time
            if method == "delete" and path in ("/models/{name}", "/models/{name}/versions/{version}"):
                doomed = f"matrix_doomed_{n}_{re.sub(r'[^a-z]', '', caller) or 'x'}"
                made = callers["alice"]("POST", "/models", json={"card": MATRIX_CARD, "name": doomed})
                assert made.status_code == 201, made.text
                for user, role in ROLE_OF.items():
                    if role != "owner":
                        shared = callers["alice"]("PUT", f"/models/{doomed}/members/{user}", json={"role": role})
                        assert shared.status_code == 200, shared.text
                ids = {**matrix, "model": doomed}  # something of alice's to delete every time
            if method == "delete" and path.endswith("/aliases/{stage}"):
                callers["alice"]("PUT", f"/models/{MATRIX_MODEL}/aliases/staging", json={"version": 1})
            url, kw = request_for(method, path, callers[caller], ids, n)
            response = callers[caller](method.upper(), url, **kw)
            got, want = outcome(response.status_code), expected(need, caller)
            checked += 1
            if got != want:
                failures.append(f"{method.upper()} {path} as {caller}: {response.status_code} "
                                f"(want {want}) {response.text[:160]}")
            elif got in ("401", "403", "404"):
                code = response.json().get("error", {}).get("code")
                if code not in {"unauthenticated", "forbidden", "not_found"}:
                    failures.append(f"{method.upper()} {path} as {caller}: error body {response.text[:160]}")
    assert checked >= len(operations) * len(CALLERS) - len(CALLERS)
    assert not failures, f"{len(failures)} of {checked} wrong:\n" + "\n".join(failures)


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
