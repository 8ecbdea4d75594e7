"""A client of the ``/mlhub/api/v1/stream`` WebSocket, in a daemon thread.

Used by live widgets for runs logged elsewhere (another process, a Dask worker).
Reconnects with backoff; after a reconnect it emits ``{"type": "reconnected"}`` so a
consumer can re-read what it may have missed over REST.

Points are asked for in the stream's compact form (:mod:`mlhub_ext.core.point_codec`) and
handed to the consumer decoded, in the JSON form (``{"steps": [...], "values": [...],
"timestamps": [...]}``, non-finite values as strings), whichever form the server sent.
"""
from __future__ import annotations

import json
import logging
import threading
from typing import Any, Callable, Iterable

from tenacity import RetryError, Retrying, retry_if_exception_type, wait_exponential

from ..core.errors import MLHubError
from ..core.point_codec import STREAM_ENCODING, decode_metrics_event
from .config import Connection

_logger = logging.getLogger("mlhub_ext.client")
Handler = Callable[[dict[str, Any]], None]


def stream_url(conn: Connection) -> str:
    return "ws" + conn.api[len("http"):] + "stream"


class _Closed(Exception):
    """Raised out of a pause between tries when the subscription is closed."""


class Subscription:
    """Subscribe to runs and/or projects; ``on_event`` gets every decoded message."""

    def __init__(self, conn: Connection, on_event: Handler, runs: Iterable[str] = (),
                 projects: Iterable[str] = (), encoding: str = STREAM_ENCODING) -> None:
        """``encoding``: the form points travel in (``"json"`` for JSON lists); either way
        ``on_event`` gets them as JSON lists."""
        self.conn = conn
        self.encoding = encoding
        self.on_event = on_event
        self.runs, self.projects = list(runs), list(projects)
        self.subscribed = threading.Event()
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._ws: Any = None
        self._thread = threading.Thread(target=self._loop, daemon=True, name="mlhub-stream")
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        ws = self._ws
        if ws is not None:
            try:
                ws.close()
            except Exception:
                pass
        self._thread.join(timeout=2)

    def _connect(self) -> Any:
        """An open WebSocket, after as many tries as it takes (0.2 s between the first ones,
        doubling to 5 s); None once the subscription is closed."""
        import websocket  # websocket-client; only needed once something subscribes

        headers = [f"Authorization: token {self.conn.token}"] if self.conn.token else []

        def connect() -> Any:
            try:
                # No Origin header: this is not a browser, and the server refuses
                # cross-origin browser connections.
                return websocket.create_connection(stream_url(self.conn), header=headers,
                                                   timeout=10, suppress_origin=True)
            except (websocket.WebSocketException, OSError) as exc:
                self.last_error = f"cannot open the stream at {stream_url(self.conn)}: {exc}"
                raise

        retrying = Retrying(wait=wait_exponential(multiplier=0.2, max=5.0),
                            retry=retry_if_exception_type((websocket.WebSocketException, OSError)),
                            stop=lambda _: self._stop.is_set(), sleep=self._pause)
        try:
            return retrying(connect)
        except (RetryError, _Closed):    # closed while it could not connect
            return None

    def _pause(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Closed

    def _loop(self) -> None:
        import websocket

        connected_before = False
        while not self._stop.is_set():
            ws = self._connect()
            if ws is None:
                return
            self._ws = ws
            try:
                ws.send(json.dumps({"subscribe": {"runs": self.runs, "projects": self.projects,
                                                  "encoding": self.encoding}}))
                if connected_before:
                    self._emit({"type": "reconnected"})
                connected_before = True
                ws.settimeout(0.5)
                while not self._stop.is_set():
                    try:
                        text = ws.recv()
                    except websocket.WebSocketTimeoutException:
                        continue
                    if not text:
                        break
                    msg = decode_message(json.loads(text))
                    if msg is None:
                        continue
                    if msg.get("type") == "subscribed":
                        self.subscribed.set()
                    elif msg.get("type") == "error":
                        self.last_error = msg.get("error", {}).get("message")
                    self._emit(msg)
            except (websocket.WebSocketException, OSError, ValueError) as exc:
                self.last_error = f"stream at {stream_url(self.conn)} dropped: {exc}"
            finally:
                self._ws = None
                try:
                    ws.close()
                except Exception:
                    pass
            if self._stop.wait(0.2):     # a short pause before reconnecting
                return

    def _emit(self, msg: dict[str, Any]) -> None:
        try:
            self.on_event(msg)
        except Exception:
            _logger.exception("mlhub: a stream handler failed")


def decode_message(msg: Any) -> dict[str, Any] | None:
    """A stream message with compact points decoded to JSON lists (others unchanged);
    None (logged) for a metrics message that cannot be decoded."""
    if isinstance(msg, dict) and msg.get("type") == "metrics" and msg.get("encoding") == STREAM_ENCODING:
        try:
            metrics = decode_metrics_event(msg.get("metrics"))
        except MLHubError as exc:
            _logger.warning("mlhub: a stream message could not be decoded: %s", exc)
            return None
        return {k: v for k, v in msg.items() if k != "encoding"} | {"metrics": metrics}
    return msg
