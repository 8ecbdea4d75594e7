"""GET /me and the API tokens at /me/tokens: in a real Jupyter server (local mode) and in a
real `mlhub serve` (standalone)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import create_engine, select

from tests.server.test_api import call


async def test_me_lists_what_i_own_with_sizes(jp_fetch):
    code, _ = await call(jp_fetch, "POST", "projects", body={"name": "churn"})
    code, run = await call(jp_fetch, "POST", "runs", body={"project": "churn"})
    resp = await jp_fetch("mlhub", "api", "v1", "runs", run["id"], "artifacts", "weights.bin",
                          method="PUT", body=b"x" * 1234)
    assert resp.code == 201
    code, me = await call(jp_fetch, "GET", "me")
    assert code == 200 and me["name"] == "alice" and me["mode"] == "local"
    assert me["hub"] is None and me["github"] is None and me["token"] is None
    [p] = me["projects"]
    assert (p["kind"], p["name"], p["count"], p["size"], p["role"]) == ("project", "churn", 1, 1234, "owner")
    assert me["datasets"] == [] and me["models"] == [] and me["shared_with_me"] == []
    assert me["storage"] == {"projects": 1234, "datasets": 0, "models": 0, "total": 1234}


async def test_token_shown_once_hashed_listed_and_revoked(jp_fetch, tmp_path):
    code, made = await call(jp_fetch, "POST", "me", "tokens",
                            body={"name": "ci job", "expires_in_days": 30, "scope": "read"})
    assert code == 201 and made["token"].startswith("mlh_") and made["name"] == "ci job"
    assert made["scope"] == "read" and made["token"].startswith(made["prefix"])
    expires = datetime.fromisoformat(made["expires_at"].replace("Z", "+00:00"))
    assert timedelta(days=29.9) < expires - datetime.now(timezone.utc) <= timedelta(days=30)
    code, listed = await call(jp_fetch, "GET", "me", "tokens")
    assert [t["name"] for t in listed["tokens"]] == ["ci job"]
    assert "token" not in listed["tokens"][0] and made["token"] not in json.dumps(listed)
    # At rest: neither the value nor any long piece of it is in the database file.
    raw = (tmp_path / "lab-mlhub.db").read_bytes()
    assert made["token"].encode() not in raw and made["token"][4:20].encode() not in raw

    auth = {"Authorization": f"token {made['token']}"}
    code, me = await call(jp_fetch, "GET", "me", headers=auth)
    assert code == 200 and me["name"] == "alice" and me["token"]["id"] == made["id"]
    code, listed = await call(jp_fetch, "GET", "me", "tokens")
    assert listed["tokens"][0]["last_used_at"] is not None

    code, _ = await call(jp_fetch, "DELETE", "me", "tokens", str(made["id"]))
    assert code == 204
    code, err = await call(jp_fetch, "GET", "projects", headers=auth)
    assert code == 401 and err["error"]["code"] == "unauthenticated"
    code, listed = await call(jp_fetch, "GET", "me", "tokens")
    assert listed["tokens"] == []
    code, err = await call(jp_fetch, "DELETE", "me", "tokens", str(made["id"]))
    assert code == 404 and err["error"]["code"] == "not_found"


async def test_read_only_token_reads_but_cannot_write(jp_fetch):
    await call(jp_fetch, "POST", "projects", body={"name": "p"})
    code, made = await call(jp_fetch, "POST", "me", "tokens", body={"name": "dashboard", "scope": "read"})
    auth = {"Authorization": f"token {made['token']}"}
    code, body = await call(jp_fetch, "GET", "projects", headers=auth)
    assert code == 200 and [p["name"] for p in body["projects"]] == ["p"]
    code, err = await call(jp_fetch, "POST", "projects", body={"name": "q"}, headers=auth)
    assert code == 403 and err["error"]["code"] == "forbidden" and "read-only" in err["error"]["message"]
    # ... and cannot mint itself a read-write token.
    code, err = await call(jp_fetch, "POST", "me", "tokens", body={"name": "escalate"}, headers=auth)
    assert code == 403
    code, body = await call(jp_fetch, "GET", "projects")
    assert [p["name"] for p in body["projects"]] == ["p"]
    # A read-write token writes.
    code, rw = await call(jp_fetch, "POST", "me", "tokens", body={"name": "writer"})
    code, _ = await call(jp_fetch, "POST", "projects", body={"name": "q"},
                         headers={"Authorization": f"token {rw['token']}"})
    assert code == 201


async def test_expired_token_is_refused(jp_fetch, monkeypatch):
    from mlhub_ext.core import service as service_module

    code, made = await call(jp_fetch, "POST", "me", "tokens", body={"name": "short", "expires_in_days": 1})
    auth = {"Authorization": f"token {made['token']}"}
    assert (await call(jp_fetch, "GET", "me", headers=auth))[0] == 200   # now in the token cache
    # a day and a second later: the cached record's expiry is checked on every request
    later = datetime.now(timezone.utc) + timedelta(days=1, seconds=1)
    monkeypatch.setattr(service_module, "now", lambda: later)
    code, err = await call(jp_fetch, "GET", "me", headers=auth)
    assert code == 401 and "expired" in err["error"]["message"]


async def test_bad_token_requests_name_the_field(jp_fetch):
    for body, word in [({}, "name"), ({"name": ""}, "name"), ({"name": "x", "scope": "admin"}, "scope"),
                       ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
                       ({"name": "x", "expires_in_days": 99999}, "expires_in_days"),
                       ({"name": "x", "expires_in_days": "30"}, "expires_in_days"),
                       ({"name": "x" * 101}, "100"), ({"name": "x", "user": "bob"}, "user")]:
        code, err = await call(jp_fetch, "POST", "me", "tokens", body=body)
        assert code == 422 and word in err["error"]["message"], (body, err)
    code, listed = await call(jp_fetch, "GET", "me", "tokens")
    assert listed["tokens"] == []
    for bad in ("abc", "0", "99999999999999999999999", "١"):
        code, err = await call(jp_fetch, "DELETE", "me", "tokens", bad)
        assert code == 404 and err["error"]["code"] == "not_found"


def test_standalone_tokens(mlhub_server):
    made = mlhub_server.api("POST", "me/tokens", json={"name": "reader", "scope": "read"})
    assert made.status_code == 201
    tok = made.json()["token"]
    assert mlhub_server.api("GET", "me", token=tok).json()["mode"] == "standalone"
    assert mlhub_server.api("GET", "projects", token=tok).status_code == 200
    r = mlhub_server.api("POST", "runs", token=tok, json={"project": "x"})
    assert r.status_code == 403 and "read-only" in r.json()["error"]["message"]
    # bob cannot revoke alice's token
    bob = mlhub_server.create_token("bob")
    assert mlhub_server.api("DELETE", f"me/tokens/{made.json()['id']}", token=bob).status_code == 404
    assert mlhub_server.api("GET", "projects", token=tok).status_code == 200
    assert mlhub_server.api("DELETE", f"me/tokens/{made.json()['id']}").status_code == 204
    assert mlhub_server.api("GET", "projects", token=tok).status_code == 401
    # the database holds hashes only
    engine = create_engine(f"sqlite:///{mlhub_server.data_dir / 'mlhub.db'}")
    with engine.connect() as c:
        from mlhub_ext.store.orm import TokenRow
        rows = c.execute(select(TokenRow.__table__)).all()
    engine.dispose()
    assert rows and all(tok not in json.dumps([str(v) for v in r]) for r in rows)
