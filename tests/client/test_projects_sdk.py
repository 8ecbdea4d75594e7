"""mh.projects against a real `mlhub serve`: sharing read/edit/manage, revoke, public."""
from __future__ import annotations

import pytest

import mlhub_ext as mh
from mlhub_ext.client import config
from mlhub_ext.core.errors import ErrorCode, MLHubError


@pytest.fixture
def as_user(mlhub_server):  # type: ignore[no-untyped-def]
    tokens = {"alice": mlhub_server.token}

    def switch(user: str) -> None:
        if user not in tokens:
            tokens[user] = mlhub_server.create_token(user)
        mh.login(mlhub_server.url, tokens[user])

    yield switch
    config.clear_login()


def test_share_edit_revoke_public(as_user, mlhub_server):
    as_user("alice")
    run = mh.init(project="secret", name="r1")
    run.log({"loss": 1.0})
    run.finish()
    as_user("bob")
    assert [p.name for p in mh.projects.list()] == []
    with pytest.raises(MLHubError) as e:
        mh.projects.get("secret")
    assert e.value.code == ErrorCode.NOT_FOUND
    as_user("alice")
    assert mh.projects.share("secret", "bob", "read").role == "read"
    assert {m.user: m.role for m in mh.projects.members("secret")} == {"alice": "owner", "bob": "read"}
    as_user("bob")
    assert mh.projects.get("secret").role == "read"
    with pytest.raises(MLHubError) as e:
        mh.init(project="secret")
    assert e.value.code == ErrorCode.FORBIDDEN
    with pytest.raises(MLHubError) as e:
        mh.projects.share("secret", "carol", "read")
    assert e.value.code == ErrorCode.FORBIDDEN
    as_user("alice")
    mh.projects.share("secret", "bob", "edit")
    as_user("bob")
    mh.init(project="secret", name="bobs").finish()
    as_user("alice")
    mh.projects.unshare("secret", "bob")
    as_user("bob")
    with pytest.raises(MLHubError):
        mh.projects.get("secret")
    as_user("alice")
    mh.projects.set_visibility("secret", "public")
    as_user("carol")
    assert mh.projects.get("secret").role == "read"
    with pytest.raises(MLHubError) as e:
        mh.projects.set_visibility("secret", "private")
    assert e.value.code == ErrorCode.FORBIDDEN
