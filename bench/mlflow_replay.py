"""An MLflow tracking server that answers at once, for bench/mlflow_compat.py's client floor.

    python bench/mlflow_replay.py UPSTREAM_URL      (prints "listening on PORT", then serves)

It first *records*: every request is forwarded to ``UPSTREAM_URL`` (ML Hub's ``mlhub serve``,
same path, same headers) and the answer kept, the first one under each key
``(method, path, page_token)``. ``POST /__replay__/replay`` switches it to *replaying*: each
request is answered from memory with the recorded bytes, without parsing its body unless it
names a ``page_token``, and without any other work; a request whose key was never recorded is
still forwarded (``GET /__replay__/stats`` counts them: ``{"replayed": n, "forwarded": n}``).

Replaying the same client workload then measures what the client itself costs (building its
protobuf requests, HTTP through ``requests``, parsing the answers into protobuf and entities)
over a server that costs next to nothing: the best any server could give that client. Any id
in a request is answered with the recorded one (every ``runs/create`` returns the same run),
which the workload of bench/peers/mlflow_compat_client.py does not notice.

HTTP/1.1 with keep-alive on asyncio streams (no framework: the point is to add as little as
possible); bodies by Content-Length only, as MLflow's client (``requests``) sends them.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import sys
from urllib.parse import parse_qs, urlsplit

Key = tuple[str, str, str]
CONTROL = "/__replay__/"


class Replay:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.recording = True
        self.answers: dict[Key, tuple[int, bytes]] = {}
        self.stats = {"replayed": 0, "forwarded": 0}   # while replaying
        self._conn: http.client.HTTPConnection | None = None

    def key(self, method: str, target: str, body: bytes) -> Key:
        path, _, query = target.partition("?")
        token = ""
        if query and "page_token" in query:
            token = parse_qs(query).get("page_token", [""])[0]
        elif b"page_token" in body:
            token = str(json.loads(body).get("page_token") or "")
        return method, path, token

    def forward(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        """The upstream's answer (blocking: one client at a time is what the bench runs)."""
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=600)
            try:
                self._conn.request(method, target, body=body or None, headers=headers)
                resp = self._conn.getresponse()
                return resp.status, resp.read()
            except (ConnectionError, http.client.HTTPException):   # upstream closed the keep-alive
                self._conn.close()
                self._conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if target.startswith(CONTROL):
            if target == CONTROL + "replay":
                self.recording = False
            return 200, json.dumps({**self.stats, "recorded": len(self.answers)}).encode()
        key = self.key(method, target, body)
        if not self.recording and (found := self.answers.get(key)) is not None:
            self.stats["replayed"] += 1
            return found
        if not self.recording:
            self.stats["forwarded"] += 1
        status, data = self.forward(method, target, headers, body)
        if self.recording and status == 200:
            self.answers.setdefault(key, (status, data))
        return status, data

    async def serve_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip()] = value.strip()
                length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
                body = await reader.readexactly(length) if length else b""
                forwarded = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
                status, data = self.answer(method, target, forwarded, body)
                writer.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                             % (status, b"OK" if status == 200 else b"ERROR", len(data)) + data)
                await writer.drain()
        finally:
            writer.close()


async def main(upstream: str) -> None:
    replay = Replay(upstream)
    server = await asyncio.start_server(replay.serve_connection, "127.0.0.1", 0)
    print("listening on", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
