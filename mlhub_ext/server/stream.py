"""The WebSocket stream: new metric points and run changes pushed to subscribers.

The registry calls listeners from whichever thread did the write (and, with several
replicas on PostgreSQL, the fan-out of ``services/fanout.py`` calls them with the events
written through the other replicas); the hub hops onto the event loop and fans each event out to the connections subscribed to its run or
its project. Access is checked when subscribing, through the registry (read access).

A subscriber may ask for pushed points in the compact form of :mod:`..core.point_codec`
(``{"subscribe": {..., "encoding": "delta-base64"}}``); without it, points come as JSON
lists, as older clients expect. Each event is encoded at most once per form.
"""
from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlparse
from typing import Any

from tornado import web
from tornado.websocket import WebSocketClosedError

from ..core.errors import ErrorCode, MLHubError, invalid, malformed, quoted
from ..core.point_codec import STREAM_ENCODING, encode_metrics_event
from ..core.service import Registry
from ..services.fanout import LocalFanout
from .handlers.base import HTTP_TO_CODE, MLHubAPIMixin, dumps, parse_json

log = logging.getLogger("mlhub.stream")


#: The registry events pushed to subscribers (others, such as ``tokens``, are for the replicas).
_STREAMED = frozenset({"metrics", "run", "job"})


class StreamHub:
    """Fans registry events out to WebSocket connections.

    ``fanout``: the stream across replicas (:class:`~mlhub_ext.services.fanout.LocalFanout`
    or ``PgFanout``): the other replicas' events arrive on its ``listeners``, and it is told
    what this replica's connections follow (:meth:`follow`)."""

    def __init__(self, registry: Registry, fanout: LocalFanout | None = None) -> None:
        self.registry = registry
        self.fanout = fanout or LocalFanout()
        self.connections: set["StreamHandlerMixin"] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        registry.listeners.append(self._from_any_thread)
        self.fanout.listeners.append(self._from_any_thread)

    def attach(self, conn: "StreamHandlerMixin") -> None:
        self.loop = asyncio.get_running_loop()
        self.connections.add(conn)

    def detach(self, conn: "StreamHandlerMixin") -> None:
        if conn in self.connections:
            self.connections.discard(conn)
            self._follow_now()   # only takes away: stored later, nothing waits here

    def _followed(self) -> tuple[set[str], set[str]]:
        runs: set[str] = set()
        projects: set[str] = set()
        for c in self.connections:
            runs |= getattr(c, "runs", set())
            projects |= getattr(c, "projects", set())
        return runs, projects

    def _follow_now(self) -> None:
        runs, projects = self._followed()
        if self.fanout.covers(runs, projects):
            self.fanout.want(runs, projects)

    async def follow(self) -> None:
        """Tell the other replicas what this one's connections follow now; once a
        subscription added to it, return only when they will send its points (a
        subscription is confirmed after this, so that history fetched then misses nothing)."""
        runs, projects = self._followed()
        if self.fanout.covers(runs, projects):
            self.fanout.want(runs, projects)   # nothing added: no write waited for
        else:
            try:
                await asyncio.get_running_loop().run_in_executor(None, self.fanout.want, runs, projects)
            except Exception as e:   # the subscription holds here; the other replicas may not send
                log.warning("the other replicas could not be told of a stream subscription; points logged "
                            "through them may not reach it: %s", e)

    def _from_any_thread(self, event: str, payload: dict[str, Any]) -> None:
        if event not in _STREAMED or self.loop is None or not self.connections or self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self._dispatch, event, payload)

    def _dispatch(self, event: str, payload: dict[str, Any]) -> None:
        if event == "metrics":
            run_id, project = payload["run"], payload["project"]
        else:
            run_id, project = payload["run"]["id"], payload["run"]["project"]
        messages: dict[str | None, bytes] = {}   # by encoding: each form built once
        for conn in list(self.connections):
            if run_id in conn.runs or project in conn.projects:
                form = conn.encoding if event == "metrics" else None
                message = messages.get(form)
                if message is None:
                    message = messages[form] = dumps(event_message(event, payload, form))
                conn.push(message)


def event_message(event: str, payload: dict[str, Any], encoding: str | None) -> dict[str, Any]:
    """The message of a registry event for a subscriber that asked for ``encoding``
    (None: JSON lists; :data:`STREAM_ENCODING`: the metrics event's series compact, with
    ``"encoding"`` in the message so a reader needs no state to decode it)."""
    if event == "metrics" and encoding == STREAM_ENCODING:
        return {"type": event, "run": payload["run"], "project": payload["project"], "encoding": encoding,
                "metrics": encode_metrics_event(payload["metrics"])}
    return {"type": event, **payload}


def stream_hub(settings: dict[str, Any]) -> StreamHub:
    """The hub the host built with the services (``server/host_settings.py``)."""
    return settings["mlhub.stream_hub"]


class JSONHandshakeMixin:
    """Tornado's WebSocket handshake refusals (plain text such as ``Can "Upgrade" only to
    "WebSocket".``, or an empty 426) answered in the API's JSON error shape instead.

    Put in front of a ``WebSocketHandler``; errors raised by handlers already go through
    ``write_error`` and pass untouched (their body is bytes)."""

    def finish(self, chunk: Any = None) -> Any:
        status = self.get_status()  # type: ignore[attr-defined]
        if status >= 400 and not self._headers_written and (chunk is None or isinstance(chunk, str)):  # type: ignore[attr-defined]
            said = chunk or self._reason  # type: ignore[attr-defined]
            message = (f"{self.request.path} is a WebSocket: open it with a WebSocket client "  # type: ignore[attr-defined]
                       f"(a GET with 'Upgrade: websocket' and 'Connection: Upgrade'); {said}")
            code = HTTP_TO_CODE.get(status, ErrorCode.MALFORMED)
            self.set_header("Content-Type", "application/json; charset=utf-8")  # type: ignore[attr-defined]
            chunk = dumps(MLHubError(code, message).to_json())
        return super().finish(chunk)  # type: ignore[misc]


class StreamHandlerMixin(JSONHandshakeMixin, MLHubAPIMixin):
    """Mixed in front of a WebSocket host base (see ``routes.api_routes``)."""

    runs: set[str]
    projects: set[str]
    encoding: str | None = None   # of pushed points: None (JSON lists) or STREAM_ENCODING

    async def get(self, *args: Any, **kwargs: Any) -> None:
        if not self.current_user:
            raise web.HTTPError(401, "authentication required for the stream")
        self.user = self.acting_user()
        self.runs, self.projects = set(), set()
        await super().get(*args, **kwargs)  # type: ignore[misc]

    def check_origin(self, origin: str | None = None) -> bool:
        """Same-origin only (or Jupyter's ``allow_origin``), even for token-authenticated
        clients: a page on another origin never gets to read someone's live metrics."""
        origin = origin or self.request.headers.get("Origin")
        if not origin:
            return True  # not a browser
        allowed = self.settings.get("allow_origin", "")
        if allowed == "*" or origin == allowed:
            return True
        pattern = self.settings.get("allow_origin_pat")
        if pattern is not None and pattern.match(origin):
            return True
        return urlparse(origin).netloc.lower() == self.request.headers.get("Host", "").lower()

    def open(self, *args: Any, **kwargs: Any) -> None:
        stream_hub(self.settings).attach(self)

    def on_close(self) -> None:
        stream_hub(self.settings).detach(self)

    def push(self, message: str | bytes) -> None:
        try:
            text = message.decode() if isinstance(message, bytes) else message
            self.write_message(text)  # type: ignore[attr-defined]
        except WebSocketClosedError:
            stream_hub(self.settings).detach(self)

    async def on_message(self, message: str | bytes) -> None:
        try:
            msg = parse_json(message, "a stream message")
            if not isinstance(msg, dict) or not ({"subscribe", "unsubscribe"} & set(msg)):
                raise malformed('expected {"subscribe": {"runs": [...], "projects": [...]}} or "unsubscribe"')
            if "subscribe" in msg:
                runs, projects = self._targets(msg["subscribe"])
                encoding = self._encoding(msg["subscribe"])
                for r in runs:
                    await self.call(self.registry.get_run, self.user, r)
                for p in projects:
                    await self.call(self.registry.get_project, self.user, p)
                self.runs |= set(runs)
                self.projects |= set(projects)
                if encoding is not None:
                    self.encoding = encoding or None
            if "unsubscribe" in msg:
                runs, projects = self._targets(msg["unsubscribe"])
                self.runs -= set(runs)
                self.projects -= set(projects)
            await stream_hub(self.settings).follow()
            self.push(dumps({"type": "subscribed", "runs": sorted(self.runs), "projects": sorted(self.projects),
                             "encoding": self.encoding or "json"}))
        except MLHubError as e:
            self.push(dumps({"type": "error", **e.to_json()}))

    @staticmethod
    def _encoding(spec: dict[str, Any]) -> str | None:
        """The subscribe message's ``encoding``: None when absent (keep the connection's),
        ``""`` for ``"json"`` (back to JSON lists), or :data:`STREAM_ENCODING`."""
        if "encoding" not in spec:
            return None
        asked = spec["encoding"]
        if asked == "json":
            return ""
        if asked != STREAM_ENCODING:
            raise invalid(f"unknown stream encoding {quoted(asked)}; use {quoted(STREAM_ENCODING)} or \"json\"")
        return asked

    @staticmethod
    def _targets(spec: Any) -> tuple[list[str], list[str]]:
        if not isinstance(spec, dict):
            raise malformed("subscribe/unsubscribe takes an object with 'runs' and/or 'projects' lists")
        runs, projects = spec.get("runs", []), spec.get("projects", [])
        if not (isinstance(runs, list) and isinstance(projects, list)
                and all(isinstance(x, str) for x in runs + projects)):
            raise malformed("'runs' and 'projects' must be lists of strings")
        return runs, projects
