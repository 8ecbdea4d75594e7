"""Drive a running hub like a browser: OAuth sign-in (GitHub, OIDC), spawn, lab, kernels.

Redirects are followed by hand so every hop of the OAuth chain is seen (and the fake
provider's ``&login=<name>`` test hook can be added to its authorize URL).
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlparse

import requests
import websocket

REDIRECTS = {301, 302, 303, 307, 308}


@dataclass
class Hop:
    method: str
    url: str
    status: int


@dataclass
class HubUser:
    """One person's browser session against the hub at ``base`` (``http://host:port``)."""

    base: str
    github_url: str
    name: str
    session: requests.Session = field(default_factory=requests.Session)
    hops: list[Hop] = field(default_factory=list)
    # The provider's authorize endpoint (gets the fake's ``&login=``); GitHub's by default.
    authorize_url: str = ""

    # --- sign-in ------------------------------------------------------------------------
    def follow(self, url: str, stop_at: str | None = None, max_hops: int = 20) -> requests.Response:
        """GET ``url`` and follow redirects by hand, stopping at a path starting ``stop_at``."""
        url = urljoin(self.base, url)
        authorize = self.authorize_url or f"{self.github_url}/login/oauth/authorize"
        for _ in range(max_hops):
            if url.startswith(f"{authorize}?"):
                url += f"&login={self.name}"
            response = self.session.get(url, allow_redirects=False, timeout=30)
            self.hops.append(Hop("GET", url, response.status_code))
            if response.status_code not in REDIRECTS:
                return response
            url = urljoin(url, response.headers["Location"])
            if stop_at and urlparse(url).path.startswith(stop_at):
                self.hops.append(Hop("GET", url, 0))
                return response
        raise AssertionError(f"more than {max_hops} redirects: {[h.url for h in self.hops[-5:]]}")

    def sign_in(self, spawn: bool = True) -> requests.Response:
        """The full OAuth chain from the hub's login to its landing page.

        With ``spawn`` the chain goes on to /hub/spawn (which starts the server) and stops
        at the spawn-pending page; without, it stops before /hub/spawn.
        """
        stop_at = "/hub/spawn-pending/" if spawn else "/hub/spawn"
        return self.follow("/hub/oauth_login?next=/hub/", stop_at=stop_at)

    def visited(self, path_prefix: str) -> bool:
        return any(urlparse(h.url).path.startswith(path_prefix) for h in self.hops)

    # --- hub API with the browser cookie -------------------------------------------------
    def hub_api(self, method: str, path: str, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        xsrf = self.cookie("_xsrf", "/hub/")
        if xsrf:
            headers["X-XSRFToken"] = xsrf
        return self.session.request(
            method, f"{self.base}/hub/api{path}", headers=headers, timeout=30, **kw
        )

    def model(self) -> dict:
        response = self.hub_api("GET", "/user")
        response.raise_for_status()
        return response.json()

    def wait_ready(self, timeout: float = 90) -> dict:
        """Poll the hub until this user's default server is ready; its server model."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = self.model().get("servers", {}).get("")
            if server and server.get("ready"):
                return server
            time.sleep(0.5)
        raise AssertionError(f"{self.name}'s server not ready after {timeout}s: {self.model()}")

    def new_token(self, note: str, **body) -> str:
        """A hub API token of this user, made through the hub API like the token page does."""
        response = self.hub_api("POST", f"/users/{self.name}/tokens", json={"note": note, **body})
        response.raise_for_status()
        return response.json()["token"]

    # --- the single-user server ---------------------------------------------------------
    @property
    def server_prefix(self) -> str:
        return f"/user/{self.name}/"

    def open_lab(self) -> requests.Response:
        """Open /user/<name>/lab: runs the server's own OAuth and sets its cookie."""
        response = self.follow(f"{self.server_prefix}lab")
        assert response.status_code == 200, (response.status_code, self.hops[-3:])
        return response

    def cookie(self, name: str, path: str) -> str | None:
        for c in self.session.cookies:
            if c.name == name and c.path.rstrip("/") == path.rstrip("/"):
                return c.value
        return None

    def server_api(self, method: str, path: str, **kw) -> requests.Response:
        headers = kw.pop("headers", {})
        xsrf = self.cookie("_xsrf", self.server_prefix)
        if xsrf:
            headers["X-XSRFToken"] = xsrf
        return self.session.request(
            method, f"{self.base}{self.server_prefix}{path.lstrip('/')}", headers=headers,
            timeout=60, **kw
        )

    def cookie_header(self, path: str) -> str:
        """The Cookie header a browser sends to ``path``."""
        return "; ".join(
            f"{c.name}={c.value}" for c in self.session.cookies if path.startswith(c.path)
        )

    def start_kernel(self) -> "Kernel":
        response = self.server_api("POST", "api/kernels", json={"name": "python3"})
        assert response.status_code == 201, (response.status_code, response.text)
        kernel_id = response.json()["id"]
        path = f"{self.server_prefix}api/kernels/{kernel_id}/channels"
        ws = websocket.create_connection(
            "ws" + self.base[len("http"):] + path,
            header=[f"Cookie: {self.cookie_header(path)}"],
            origin=self.base,
            timeout=120,
        )
        return Kernel(self, kernel_id, ws)


@dataclass
class Execution:
    status: str
    stdout: str
    error: str


@dataclass
class Kernel:
    """A kernel of a user's server, spoken to over its websocket."""

    owner: HubUser
    id: str
    ws: websocket.WebSocket
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def execute(self, code: str, timeout: float = 120) -> Execution:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session_id,
                       "username": self.owner.name, "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        stdout, error, status = [], [], None
        idle = False
        deadline = time.monotonic() + timeout
        while not (idle and status) and time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                (stdout if content["name"] == "stdout" else error).append(content["text"])
            elif kind == "error":
                error.append(f"{content['ename']}: {content['evalue']}\n" + "\n".join(content["traceback"]))
            elif kind == "execute_reply":
                status = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        if status is None:
            raise AssertionError(f"no execute_reply within {timeout}s; output so far: {''.join(stdout)}")
        return Execution(status, "".join(stdout), "".join(error))

    def shutdown(self) -> None:
        try:
            self.ws.close()
        finally:
            self.owner.server_api("DELETE", f"api/kernels/{self.id}")
