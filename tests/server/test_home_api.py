"""GET /home: counts, runs per day, storage, my running runs and jobs, activity and shared
with me, for two users with private, public and shared items, on SQLite and PostgreSQL,
through a real Jupyter server (alice is the lab's user; bob calls with his API token)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mlhub_ext.core.datasets import Dataset, DatasetVersion
from mlhub_ext.core.entities import Visibility
from mlhub_ext.core.models import Job, Model, ModelVersion
from mlhub_ext.store.datasets import SqlDatasetStore
from mlhub_ext.store.models import SqlModelStore
from tests.server.test_api import call


@pytest.fixture
def jp_server_config(jp_server_config, db_url):  # type: ignore[no-untyped-def]
    config = {**jp_server_config, "MLHub": {**jp_server_config["MLHub"], "db_url": db_url}}
    return config


def registry_of(jp_serverapp):  # type: ignore[no-untyped-def]
    return jp_serverapp.web_app.settings["mlhub_services"].registry


async def run(jp_fetch, project: str, name: str, status: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    code, body = await call(jp_fetch, "POST", "runs", body={"project": project, "name": name})
    assert code == 201, body
    if status:
        code, body = await call(jp_fetch, "PATCH", "runs", body["id"], body={"status": status})
        assert code == 200, body
    return body


async def seed(jp_fetch, jp_serverapp) -> dict:  # type: ignore[no-untyped-def]
    """alice: private project 'alpha' (running, finished and failed runs, a 1000-byte artifact),
    a dataset with 2 versions, a model with 1 version in staging, a running job.
    bob: public project 'open' (1 finished run), private 'secret' (2 runs), 'team' shared with
    alice for read (1 killed run); a private dataset and a public one; a private model (2
    versions, production) and a public model (1 version), one shared with alice."""
    reg = registry_of(jp_serverapp)
    token, _ = reg.create_token("bob", "test")
    bob = {"Authorization": f"token {token}"}
    out = {"bob": bob}
    out["alpha_run"] = await run(jp_fetch, "alpha", "training")
    await call(jp_fetch, "PUT", "runs", out["alpha_run"]["id"], "artifacts", "w.bin", raw=b"x" * 1000)
    await call(jp_fetch, "POST", "runs", out["alpha_run"]["id"], "metrics",
               body={"metrics": {"loss": {"steps": [0, 1, 7], "values": [1.0, 0.5, 0.2]}}})
    out["alpha_done"] = await run(jp_fetch, "alpha", "baseline", "finished")
    await run(jp_fetch, "alpha", "broken", "failed")
    # bob writes through the registry service (his token would need the lab's XSRF cookie).
    reg.create_project("bob", "open", visibility="public")
    reg.update_run("bob", reg.create_run("bob", "open", "public-run").id, {"status": "finished"})
    reg.create_run("bob", "secret", "hidden-1")
    reg.update_run("bob", reg.create_run("bob", "secret", "hidden-2").id, {"status": "finished"})
    team = reg.create_run("bob", "team", "teamwork")
    reg.update_run("bob", team.id, {"status": "killed"})
    out["team_run"] = {"id": team.id}
    reg.set_member("bob", "team", "alice", "read")

    store = reg.store
    ds, ms = SqlDatasetStore(store), SqlModelStore(store)

    def version(name: str, n: int, user: str, size: int) -> DatasetVersion:
        return DatasetVersion(name, n, user, "table", "csv", size, f"{n:064x}", num_rows=3)

    ds.add_version(Dataset("iris", "alice"), version("iris", 1, "alice", 300), True)
    ds.add_version(Dataset("iris", "alice"), version("iris", 2, "alice", 200), False)
    ds.add_version(Dataset("bob-private", "bob"), version("bob-private", 1, "bob", 50), True)
    ds.add_version(Dataset("bob-public", "bob", visibility=Visibility.PUBLIC), version("bob-public", 1, "bob", 70),
                   True)

    def mv(name: str, user: str, size: int) -> ModelVersion:
        return ModelVersion(name, 0, user, "sklearn", "f" * 64, artifact_size=size)

    ms.add_version(Model("clf", "alice"), mv("clf", "alice", 4000))
    ms.move_alias("clf", "staging", 1, "alice")
    ms.add_version(Model("bob-model", "bob"), mv("bob-model", "bob", 10))
    ms.add_version(Model("bob-model", "bob"), mv("bob-model", "bob", 10))
    ms.move_alias("bob-model", "production", 2, "bob")
    ms.add_version(Model("bob-public", "bob", visibility=Visibility.PUBLIC), mv("bob-public", "bob", 10))
    ms.add_version(Model("bob-shared", "bob"), mv("bob-shared", "bob", 10))
    from mlhub_ext.core.entities import Role
    ms.set_member("bob-shared", "alice", Role.EDIT, granted_by="bob")
    now = datetime.now(timezone.utc)
    ms.create_job(Job(id="job-alice", kind="train", owner="alice", state="running", progress=0.4,
                      model="clf", spec={}, created_at=now, updated_at=now))
    ms.create_job(Job(id="job-bob", kind="train", owner="bob", state="running", progress=0.1,
                      model="bob-model", spec={}, created_at=now, updated_at=now))
    return out


async def test_home_counts_and_lists_what_each_user_may_read(jp_fetch, jp_serverapp):
    seeded = await seed(jp_fetch, jp_serverapp)
    code, home = await call(jp_fetch, "GET", "home")
    assert code == 200, home
    assert home["user"] == "alice"
    # alice reads alpha (3 runs), open (public, 1) and team (shared, 1); not bob's secret.
    assert home["counts"] == {
        "projects": 3,
        "runs": {"total": 5, "running": 1, "finished": 2, "failed": 1, "killed": 1},
        "datasets": 2, "dataset_versions": 3,
        "models": 3, "model_versions": 3, "stages": {"staging": 1},
        "jobs": {"queued": 0, "running": 1},
    }
    today = datetime.now(timezone.utc).date().isoformat()
    assert len(home["runs_per_day"]) == 14 and home["runs_per_day"][-1] == {"date": today, "count": 5}
    assert sum(d["count"] for d in home["runs_per_day"]) == 5
    assert home["storage"] == {"projects": 1000, "datasets": 500, "models": 4000, "total": 5500}
    [mine] = home["my_runs"]
    assert (mine["id"], mine["name"], mine["project"], mine["status"], mine["last_step"]) == (
        seeded["alpha_run"]["id"], "training", "alpha", "running", 7)
    assert [(j["id"], j["progress"]) for j in home["my_jobs"]] == [("job-alice", 0.4)]
    shared = [(h["kind"], h["name"], h["role"], h["owner"]) for h in home["shared_with_me"]]
    assert shared == [("project", "team", "read", "bob"), ("model", "bob-shared", "edit", "bob")]

    lines = {(a["kind"], a["name"], a["version"], a["stage"]) for a in home["activity"]}
    assert lines == {
        ("run_started", "training", None, None), ("run_started", "baseline", None, None),
        ("run_started", "broken", None, None), ("run_started", "public-run", None, None),
        ("run_started", "teamwork", None, None),
        ("run_finished", "baseline", None, None), ("run_failed", "broken", None, None),
        ("run_finished", "public-run", None, None), ("run_killed", "teamwork", None, None),
        ("dataset_version", "iris", 1, None), ("dataset_version", "iris", 2, None),
        ("dataset_version", "bob-public", 1, None),
        ("model_version", "clf", 1, None), ("model_version", "bob-public", 1, None),
        ("model_version", "bob-shared", 1, None),
        ("promotion", "clf", 1, "staging"),
        ("share", "team", None, None), ("share", "bob-shared", None, None),
    }
    shares = [(a["item"], a["name"], a["role"], a["user"], a["via"]) for a in home["activity"] if a["kind"] == "share"]
    assert shares == [("model", "bob-shared", "edit", "bob", "alice"), ("project", "team", "read", "bob", "alice")]
    assert all((a["item"], a["role"], a["via"]) == (None, None, None) for a in home["activity"] if a["kind"] != "share")
    assert not any(a["name"].startswith("hidden") or a["name"] in ("bob-private", "bob-model")
                   for a in home["activity"])
    times = [a["at"] for a in home["activity"]]
    assert times == sorted(times, reverse=True)
    team = next(a for a in home["activity"] if a["kind"] == "run_killed")
    assert (team["run_id"], team["project"], team["user"]) == (seeded["team_run"]["id"], "team", "bob")

    # bob sees his own private things, alice's nothing (all private), the public items.
    code, bobs = await call(jp_fetch, "GET", "home", headers=seeded["bob"])
    assert code == 200 and bobs["user"] == "bob"
    assert bobs["counts"] == {
        "projects": 3,
        "runs": {"total": 4, "running": 1, "finished": 2, "failed": 0, "killed": 1},
        "datasets": 2, "dataset_versions": 2,
        "models": 3, "model_versions": 4, "stages": {"production": 1},
        "jobs": {"queued": 0, "running": 1},
    }
    assert bobs["storage"] == {"projects": 0, "datasets": 120, "models": 40, "total": 160}
    assert [r["name"] for r in bobs["my_runs"]] == ["hidden-1"]
    assert bobs["shared_with_me"] == []
    assert not any(a["kind"] == "share" for a in bobs["activity"])  # bob granted them; they are not to him
    assert {a["name"] for a in bobs["activity"]}.isdisjoint({"training", "baseline", "broken", "iris", "clf"})


async def test_home_limit_and_days_bound_the_lists(jp_fetch, jp_serverapp):
    await seed(jp_fetch, jp_serverapp)
    code, home = await call(jp_fetch, "GET", "home", params={"limit": "3", "days": "1"})
    assert code == 200
    assert len(home["activity"]) == 3 and len(home["runs_per_day"]) == 1
    # The newest three lines across every kind: the last things seeded were jobs (no line),
    # the share of bob-shared and the model versions before it.
    assert [(a["kind"], a["name"]) for a in home["activity"]] == [
        ("share", "bob-shared"), ("model_version", "bob-shared"), ("model_version", "bob-public")]


async def test_home_share_lines_follow_grants_to_the_caller_and_their_groups(jp_fetch, jp_serverapp):
    """A grant through PUT …/members/{member} (a user or group:<g>) makes a "share" line for the
    member; changing the role stamps a new time, granting the same role again does not."""
    reg = registry_of(jp_serverapp)
    reg.create_project("bob", "team-proj")
    reg.set_member("bob", "team-proj", "group:lab:ml", "edit")
    reg.set_member("bob", "team-proj", "carol", "read")
    from mlhub_ext.core.access import Caller
    from mlhub_ext.core.home import HomeService
    from mlhub_ext.store.home import SqlHomeStore
    home = HomeService(SqlHomeStore(reg.store))
    carol_in_group = Caller("carol", ["lab:ml"])

    def share_lines(user: str) -> list[tuple]:
        return [(a["item"], a["name"], a["role"], a["user"], a["via"])
                for a in home.overview(user)["activity"] if a["kind"] == "share"]

    assert share_lines(carol_in_group) == [("project", "team-proj", "read", "bob", "carol"),
                                          ("project", "team-proj", "edit", "bob", "group:lab:ml")]
    assert share_lines(Caller("carol")) == [("project", "team-proj", "read", "bob", "carol")]
    assert share_lines(Caller("dave", ["lab:other"])) == []
    assert share_lines("bob") == []

    before = {a["via"]: a["at"] for a in home.overview(carol_in_group)["activity"] if a["kind"] == "share"}
    reg.set_member("bob", "team-proj", "carol", "read")  # the same role again: nothing changes
    again = {a["via"]: a["at"] for a in home.overview(carol_in_group)["activity"] if a["kind"] == "share"}
    assert again == before
    reg.set_member("bob", "team-proj", "carol", "manage")  # a changed role is a new grant
    after = home.overview(carol_in_group)["activity"]
    assert [(a["kind"], a["role"], a["via"]) for a in after[:1]] == [("share", "manage", "carol")]
    assert after[0]["at"] > before["carol"]


@pytest.mark.parametrize("query, message", [
    ({"days": "0"}, "days"), ({"days": "400"}, "days"), ({"limit": "abc"}, "limit"), ({"limit": "101"}, "limit"),
])
async def test_home_refuses_bad_arguments(jp_fetch, query, message):
    code, err = await call(jp_fetch, "GET", "home", params=query)
    assert code == 422 and err["error"]["code"] == "invalid" and message in err["error"]["message"]
