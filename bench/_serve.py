"""Start a real `mlhub serve` on a temporary SQLite registry for a benchmark."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests


class Server:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="mlhub-bench-"))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.env = {**os.environ, "MLHUB_DATA_DIR": str(self.dir), "MLHUB_RATE_LIMIT": "0"}
        self.url = f"http://127.0.0.1:{self.port}/"
        self.token = subprocess.run([sys.executable, "-m", "mlhub_ext.cli", "token", "create", "--user", "bench"],
                                    env=self.env, check=True, capture_output=True, text=True).stdout.strip()
        self.proc = subprocess.Popen([sys.executable, "-m", "mlhub_ext.cli", "serve", "--port", str(self.port)],
                                     env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                requests.get(self.url + "mlhub/api/v1/openapi.json", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {self.token}"

    def get(self, path: str, **kw) -> requests.Response:  # type: ignore[no-untyped-def]
        r = self.session.get(self.url + "mlhub/api/v1/" + path, timeout=60, **kw)
        r.raise_for_status()
        return r

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(15)
