"""The caller: who they are, what they own and were given, and their ML Hub API tokens."""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from ...core.entities import ApiToken, Holding
from ...core.errors import ErrorCode, MLHubError, quoted
from ...core.validation import MAX_INT
from ...services.container import Services
from ..schemas.base import parse
from ..schemas.me import NewApiToken
from .base import MLHubAPIMixin, api



def github_identity(name: str) -> dict[str, str] | None:
    """The GitHub account behind a hub user where the hub signs in with GitHub.

    GitHubOAuthenticator names hub users by their GitHub login, so the login is the hub
    name; the hub service learns the provider from ``MLHUB_AUTH`` and ``MLHUB_GITHUB_URL``
    (set by ``hub_config/jupyterhub_config.py``). None under any other sign-in.
    """
    if os.environ.get("MLHUB_AUTH", "").lower() != "github":
        return None
    base = os.environ.get("MLHUB_GITHUB_URL", "https://github.com").rstrip("/")
    return {"login": name, "url": f"{base}/{name}", "avatar_url": f"{base}/{name}.png"}


def token_json(rec: ApiToken) -> dict[str, Any]:
    return rec.to_json()


def profile(services: Services, user: str) -> dict[str, Any]:
    """``GET /me`` minus the identity: holdings of every kind, what is shared, storage used."""
    parts: dict[str, tuple[list[Holding], list[Holding]]] = {
        "projects": services.registry.holdings(user),
        "datasets": services.datasets.holdings(user),
        "models": services.models.holdings(user),
    }
    shared = [h for _, (__, given) in parts.items() for h in given]
    shared.sort(key=lambda h: (h.kind, h.name))
    storage = {kind: sum(h.size for h in owned) for kind, (owned, _) in parts.items()}
    return {
        **{kind: [h.to_json() for h in owned] for kind, (owned, _) in parts.items()},
        "shared_with_me": [h.to_json() for h in shared],
        "storage": {**storage, "total": sum(storage.values())},
    }


class MeHandler(MLHubAPIMixin):
    @api
    async def get(self) -> None:
        user = self.acting_user()
        body = await self.call(profile, self.services, user)
        mode = self.settings.get("mlhub.mode", "local")
        hub_user = self.current_user if isinstance(self.current_user, dict) else None
        token = getattr(self, "mlhub_token", None)
        self.write_json({
            "name": str(user),
            "mode": mode,
            "groups": list(getattr(user, "groups", ())),
            "hub": ({"name": str(hub_user.get("name", user)), "admin": bool(hub_user.get("admin", False)),
                     "groups": list(hub_user.get("groups") or [])} if mode == "hub" and hub_user else None),
            "github": github_identity(str(user)) if mode == "hub" else None,
            "token": token_json(token) if token is not None else None,
            **body,
        })


class TokensHandler(MLHubAPIMixin):
    @api
    async def get(self) -> None:
        tokens = await self.call(self.registry.list_tokens, self.acting_user(), False)
        self.write_json({"tokens": [token_json(t) for t in tokens]})

    @api
    async def post(self) -> None:
        new = parse(NewApiToken, self.json_body())
        expires = timedelta(days=new.expires_in_days) if new.expires_in_days is not None else None
        value, rec = await self.call(self.registry.create_token, str(self.acting_user()), new.name, expires,
                                     new.scope)
        # The only time the value is ever sent: the registry keeps its sha256 alone.
        self.write_json({**token_json(rec), "token": value}, 201)


class TokenHandler(MLHubAPIMixin):
    @api
    async def delete(self, token_id: str) -> None:
        if not token_id.isascii() or not token_id.isdigit() or int(token_id) > MAX_INT:
            raise MLHubError(ErrorCode.NOT_FOUND, f"token {quoted(token_id)} not found")
        await self.call(self.registry.revoke_token, int(token_id), str(self.acting_user()))
        self.set_status(204)  # type: ignore[attr-defined]
        self.finish()  # type: ignore[attr-defined]

