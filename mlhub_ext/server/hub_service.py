"""``mlhub serve --hub``: the registry as a JupyterHub-managed service.

JupyterHub starts it with ``JUPYTERHUB_SERVICE_URL`` (where to listen),
``JUPYTERHUB_SERVICE_PREFIX`` (its path behind the proxy) and ``JUPYTERHUB_API_TOKEN``.
Callers are hub users: their API tokens (the single-user servers forward with theirs) or
the hub's OAuth cookie for browser visits; XSRF is checked by ``HubOAuth`` for the latter.
"""
from __future__ import annotations

import os
import secrets
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated
from tornado import web
from tornado.websocket import WebSocketHandler

from ..core.errors import ErrorCode, MLHubError
from .standalone import make_app


class HubAuthHandler(HubOAuthenticated, web.RequestHandler):
    """Host base: the caller is the hub user behind the token or OAuth cookie."""

    def get_login_url(self) -> str:
        # An API never redirects to a login page; callers send their hub token.
        raise MLHubError(ErrorCode.UNAUTHENTICATED, self.auth_hint())

    def auth_hint(self) -> str:
        return "send 'Authorization: token <JupyterHub API token>' (JUPYTERHUB_API_TOKEN in a user's server)"


class HubAuthWebSocket(HubAuthHandler, WebSocketHandler):
    """WebSocket host base under hub auth."""


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
        "cookie_secret": secrets.token_bytes(32),
    }
    app = make_app(db_url, artifact_root, base_url=prefix, mode="hub", auth_base=HubAuthHandler,
                   ws_base=HubAuthWebSocket, auto_upgrade=False, extra_settings=extra)
    app.add_handlers(".*$", [(rf"{prefix.rstrip('/')}/oauth_callback", HubOAuthCallbackHandler)])
    return app, url.hostname or "127.0.0.1", url.port or 80


__all__ = ["HubAuthHandler", "HubAuthWebSocket", "hub_app_and_address"]
