"""A page of a model's versions (``GET /models/{name}/versions?limit=&offset=&order=&q=``):
the store on SQLite and PostgreSQL, and REST over a model of 1,200 versions."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import insert, select

from mlhub_ext.core.models import Model, ModelVersion, VersionQuery
from mlhub_ext.store.models import SqlModelStore
from mlhub_ext.store.orm import utcnow
from mlhub_ext.store.orm_models import ModelRow, ModelVersionRow
from tests.server.test_api import call


def fill(store, name: str, n: int, owner: str = "alice") -> None:  # type: ignore[no-untyped-def]
    """``n`` versions in one insert (tags: even/odd; every 100th described as a "milestone";
    every 7th archived), as ``add_version`` would number them."""
    store.ensure_user(owner)
    models = SqlModelStore(store)
    models.add_version(Model(name, owner), ModelVersion(name, 0, owner, "sklearn", "f" * 64, tags=["odd"]))
    now = utcnow()
    with store.write_engine.connect() as c, c.begin():
        mid = c.execute(select(ModelRow.__table__.c.id).where(ModelRow.__table__.c.name == name)).scalar_one()
        c.execute(insert(ModelVersionRow.__table__), [dict(
            model_id=mid, version=v, created_by=owner, created_at=now, model_type="sklearn",
            estimator="sklearn.linear_model.LogisticRegression" if v % 2 else "sklearn.svm.SVC", task=None,
            param_count=0, developer="", tags=["even" if v % 2 == 0 else "odd"], status="ready",
            description="milestone" if v % 100 == 0 else "", published=False, archived=v % 7 == 0,
            dataset_name=None, dataset_version=None, target=None, run_id=None, project=None, job_id=None,
            spec={}, input_schema=[], classes=None, metrics={"accuracy": v / n}, evaluation=None,
            artifact_sha256="f" * 64, artifact_size=1) for v in range(2, n + 1)])
        c.execute(ModelRow.__table__.update().where(ModelRow.__table__.c.id == mid).values(latest_version=n))


def test_store_pages_orders_and_filters(registry):  # type: ignore[no-untyped-def]
    fill(registry.store, "many", 150)
    store = SqlModelStore(registry.store)
    store.move_alias("many", "production", 100, "alice")
    page, total = store.page_versions("many", VersionQuery(limit=10))
    live = [v for v in range(150, 0, -1) if v % 7]
    assert total == len(live) and [v.version for v in page] == live[:10]
    page, total = store.page_versions("many", VersionQuery(include_archived=True, descending=False, limit=5,
                                                           offset=10))
    assert total == 150 and [v.version for v in page] == [11, 12, 13, 14, 15]
    page, total = store.page_versions("many", VersionQuery(q="MileStone", include_archived=True))
    assert [v.version for v in page] == [100] and page[0].stages == ["production"] and total == 1
    page, total = store.page_versions("many", VersionQuery(q="v42", include_archived=True))
    assert [v.version for v in page] == [42]   # the number, not 142 or 420
    _, evens = store.page_versions("many", VersionQuery(q="even", limit=1))
    assert evens == len([v for v in live if v % 2 == 0])
    page, total = store.page_versions("many", VersionQuery(q="svc", offset=70))   # past the end
    assert page == [] and total == evens
    assert [v.version for v in store.list_versions("many")] == live   # the unpaged listing is unchanged


async def test_rest_pages_a_model_of_1200_versions(jp_fetch, jp_serverapp):  # type: ignore[no-untyped-def]
    registry = jp_serverapp.web_app.settings["mlhub_services"].registry
    fill(registry.store, "big", 1200)
    code, body = await call(jp_fetch, "GET", "models", "big", "versions", params={"limit": "50"})
    assert code == 200 and body["total"] == 1200 - 1200 // 7 and len(body["versions"]) == 50
    assert body["versions"][0]["version"] == 1200 and len(json.dumps(body)) < 100_000
    code, body = await call(jp_fetch, "GET", "models", "big", "versions",
                            params={"limit": "3", "offset": "3", "order": "asc", "archived": "true"})
    assert [v["version"] for v in body["versions"]] == [4, 5, 6] and body["total"] == 1200
    code, body = await call(jp_fetch, "GET", "models", "big", "versions", params={"q": "milestone", "limit": "50"})
    assert [v["version"] for v in body["versions"]] == [1200, 1100, 1000, 900, 800, 600, 500, 400, 300, 200, 100]
    code, body = await call(jp_fetch, "GET", "models", "big", "versions")
    assert code == 200 and len(body["versions"]) == body["total"] == 1200 - 1200 // 7   # no limit: all, as before
    for params, said in (({"limit": "0"}, "limit"), ({"limit": "5000"}, "limit"), ({"offset": "-1"}, "offset"),
                         ({"order": "newest"}, "order")):
        code, body = await call(jp_fetch, "GET", "models", "big", "versions", params=params)
        assert code == 422 and said in body["error"]["message"], (params, body)
    code, body = await call(jp_fetch, "GET", "models", "nope", "versions", params={"limit": "5"})
    assert code == 404


@pytest.fixture
def jp_server_config(jp_server_config, db_url):  # type: ignore[no-untyped-def]
    return {**jp_server_config, "MLHub": {**jp_server_config["MLHub"], "db_url": db_url}}
