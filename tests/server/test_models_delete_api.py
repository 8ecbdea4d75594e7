"""DELETE /models/{name}, PATCH /models/{name} {"name"} and DELETE /models/{name}/versions/{n}
over REST (real Jupyter server, jp_fetch): manage role, 403 for a reader, 404 for a stranger."""
from __future__ import annotations

import json
from typing import Any

from tornado.httpclient import HTTPClientError

from mlhub_ext.core.model_service import ModelService
from mlhub_ext.data.cards import parse_card
from tests import model_cards as cards


async def call(jp_fetch, method: str, *path: str, body: Any = None) -> tuple[int, Any]:  # type: ignore[no-untyped-def]
    data = json.dumps(body) if body is not None else None
    try:
        resp = await jp_fetch("mlhub", "api", "v1", *path, method=method, body=data, allow_nonstandard_methods=True)
    except HTTPClientError as e:
        assert e.response is not None
        return e.code, json.loads(e.response.body)
    return resp.code, json.loads(resp.body) if resp.body else None


def models(jp_serverapp) -> ModelService:  # type: ignore[no-untyped-def]
    return jp_serverapp.web_app.settings["mlhub_services"].models


async def me(jp_fetch) -> str:  # type: ignore[no-untyped-def]
    code, got = await call(jp_fetch, "GET")
    assert code == 200, got
    return str(got["user"])


async def test_rename_delete_version_and_delete_model(jp_fetch) -> None:  # type: ignore[no-untyped-def]
    for body in ({"card": cards.SENTIMENT, "name": "m"}, {"card": cards.SENTIMENT_V2, "name": "m"},
                 {"card": cards.SENTIMENT, "name": "other"}):
        code, got = await call(jp_fetch, "POST", "models", body=body)
        assert code == 201, got
    code, _ = await call(jp_fetch, "PUT", "models", "m", "aliases", "production", body={"version": 2})
    assert code == 200

    code, err = await call(jp_fetch, "PATCH", "models", "m", body={"name": "other"})
    assert code == 409 and err["error"]["code"] == "conflict" and "'other'" in err["error"]["message"]
    code, err = await call(jp_fetch, "PATCH", "models", "m", body={"name": "no spaces"})
    assert code == 422 and "no spaces" in err["error"]["message"]
    code, got = await call(jp_fetch, "PATCH", "models", "m", body={"name": "renamed", "description": "moved"})
    assert code == 200 and got["name"] == "renamed" and got["description"] == "moved"
    assert got["aliases"] == {"production": 2} and got["version_count"] == 2
    code, _ = await call(jp_fetch, "GET", "models", "m")
    assert code == 404

    code, err = await call(jp_fetch, "DELETE", "models", "renamed", "versions", "production")
    assert code == 422 and "version number" in err["error"]["message"]
    code, err = await call(jp_fetch, "DELETE", "models", "renamed", "versions", "7")
    assert code == 404
    code, _ = await call(jp_fetch, "DELETE", "models", "renamed", "versions", "2")
    assert code == 204
    code, got = await call(jp_fetch, "GET", "models", "renamed")
    assert got["aliases"] == {} and got["latest_version"] == 1 and got["latest"]["version"] == 1
    code, got = await call(jp_fetch, "GET", "models", "renamed", "aliases")
    assert got["history"][0]["stage"] == "production" and got["history"][0]["version"] is None
    assert got["history"][0]["previous"] == 2

    code, _ = await call(jp_fetch, "DELETE", "models", "renamed")
    assert code == 204
    for path in (("models", "renamed"), ("models", "renamed", "versions", "1")):
        code, err = await call(jp_fetch, "GET", *path)
        assert code == 404 and err["error"]["code"] == "not_found"
    code, err = await call(jp_fetch, "DELETE", "models", "renamed")
    assert code == 404
    code, listed = await call(jp_fetch, "GET", "models")
    assert [m["name"] for m in listed["models"]] == ["other"]


async def test_a_reader_gets_403_and_a_stranger_404(jp_fetch, jp_serverapp) -> None:  # type: ignore[no-untyped-def]
    svc = models(jp_serverapp)
    user = await me(jp_fetch)
    svc.import_card("bob", parse_card(cards.SENTIMENT), "shared")
    svc.import_card("bob", parse_card(cards.SENTIMENT), "private")
    svc.set_member("bob", "shared", user, "edit")      # edit: may change metadata, not destroy or rename
    for method, path, body in (("DELETE", ("models", "{}"), None),
                               ("PATCH", ("models", "{}"), {"name": "taken-over"}),
                               ("DELETE", ("models", "{}", "versions", "1"), None)):
        code, err = await call(jp_fetch, method, *(p.format("shared") for p in path), body=body)
        assert code == 403 and err["error"]["code"] == "forbidden", (method, path, err)
        code, err = await call(jp_fetch, method, *(p.format("private") for p in path), body=body)
        assert code == 404 and err["error"]["code"] == "not_found", (method, path, err)
    code, got = await call(jp_fetch, "PATCH", "models", "shared", body={"description": "edit role"})
    assert code == 200 and got["description"] == "edit role"
    assert svc.get_model("bob", "shared").version_count == 1 and svc.get_model("bob", "private").version_count == 1
    svc.set_member("bob", "shared", user, "manage")
    code, _ = await call(jp_fetch, "DELETE", "models", "shared", "versions", "1")
    assert code == 204
    code, got = await call(jp_fetch, "PATCH", "models", "shared", body={"name": "shared2"})
    assert code == 200 and got["name"] == "shared2" and got["owner"] == "bob"
    code, _ = await call(jp_fetch, "DELETE", "models", "shared2")
    assert code == 204
    assert svc.list_models("bob")[1] == 1
