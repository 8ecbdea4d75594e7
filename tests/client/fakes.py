"""A scripted stand-in for the HTTP seam, to test delivery logic without a server."""
from __future__ import annotations

import json
import threading
from typing import Any

from mlhub_ext.client.batch import decode_columns
from mlhub_ext.client.config import Connection
from mlhub_ext.client.http import HTTPClient
from mlhub_ext.core.errors import MLHubError


class FakeHTTP(HTTPClient):
    """Applies metric batches exactly once per seq, like the registry; can fail on demand."""

    def __init__(self, binary: bool = True) -> None:
        self.conn = Connection("http://fake.invalid/", "t")
        self.binary = binary
        self.fail_with: MLHubError | None = None
        self.points: dict[str, list[tuple[int, float]]] = {}
        self.seqs: list[int] = []
        self.patches: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def clone(self) -> "FakeHTTP":
        return self

    def close(self) -> None:
        pass

    def request(self, method: str, path: str, **kw: Any) -> Any:
        with self.lock:
            if self.fail_with is not None:
                raise self.fail_with
            body = json.loads(kw["data"]) if kw.get("data") is not None else kw.get("json")
            if path.endswith("/metrics") and method == "POST":
                if "encoding" in body and not self.binary:
                    raise MLHubError("invalid", "unknown field(s) for a metric batch: encoding")
                if body["seq"] in self.seqs:
                    return {"accepted": 0, "duplicate": True, "last_seq": max(self.seqs)}
                self.seqs.append(body["seq"])
                n = 0
                for key, (steps, values, _) in decode_columns(body).items():
                    self.points.setdefault(key, []).extend(zip(steps, values))
                    n += len(steps)
                return {"accepted": n, "duplicate": False, "last_seq": body["seq"]}
            if method == "PATCH":
                self.patches.append(body)
                return {}
            return {}
