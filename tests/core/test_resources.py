"""core.resources without a store: one Sharing serves any kind of shared resource."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import pytest

from mlhub_ext.core.access import Caller
from mlhub_ext.core.entities import Holding, Member, Role, Visibility
from mlhub_ext.core.errors import ErrorCode, MLHubError
from mlhub_ext.core.resources import Sharing, parse_visibility, resolve_version, version_number, version_ref


@dataclass
class Thing:
    name: str
    owner: str
    visibility: Visibility = Visibility.PRIVATE
    role: Role | None = None


class Members:
    """A member store in a dict, with group grants as the SQL one has them."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Role] = {}
        self.users: list[str] = []

    def ensure_user(self, name: str) -> None:
        self.users.append(name)

    def get_member_role(self, name: str, user: str) -> Role | None:
        return self.member_roles([name], user).get(name)

    def member_roles(self, names: Sequence[str], user: str) -> dict[str, Role]:
        who = [str(user), *(f"group:{g}" for g in getattr(user, "groups", ()))]
        out: dict[str, Role] = {}
        for (n, u), r in self.rows.items():
            if n in names and u in who and (n not in out or r.rank > out[n].rank):
                out[n] = r
        return out

    def set_member(self, name: str, user: str, role: Role, granted_by: str | None = None) -> Member:
        self.rows[(name, user)] = role
        return Member(name, user, role, "dataset")

    def remove_member(self, name: str, user: str) -> bool:
        return self.rows.pop((name, user), None) is not None

    def list_members(self, name: str) -> list[Member]:
        return [Member(n, u, r, "dataset") for (n, u), r in sorted(self.rows.items()) if n == name]

    def holdings(self, user: str) -> tuple[list[Holding], list[Holding]]:
        return [], []


@pytest.fixture
def sharing() -> Sharing[Thing]:
    things = {"iris": Thing("iris", "alice"), "open": Thing("open", "alice", Visibility.PUBLIC)}
    members = Members()
    return Sharing("dataset", things.get, members, members)


def code(fn: Any, *args: Any) -> ErrorCode:
    with pytest.raises(MLHubError) as e:
        fn(*args)
    return e.value.code


def test_owner_member_public_and_strangers(sharing: Sharing[Thing]) -> None:
    assert sharing.get("alice", "iris", Role.MANAGE).role == Role.OWNER
    assert code(sharing.get, "bob", "iris", Role.READ) == ErrorCode.NOT_FOUND        # private names do not leak
    assert sharing.get("bob", "open", Role.READ).role == Role.READ
    assert code(sharing.get, "bob", "open", Role.EDIT) == ErrorCode.FORBIDDEN
    assert code(sharing.get, "alice", "x" * 500, Role.READ) == ErrorCode.NOT_FOUND
    assert code(sharing.get, "alice", 7, Role.READ) == ErrorCode.NOT_FOUND


def test_members_owner_first_with_the_kind_and_group_grants(sharing: Sharing[Thing]) -> None:
    sharing.set_member("alice", "iris", "group:team", "edit")
    assert sharing.members.users == ["group:team"]   # type: ignore[attr-defined]
    assert [m.to_json() for m in sharing.list_members("alice", "iris")] == [
        {"dataset": "iris", "user": "alice", "role": "owner"}, {"dataset": "iris", "user": "group:team", "role": "edit"}]
    assert sharing.get(Caller("bob", ["team"]), "iris", Role.EDIT).role == Role.EDIT
    listed = sharing.with_roles(Caller("bob", ["team"]), [Thing("iris", "alice"), Thing("open", "alice",
                                                                                         Visibility.PUBLIC)])
    assert [t.role for t in listed] == [Role.EDIT, Role.READ]
    assert code(sharing.set_member, "alice", "iris", "bob", "owner") == ErrorCode.INVALID
    assert code(sharing.set_member, "alice", "iris", "alice", "read") == ErrorCode.INVALID
    assert code(sharing.set_member, Caller("bob", ["team"]), "iris", "carol", "read") == ErrorCode.FORBIDDEN
    sharing.remove_member("alice", "iris", "group:team")
    assert code(sharing.remove_member, "alice", "iris", "group:team") == ErrorCode.NOT_FOUND


def test_visibility_and_version_references() -> None:
    assert parse_visibility(None) == Visibility.PRIVATE and parse_visibility("public") == Visibility.PUBLIC
    with pytest.raises(MLHubError, match="'secret'"):
        parse_visibility("secret")
    assert version_number("latest") is None and version_number("3") == 3
    assert version_ref("production") == "production" and version_ref(2) == 2
    assert resolve_version(None, 5, {}, "model", "m") == 5
    assert resolve_version("staging", 5, {"staging": 3}, "model", "m") == 3
    with pytest.raises(MLHubError, match="stage of model 'm'") as e:
        resolve_version("production", 5, {"staging": 3}, "model", "m")
    assert e.value.code == ErrorCode.NOT_FOUND
