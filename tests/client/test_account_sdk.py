"""mh.me() and mh.account tokens against a real `mlhub serve`."""
from __future__ import annotations

import pytest

import mlhub_ext as mh
from mlhub_ext.client import config
from mlhub_ext.core.errors import ErrorCode, MLHubError


@pytest.fixture
def logged_in(mlhub_server):  # type: ignore[no-untyped-def]
    mh.login(mlhub_server.url, mlhub_server.token)
    yield mlhub_server
    config.clear_login()


def test_me_is_typed_and_counts_what_i_own(logged_in):
    run = mh.init(project="churn", name="r1")
    run.log({"loss": 1.0})
    run.finish()
    me = mh.me()
    assert isinstance(me, mh.account.Me) and me.name == "alice" and me.mode == "standalone"
    assert me.hub is None and me.github is None and me.groups == []
    assert me.token is not None and me.token.scope == "write" and me.token.token is None
    [p] = me.projects
    assert (p.kind, p.name, p.count, p.role, p.via) == ("project", "churn", 1, "owner", "alice")
    assert me.shared_with_me == [] and me.storage["total"] == p.size
    assert me.raw["name"] == "alice"


def test_shared_with_me_names_role_and_via(logged_in):
    mh.projects.create("team-work")
    bob = logged_in.create_token("bob")
    mh.projects.share("team-work", "bob", "edit")
    mh.login(logged_in.url, bob)
    [s] = mh.me().shared_with_me
    assert (s.kind, s.name, s.owner, s.role, s.via) == ("project", "team-work", "alice", "edit", "bob")


def test_tokens_create_list_revoke(logged_in):
    made = mh.account.create_token("nightly", expires_in_days=7, read_only=True)
    assert made.token and made.token.startswith(made.prefix) and made.scope == "read"
    assert made.expires_at is not None
    listed = mh.account.list_tokens()
    assert "nightly" in [t.name for t in listed] and all(t.token is None for t in listed)
    mh.login(logged_in.url, made.token)
    assert mh.me().token.name == "nightly"
    with pytest.raises(MLHubError) as e:
        mh.projects.create("nope")
    assert e.value.code == ErrorCode.FORBIDDEN and "read-only" in e.value.message
    mh.login(logged_in.url, logged_in.token)
    mh.account.revoke_token(made.id)
    assert "nightly" not in [t.name for t in mh.account.list_tokens()]
    with pytest.raises(MLHubError) as e:
        mh.account.revoke_token(made.id)
    assert e.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(MLHubError) as e:   # login checks the token: revoked, it is refused
        mh.login(logged_in.url, made.token)
    assert e.value.code == ErrorCode.UNAUTHENTICATED


def test_bad_token_arguments_are_named(logged_in):
    with pytest.raises(MLHubError) as e:
        mh.account.create_token("")
    assert e.value.code == ErrorCode.INVALID and "name" in e.value.message
    with pytest.raises(MLHubError) as e:
        mh.account.create_token("x", expires_in_days=-1)
    assert e.value.code == ErrorCode.INVALID and "expires_in_days" in e.value.message
    with pytest.raises(MLHubError) as e:
        mh.account.revoke_token("3")  # type: ignore[arg-type]
    assert e.value.code == ErrorCode.INVALID
