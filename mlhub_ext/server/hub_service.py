"""``mlhub serve --hub``: the registry as a JupyterHub-managed service.

JupyterHub starts it with ``JUPYTERHUB_SERVICE_URL`` (where to listen),
``JUPYTERHUB_SERVICE_PREFIX`` (its path behind the proxy) and ``JUPYTERHUB_API_TOKEN``.
Callers are hub users: their API tokens (the single-user servers forward with theirs) or
the hub's OAuth cookie for browser visits; XSRF is checked by ``HubOAuth`` for the latter.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import time
from typing import Any
from urllib.parse import quote, urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from tornado import web
from tornado.httpclient import AsyncHTTPClient, HTTPClientError
from tornado.websocket import WebSocketHandler

from ..core.errors import ErrorCode, MLHubError
from ..core.service import TOKEN_PREFIX
from ..services.container import SETTINGS_KEY
from ..services.settings import settings_from_config
from .config import MLHubConfigMixin
from .handlers.base import bearer_token
from .standalone import make_app

log = logging.getLogger("mlhub.hub")


class HubUsers:
    """Hub user models (name, groups) by name, asked of the hub's API with the service's own
    token (role ``mlhub-service``: ``read:users:name``, ``read:users:groups``) and kept 60 s.

    Used for callers with an ML Hub API token, whose request carries no hub identity: a user
    the hub no longer has is refused, and the groups come from the hub as for everyone else.
    """

    def __init__(self, api_url: str, api_token: str, max_age: float = 60.0) -> None:
        self.api_url, self.api_token, self.max_age = api_url.rstrip("/"), api_token, max_age
        self._cache: dict[str, tuple[float, dict[str, Any] | None]] = {}

    async def get(self, name: str) -> dict[str, Any] | None:
        """The hub's model of ``name`` or None if the hub has no such user; raises
        ``unavailable`` when the hub cannot be asked."""
        hit = self._cache.get(name)
        if hit is not None and time.monotonic() - hit[0] < self.max_age:
            return hit[1]
        try:
            r = await AsyncHTTPClient().fetch(f"{self.api_url}/users/{quote(name, safe='')}", request_timeout=10,
                                              headers={"Authorization": f"token {self.api_token}"})
            body = json.loads(r.body)
            model: dict[str, Any] | None = {
                "name": body.get("name", name), "groups": body.get("groups") or [], "kind": "user",
                "admin": bool(body.get("admin", False))}
        except HTTPClientError as e:
            if e.code != 404:
                raise MLHubError(ErrorCode.UNAVAILABLE,
                                 f"the hub answered {e.code} when asked who {name!r} is") from None
            model = None
        except (OSError, ValueError) as e:
            raise MLHubError(ErrorCode.UNAVAILABLE, f"the hub could not be asked who {name!r} is: {e}") from None
        self._cache[name] = (time.monotonic(), model)
        return model


class HubAuthHandler(HubOAuthenticated, web.RequestHandler):
    """Host base: the caller is the hub user behind the token or OAuth cookie, or behind an
    ML Hub API token (``mlh_...``, made on the profile page) of a user the hub still has."""

    async def prepare(self) -> None:
        # An ML Hub token is resolved here, where the hub can be asked without blocking.
        if bearer_token(self).startswith(TOKEN_PREFIX):
            rec = self.settings[SETTINGS_KEY].registry.check_token(bearer_token(self))
            self.mlhub_token = rec
            self.current_user = await self.settings["mlhub.hub_users"].get(rec.user) if rec else None
        parent = super().prepare()
        if parent is not None:
            await parent

    def get_current_user(self) -> Any:
        if bearer_token(self).startswith(TOKEN_PREFIX):
            return None   # prepare() found the caller, or there is none
        return super().get_current_user()

    def check_xsrf_cookie(self) -> None:
        # A header token is no cookie: there is no cross-site request to forge with it.
        if bearer_token(self).startswith(TOKEN_PREFIX):
            return None
        return super().check_xsrf_cookie()  # type: ignore[no-any-return]

    def get_login_url(self) -> str:
        # An API never redirects to a login page; callers send their hub token.
        raise MLHubError(ErrorCode.UNAUTHENTICATED, self.auth_hint())

    def auth_hint(self) -> str:
        if bearer_token(self).startswith(TOKEN_PREFIX):
            return "the ML Hub API token is unknown, revoked or expired, or its user is no longer on the hub"
        return ("send 'Authorization: token <JupyterHub API token>' (JUPYTERHUB_API_TOKEN in a user's server) "
                "or an ML Hub API token from your profile")


class HubAuthWebSocket(HubAuthHandler, WebSocketHandler):
    """WebSocket host base under hub auth."""


def cookie_secret() -> bytes:
    """The key that signs the service's OAuth cookies: ``MLHUB_COOKIE_SECRET``, else
    ``JUPYTERHUB_COOKIE_SECRET`` (hex, as JupyterHub writes it; other text is taken as is), else
    a random one for this process only. Replicas behind one URL must share it: a browser
    signed in through one replica is otherwise a stranger to the next."""
    for name in ("MLHUB_COOKIE_SECRET", "JUPYTERHUB_COOKIE_SECRET"):
        text = os.environ.get(name, "").strip()
        if text:
            try:
                value = bytes.fromhex(text)
            except ValueError:
                value = text.encode()
            if len(value) < 32:
                raise MLHubError(ErrorCode.INVALID, f"{name} is {len(value)} bytes; use at least 32 random "
                                 "bytes, e.g. the output of `openssl rand -hex 32`")
            return value
    log.warning("no MLHUB_COOKIE_SECRET: browser sessions are signed with a key of this process only "
                "(set it, the same on every replica, when running several)")
    return secrets.token_bytes(32)


def hub_app_and_address(db_url: str, artifact_root: str) -> tuple[web.Application, str, int]:
    """The service app and the ip/port JupyterHub told the service to listen on."""
    service_url = os.environ.get("JUPYTERHUB_SERVICE_URL")
    if not service_url or "JUPYTERHUB_API_TOKEN" not in os.environ:
        raise MLHubError(ErrorCode.INVALID, "`mlhub serve --hub` runs as a JupyterHub service: "
                         "JUPYTERHUB_SERVICE_URL and JUPYTERHUB_API_TOKEN must be set by the hub")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/mlhub/")
    url = urlparse(service_url)
    hub_auth = HubOAuth(api_token=os.environ["JUPYTERHUB_API_TOKEN"], cache_max_age=60)
    extra: dict[str, Any] = {
        "hub_auth": hub_auth,
        "mlhub.hub_users": HubUsers(hub_auth.api_url, os.environ["JUPYTERHUB_API_TOKEN"]),
        "cookie_secret": cookie_secret(),
    }
    # A shared database is never upgraded implicitly: `mlhub db upgrade` does it.
    settings = settings_from_config(MLHubConfigMixin(), "hub", db_url=db_url, artifact_root=artifact_root,
                                    auto_upgrade=False)
    app = make_app(settings, base_url=prefix, auth_base=HubAuthHandler, ws_base=HubAuthWebSocket,
                   extra_settings=extra)
    app.add_handlers(".*$", [(rf"{prefix.rstrip('/')}/oauth_callback", HubOAuthCallbackHandler)])
    return app, url.hostname or "127.0.0.1", url.port or 80


__all__ = ["HubAuthHandler", "HubAuthWebSocket", "cookie_secret", "hub_app_and_address"]
