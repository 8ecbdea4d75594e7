"""Hub mode: the single-user server forwards /mlhub/api/v1/* to the shared ML Hub service.

The request goes out with the server's own JupyterHub API token, which acts as the
user who owns this server, so the lab and the kernel SDK keep talking to one URL.
"""
from __future__ import annotations

import os
from typing import Any

import json
import logging
from urllib.parse import urlparse

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from tornado import httpclient, httputil, web
from tornado.websocket import WebSocketClosedError, WebSocketHandler, websocket_connect

from .handlers.base import MLHubAPIMixin, api
from .handlers.spool import SpooledBodyMixin
from .stream import JSONHandshakeMixin

log = logging.getLogger("mlhub.forward")

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "content-length", "content-encoding"}


class ForwardHandler(SpooledBodyMixin, MLHubAPIMixin, APIHandler):
    """Relays one request to the service and its answer back, streaming both bodies.

    The request body is spooled as it arrives (:class:`~.handlers.spool.SpooledBodyMixin`)
    and sent upstream from there; the answer is written to the client chunk by chunk as
    it comes, so a model file or a dataset download of any size never sits whole in the
    single-user server's memory.
    """

    upstream_prefix = "/mlhub/api/v1/"

    def prepare(self) -> Any:
        result = super().prepare()
        # the service enforces its own body limits (it answers 413 in JSON); the relay only moves bytes
        self.start_spool()
        return result

    async def _forward(self, path: str) -> None:
        base = self.settings["mlhub.hub_service_url"].rstrip("/")
        url = f"{base}{self.upstream_prefix}{path}"
        if self.request.query:
            url += "?" + self.request.query
        headers = {"Authorization": f"token {os.environ.get('JUPYTERHUB_API_TOKEN', '')}",
                   "Content-Type": self.request.headers.get("Content-Type", "application/json")}
        producer = None
        spool = self._spool
        if spool is not None:
            headers["Content-Length"] = str(spool.tell())

            async def producer(write: Any) -> None:
                for chunk in self.spooled_chunks():
                    await write(chunk)

        relay = _Relay(self)
        req = httpclient.HTTPRequest(url, method=self.request.method, headers=headers,
                                     body_producer=producer,
                                     allow_nonstandard_methods=True, request_timeout=3600,
                                     header_callback=relay.header_line, streaming_callback=relay.chunk)
        client = httpclient.AsyncHTTPClient()
        resp = await client.fetch(req, raise_error=False)
        if resp.code == 599 and not relay.started:
            from ..core.errors import ErrorCode, MLHubError
            raise MLHubError(ErrorCode.UNAVAILABLE, f"the ML Hub service at {base} cannot be reached: {resp.error}")
        if resp.code == 599:
            log.warning("the ML Hub service dropped %s %s midway: %s", self.request.method, path, resp.error)
        if not relay.started:   # an answer without a body
            relay.start()
        await self.flush()
        self.finish()

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



class _Relay:
    """Copies the service's status line, headers and body chunks onto the client's answer.

    tornado's client calls :meth:`header_line` once per header line (the status line first,
    a blank line last) and :meth:`chunk` for each piece of the body; a redirect's lines are
    discarded when the client follows it.
    """

    def __init__(self, handler: ForwardHandler) -> None:
        self.handler = handler
        self.status: httputil.ResponseStartLine | None = None
        self.headers = httputil.HTTPHeaders()
        self.started = False

    def header_line(self, line: str) -> None:
        if line.startswith("HTTP/"):
            self.status = httputil.parse_response_start_line(line.rstrip("\r\n"))
            self.headers = httputil.HTTPHeaders()
        elif line.strip():
            self.headers.parse_line(line)

    def start(self) -> None:
        self.started = True
        h = self.handler
        if self.status is not None:
            h.set_status(self.status.code, self.status.reason)
        h.clear_header("Content-Type")
        for k, v in self.headers.get_all():
            if k.lower() not in HOP_BY_HOP and k.lower() not in ("server", "date", "set-cookie"):
                h.set_header(k, v)

    def chunk(self, data: bytes) -> None:
        if self.status is not None and self.status.code in (301, 302, 303, 307, 308):
            return   # the client follows the redirect; only the final answer is relayed
        if not self.started:
            self.start()
        self.handler.write(data)
        # no backpressure hook in tornado's client callbacks: flush so chunks leave as they come
        self.handler.flush()

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
