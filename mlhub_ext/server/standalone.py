"""``mlhub serve``: the registry as its own tornado app, with ML Hub tokens or JupyterHub auth."""
from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.websocket import WebSocketHandler

from ..core.errors import ErrorCode, MLHubError
from ..services.container import SETTINGS_KEY, Services
from ..services.settings import Settings
from .handlers.base import bearer_token
from .handlers.mlflow import MLFLOW_BASE
from .host_settings import host_settings
from .routes import api_routes, mlflow_routes

API_BASE = "/mlhub/api/v1"
log = logging.getLogger("mlhub.serve")


class TokenAuthHandler(web.RequestHandler):
    """Host base for standalone mode: callers present an ML Hub API token."""

    def get_current_user(self) -> str | None:
        token = bearer_token(self)
        rec = self.settings[SETTINGS_KEY].registry.check_token(token) if token else None
        self.mlhub_token = rec   # its scope decides whether writes are allowed
        return rec.user if rec else None

    def auth_hint(self) -> str:
        if bearer_token(self):
            return "the API token is unknown, revoked or expired"
        return ("missing API token: send 'Authorization: token <token>' "
                "(create one with `mlhub token create --user NAME`)")

    def check_xsrf_cookie(self) -> None:
        # Only tokens authenticate here, never cookies, so there is no cross-site request to forge.
        return None


class TokenAuthWebSocket(TokenAuthHandler, WebSocketHandler):
    """WebSocket host base for standalone mode; tornado refuses cross-origin browsers."""


class PublicHandler(web.RequestHandler):
    def check_xsrf_cookie(self) -> None:
        return None


def make_app(settings: Settings, base_url: str = "/", auth_base: type = TokenAuthHandler,
             ws_base: type = TokenAuthWebSocket, extra_settings: dict[str, Any] | None = None) -> web.Application:
    """The tornado application of the standalone registry (``auth_base`` picks token or hub auth).

    Builds the :class:`Services` from ``settings`` (failing the jobs an earlier process left
    running; Dask starts on the first job); :func:`serve` closes them when it stops."""
    prefix = base_url.rstrip("/") + API_BASE
    rules = api_routes(prefix, auth_base, PublicHandler, ws_base)
    rules += mlflow_routes(base_url.rstrip("/") + MLFLOW_BASE, auth_base)
    services = Services.build(settings)
    return web.Application(rules, **host_settings(services, prefix), log_function=log_request,
                           **(extra_settings or {}))


async def serve(app: web.Application, ip: str, port: int) -> None:
    """Serve until SIGINT/SIGTERM (a JupyterHub-managed service must stop promptly on SIGTERM)."""
    server = HTTPServer(app, xheaders=True, max_body_size=1 << 30)
    server.listen(port, ip)
    log.info("ML Hub API on http://%s:%s%s", ip, port, app.settings["mlhub.api_base"])
    print(f"ML Hub API on http://{ip}:{port}{app.settings['mlhub.api_base']}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.stop()
    app.settings[SETTINGS_KEY].close()


def check_listen_ip(ip: str) -> None:
    if not ip:
        raise MLHubError(ErrorCode.INVALID, "--ip must not be empty")


def log_request(handler: web.RequestHandler) -> None:
    """Tornado's access log line, minus query strings (a WebSocket may carry ?token=).
    Successes are logged at debug level, as jupyter_server does (its ``log_request``): a
    logging client posts ten times a second, and a line per post cost the event loop a
    write to the log (about 5 % of its time under load)."""
    status = handler.get_status()
    level = (log.debug if status < 300 or status == 304 else log.info if status < 400
             else log.warning if status < 500 else log.error)
    req = handler.request
    level("%d %s %s (%s) %.2fms", status, req.method, req.path, req.remote_ip, 1000.0 * req.request_time())
