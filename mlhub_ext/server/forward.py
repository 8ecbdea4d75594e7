"""Hub mode: the single-user server forwards /mlhub/api/v1/* to the shared ML Hub service.

The request goes out with the server's own JupyterHub API token, which acts as the
user who owns this server, so the lab and the kernel SDK keep talking to one URL.
"""
from __future__ import annotations

import os
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import httpclient

from .handlers.base import MLHubAPIMixin, api

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "content-length", "content-encoding"}


class ForwardHandler(MLHubAPIMixin, APIHandler):
    async def _forward(self, path: str) -> None:
        base = self.settings["mlhub.hub_service_url"].rstrip("/")
        url = f"{base}/mlhub/api/v1/{path}"
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
    return [(f"{prefix.rstrip('/')}/?(?P<path>.*)", ForwardHandler)]

