"""The hosts build one Services object at load, put it in the tornado settings, and close it at
shutdown; handlers reach every service through it, and pass the caller's hub token explicitly."""
from __future__ import annotations

import json
import types
from typing import Any

import pytest

from mlhub_ext.server.handlers.base import MLHubAPIMixin, bearer_token
from mlhub_ext.services.container import SETTINGS_KEY, Services


@pytest.fixture
def jp_server_config(jp_server_config):  # type: ignore[no-untyped-def]
    cfg = dict(jp_server_config)
    cfg["ServerApp"] = {**cfg["ServerApp"], "tornado_settings": {"mlhub.datasets_in_process": True}}
    return cfg


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Services]:
    """Every Services the server builds (requested before the server starts)."""
    made: list[Services] = []
    real = Services.build.__func__  # type: ignore[attr-defined]

    def build(cls: type[Services], settings: Any) -> Services:
        made.append(real(cls, settings))
        return made[-1]

    monkeypatch.setattr(Services, "build", classmethod(build))
    return made


async def test_one_services_object_built_at_load_used_by_every_handler(builds, jp_serverapp, jp_fetch):  # type: ignore[no-untyped-def]
    assert len(builds) == 1                              # at load, before any request
    services = jp_serverapp.web_app.settings[SETTINGS_KEY]
    assert services is builds[0]
    settings = services.settings
    assert settings.mode == "local" and settings.local_user == "alice"
    assert settings.datasets_in_process is True and services.data_worker.in_process   # ServerApp.tornado_settings
    r = await jp_fetch("mlhub", "api", "v1", "projects", method="POST", body=json.dumps({"name": "churn"}))
    assert r.code == 201
    await jp_fetch("mlhub", "api", "v1", "datasets")
    await jp_fetch("mlhub", "api", "v1", "models")
    await jp_fetch("mlhub", "api", "v1", "home")
    me = json.loads((await jp_fetch("mlhub", "api", "v1", "me")).body)
    assert [p["name"] for p in me["projects"]] == ["churn"]
    assert len(builds) == 1 and jp_serverapp.web_app.settings[SETTINGS_KEY] is services
    assert [p.name for p in services.registry.list_projects("alice")[0]] == ["churn"]


async def test_the_extension_closes_its_services_when_it_stops(jp_serverapp):  # type: ignore[no-untyped-def]
    services = jp_serverapp.web_app.settings[SETTINGS_KEY]
    (app,) = jp_serverapp.extension_manager.extension_apps["mlhub_ext"]
    await app.stop_extension()
    assert services.closed and services.executor._shutdown


class Handler(MLHubAPIMixin):
    """Just what ``bearer_token`` and ``hub_token`` read of a request handler."""

    def __init__(self, mode: str, authorization: str = "", api_token: Any = None, query_token: str = "") -> None:
        self.settings = {"mlhub.mode": mode}
        self.request = types.SimpleNamespace(headers={"Authorization": authorization} if authorization else {})
        self.current_user = "alice"
        self.mlhub_token = api_token
        self._query_token = query_token

    def get_query_argument(self, name: str, default: str = "") -> str:
        return self._query_token or default


def test_bearer_token_from_the_header_or_the_query():
    assert bearer_token(Handler("hub", "token abc")) == "abc"  # type: ignore[arg-type]
    assert bearer_token(Handler("hub", "Bearer  abc ")) == "abc"  # type: ignore[arg-type]
    assert bearer_token(Handler("hub", query_token="q")) == "q"  # type: ignore[arg-type]
    assert bearer_token(Handler("hub", "Basic xyz")) == ""  # type: ignore[arg-type]


def test_hub_token_only_for_hub_callers_with_a_hub_token():
    assert Handler("hub", "token hub-secret").hub_token() == "hub-secret"
    assert Handler("hub").hub_token() is None
    assert Handler("hub", "token mlh_x", api_token=object()).hub_token() is None   # ML Hub tokens open no cluster
    assert Handler("local", "token jupyter").hub_token() is None
    assert Handler("standalone", "token mlh_x").hub_token() is None


def test_reading_the_runner_stores_nothing():
    from mlhub_ext.server.handlers.models import ModelMixin

    jobs = object()
    h = ModelMixin()
    h.settings = {SETTINGS_KEY: types.SimpleNamespace(jobs=jobs)}
    assert h.runner is jobs
    assert h.settings == {SETTINGS_KEY: types.SimpleNamespace(jobs=jobs)}
