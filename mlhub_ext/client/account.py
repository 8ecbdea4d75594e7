"""``mh.me()``: who you are to the registry, what you own and were given; your API tokens.

```python
me = mh.me()
me.name, me.mode                      # "alice", "local" | "hub" | "standalone"
[(p.name, p.count, p.size) for p in me.projects]   # runs and artifact bytes per project
[(s.kind, s.name, s.role, s.via) for s in me.shared_with_me]
made = mh.account.create_token("ci", expires_in_days=30, read_only=True)
made.token                            # the value: shown here once, stored only hashed
mh.account.revoke_token(made.id)
```
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..core.errors import invalid
from .fluent import client


def _ts(value: Any) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None


@dataclass(frozen=True)
class Holding:
    """A project, dataset or model you own or that was shared with you.

    ``count``: runs (project) or versions (dataset, model); ``size``: bytes stored for it;
    ``role``: your role (``owner`` for your own); ``via``: the member name that grants it,
    you or ``group:<hub group>``.
    """

    kind: str
    name: str
    owner: str
    visibility: str
    count: int
    size: int
    updated_at: datetime | None
    role: str
    via: str

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Holding":
        return cls(d["kind"], d["name"], d["owner"], d.get("visibility", "private"), int(d.get("count", 0)),
                   int(d.get("size", 0)), _ts(d.get("updated_at")), d.get("role", "owner"), d.get("via", ""))


@dataclass(frozen=True)
class Token:
    """An ML Hub API token's record (never its value, except ``token`` right after creation)."""

    id: int
    name: str
    prefix: str
    scope: str                      # "read" (GET only) or "write"
    created_at: datetime | None
    expires_at: datetime | None     # None: never expires
    last_used_at: datetime | None
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Token":
        return cls(int(d["id"]), d.get("name", ""), d.get("prefix", ""), d.get("scope", "write"),
                   _ts(d.get("created_at")), _ts(d.get("expires_at")), _ts(d.get("last_used_at")), d.get("token"))


@dataclass(frozen=True)
class Me:
    """The answer of ``GET /me``, typed. ``raw`` keeps the JSON as the server sent it.

    - ``name``: the registry user; ``mode``: ``local``, ``hub`` or ``standalone``;
      ``groups``: hub groups (GitHub teams as ``org:team``);
    - ``hub``: ``{"name", "admin", "groups"}`` on a hub, else None; ``github``:
      ``{"login", "url", "avatar_url"}`` where the hub signs in with GitHub, else None;
    - ``token``: the API token this session authenticates with, if it is an ML Hub token;
    - ``projects``, ``datasets``, ``models``: what you own; ``shared_with_me``: what others
      gave you or your groups; ``storage``: bytes per kind and ``total``.
    """

    name: str
    mode: str
    groups: builtins.list[str]
    hub: dict[str, Any] | None
    github: dict[str, str] | None
    token: Token | None
    projects: builtins.list[Holding]
    datasets: builtins.list[Holding]
    models: builtins.list[Holding]
    shared_with_me: builtins.list[Holding]
    storage: dict[str, int]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Me":
        def holdings(key: str) -> builtins.list[Holding]:
            return [Holding.from_json(h) for h in d.get(key) or []]

        return cls(d["name"], d.get("mode", "local"), builtins.list(d.get("groups") or []), d.get("hub"),
                   d.get("github"), Token.from_json(d["token"]) if d.get("token") else None,
                   holdings("projects"), holdings("datasets"), holdings("models"), holdings("shared_with_me"),
                   dict(d.get("storage") or {}), d)


def me() -> Me:
    """Who you are to the registry (see :class:`Me`). Raises ``MLHubError`` (``unauthenticated``)
    when the server does not accept your credentials."""
    return Me.from_json(client().get("me"))


def list_tokens() -> builtins.list[Token]:
    """Your API tokens that are not revoked, oldest first (never their values)."""
    return [Token.from_json(t) for t in client().get("me/tokens")["tokens"]]


def create_token(name: str, expires_in_days: float | None = 90, read_only: bool = False) -> Token:
    """A new API token; its value is in ``.token`` of the answer only, so keep it now.

    ``expires_in_days``: above 0 and at most 3650, or None for a token that never expires;
    ``read_only``: the token may only read (any write answers 403).
    """
    if not isinstance(name, str) or not name.strip():
        raise invalid(f"a token needs a name saying what it is for, not {name!r}")
    body = {"name": name, "expires_in_days": expires_in_days, "scope": "read" if read_only else "write"}
    return Token.from_json(client().post("me/tokens", json=body))


def revoke_token(token_id: int) -> None:
    """Revoke one of your tokens; it is refused (401) from now on. Raises ``MLHubError``
    (``not_found``) for a token that is not yours or already revoked."""
    if isinstance(token_id, bool) or not isinstance(token_id, int):
        raise invalid(f"token_id must be the integer id of a token (see list_tokens()), not {token_id!r}")
    client().request("DELETE", f"me/tokens/{token_id}")


__all__ = ["Holding", "Me", "Token", "create_token", "list_tokens", "me", "revoke_token"]
