"""`mlhub serve` with token auth, as a real subprocess."""
from __future__ import annotations

import subprocess
import sys
import time



def test_token_auth(mlhub_server):
    assert mlhub_server.api("GET", "").json()["user"] == "alice"
    r = mlhub_server.api("GET", "projects", token="")
    assert r.status_code == 401 and "mlhub token create" in r.json()["error"]["message"]
    r = mlhub_server.api("GET", "projects", token="mlh_wrong")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthenticated"
    assert mlhub_server.api("GET", "openapi.json", token="").status_code == 200


def test_users_are_separated(mlhub_server):
    bob = mlhub_server.create_token("bob")
    run = mlhub_server.api("POST", "runs", json={"project": "secret"}).json()
    assert mlhub_server.api("GET", f"runs/{run['id']}", token=bob).status_code == 404
    assert mlhub_server.api("GET", "projects", token=bob).json()["total"] == 0
    assert mlhub_server.api("PUT", "projects/secret/members/bob", json={"role": "read"}).status_code == 200
    assert mlhub_server.api("GET", f"runs/{run['id']}", token=bob).status_code == 200
    r = mlhub_server.api("PATCH", f"runs/{run['id']}", token=bob, json={"name": "mine"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_revoked_token_stops_working(tmp_path):
    """Revoked by `mlhub token revoke` in another process on SQLite (no replica to tell): the
    server's token cache lets it work for at most its TTL (MLHUB_TOKEN_CACHE_TTL, here 1 s)."""
    from tests.conftest import MLHubServer

    server = MLHubServer(tmp_path / "d", extra_env={"MLHUB_TOKEN_CACHE_TTL": "1"})
    server.data_dir.mkdir()
    server.start()
    try:
        tok = server.create_token("carol")
        assert server.api("GET", "", token=tok).status_code == 200
        listed = subprocess.run([sys.executable, "-m", "mlhub_ext.cli", "token", "list", "--user", "carol"],
                                env=server.env, capture_output=True, text=True, check=True).stdout
        assert tok not in listed  # only the prefix is ever shown
        token_id = __import__("json").loads(listed.splitlines()[0])["id"]
        subprocess.run([sys.executable, "-m", "mlhub_ext.cli", "token", "revoke", str(token_id)],
                       env=server.env, check=True, capture_output=True)
        deadline = time.monotonic() + 1.0 + 2
        while server.api("GET", "", token=tok).status_code != 401:
            assert time.monotonic() < deadline, "a revoked token still works after the token cache's TTL"
            time.sleep(0.1)
    finally:
        server.stop()


def test_token_not_in_logs(mlhub_server):
    mlhub_server.api("GET", f"projects?token={mlhub_server.token}")
    mlhub_server.stop()
    log = (mlhub_server.data_dir / "serve.log").read_text()
    assert "GET /mlhub/api/v1/projects" in log   # the request's line is there (--log-level debug)...
    assert mlhub_server.token not in log         # ...without its query string


def test_successes_are_logged_at_debug_level(tmp_path):
    """As in jupyter_server: at the default level (INFO) a 2xx leaves no line, a 4xx a warning."""
    from tests.conftest import MLHubServer

    server = MLHubServer(tmp_path / "d", log_level="info")
    server.data_dir.mkdir()
    server.start()
    try:
        assert server.api("GET", "projects").status_code == 200
        assert server.api("GET", "runs/nope").status_code == 404
    finally:
        server.stop()
    log = (server.data_dir / "serve.log").read_text()
    assert "WARNING] 404 GET /mlhub/api/v1/runs/nope" in log
    assert "GET /mlhub/api/v1/projects" not in log


def test_writes_are_rate_limited_per_user(tmp_path, monkeypatch):
    from tests.conftest import MLHubServer

    server = MLHubServer(tmp_path / "d")
    server.data_dir.mkdir()
    monkeypatch.setenv("MLHUB_RATE_LIMIT", "1")
    monkeypatch.setenv("MLHUB_RATE_BURST", "3")
    server.start()
    try:
        codes = [server.api("POST", "projects", json={"name": f"p{i}"}).status_code for i in range(5)]
        assert codes[:3] == [201, 201, 201] and codes[3] == 429
        r = server.api("POST", "projects", json={"name": "late"})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
        assert r.json()["error"]["code"] == "rate_limited"
        assert server.api("GET", "projects").status_code == 200  # reads are not limited
        bob = server.create_token("bob")
        assert server.api("POST", "projects", token=bob, json={"name": "bobs"}).status_code == 201  # per user
    finally:
        server.stop()
