"""Hub mode: the single-user server forwards /mlhub/api/v1/* to the shared ML Hub service.

The request goes out with the server's own JupyterHub API token, which acts as the
user who owns this server, so the lab and the kernel SDK keep talking to one URL.
"""
from __future__ import annotations

import os
from typing import Any

import json
from urllib.parse import urlparse

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from tornado import httpclient, web
from tornado.websocket import WebSocketClosedError, WebSocketHandler, websocket_connect

from .handlers.base import MLHubAPIMixin, api
from .stream import JSONHandshakeMixin

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "content-length", "content-encoding"}


class ForwardHandler(MLHubAPIMixin, APIHandler):
    upstream_prefix = "/mlhub/api/v1/"

    async def _forward(self, path: str) -> None:
        base = self.settings["mlhub.hub_service_url"].rstrip("/")
        url = f"{base}{self.upstream_prefix}{path}"
        if self.request.query:
            url += "?" + self.request.query
        headers = {"Authorization": f"token {os.environ.get('JUPYTERHUB_API_TOKEN', '')}",
                   "Content-Type": self.request.headers.get("Content-Type", "application/json")}
        body = self.request.body if self.request.method in ("POST", "PUT", "PATCH") else None
        req = httpclient.HTTPRequest(url, method=self.request.method, headers=headers, body=body,
                                     allow_nonstandard_methods=True, request_timeout=300)
        client = httpclient.AsyncHTTPClient()
        resp = await client.fetch(req, raise_error=False)
        if resp.code == 599:
            from ...core.errors import ErrorCode, MLHubError
            raise MLHubError(ErrorCode.UNAVAILABLE, f"the ML Hub service at {base} cannot be reached: {resp.error}")
        self.set_status(resp.code)
        for k, v in resp.headers.get_all():
            if k.lower() not in HOP_BY_HOP and k.lower() not in ("server", "date", "set-cookie"):
                self.set_header(k, v)
        self.finish(resp.body or b"")

    @api
    async def get(self, path: str) -> None:
        await self._forward(path)

    @api
    async def post(self, path: str) -> None:
        await self._forward(path)

    @api
    async def put(self, path: str) -> None:
        await self._forward(path)

    @api
    async def patch(self, path: str) -> None:
        await self._forward(path)

    @api
    async def delete(self, path: str) -> None:
        await self._forward(path)


def forward_routes(prefix: str) -> list[tuple[Any, ...]]:
    base = prefix.rstrip("/")
    return [(f"{base}/stream$", ForwardStreamHandler), (f"{base}/?(?P<path>.*)", ForwardHandler)]


class ForwardMlflowHandler(ForwardHandler):
    """Hub mode: MLflow's API (``/mlhub/mlflow/*``) forwarded to the service as the user; the
    service answers in MLflow's shapes, passed through unchanged."""

    upstream_prefix = "/mlhub/mlflow/"


def forward_mlflow_routes(prefix: str) -> list[tuple[Any, ...]]:
    return [(f"{prefix.rstrip('/')}/?(?P<path>.*)", ForwardMlflowHandler)]



class ForwardStreamHandler(JSONHandshakeMixin, MLHubAPIMixin, JupyterHandler, WebSocketHandler):
    """Hub mode: relays the browser's stream WebSocket to the service's, both ways.

    The browser authenticates to its own single-user server (cookie, same origin); the
    relay connects upstream with the server's hub token, which acts as the same user.
    """

    upstream: Any = None

    def check_origin(self, origin: str | None = None) -> bool:
        origin = origin or self.request.headers.get("Origin")
        if not origin:
            return True
        return urlparse(origin).netloc.lower() == self.request.headers.get("Host", "").lower()

    async def get(self, *args: Any, **kwargs: Any) -> None:
        if not self.current_user:
            raise web.HTTPError(401, "authentication required for the stream")
        await super().get(*args, **kwargs)

    async def open(self, *args: Any, **kwargs: Any) -> None:
        base = self.settings["mlhub.hub_service_url"].rstrip("/")
        url = base.replace("http", "ws", 1) + "/mlhub/api/v1/stream"
        req = httpclient.HTTPRequest(url, headers={"Authorization": f"token {os.environ.get('JUPYTERHUB_API_TOKEN', '')}"})
        try:
            self.upstream = await websocket_connect(req, on_message_callback=self._from_upstream)
        except Exception as e:  # the service is down or refused: tell the client, then close
            self.write_message(json.dumps({"type": "error", "error": {
                "code": "unavailable", "message": f"the ML Hub service stream cannot be reached: {e}"}}))
            self.close(1011)

    def _from_upstream(self, message: str | bytes | None) -> None:
        if message is None:  # upstream closed
            self.close()
            return
        try:
            self.write_message(message)
        except WebSocketClosedError:
            pass

    def on_message(self, message: str | bytes) -> None:
        if self.upstream is not None:
            self.upstream.write_message(message)

    def on_close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()
            self.upstream = None
