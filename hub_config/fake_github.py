"""A small GitHub-compatible OAuth provider for trials and end-to-end tests.

It speaks the part of GitHub that oauthenticator's ``GitHubOAuthenticator`` calls when
its ``github_url`` points here (API under ``/api/v3``):

- ``GET  /login/oauth/authorize`` -> 302 to ``redirect_uri?code&state``. Without a
  ``login`` parameter it shows a form asking which user to be; ``&login=<name>`` on the
  URL picks the identity directly (the test hook).
- ``POST /login/oauth/access_token`` -> ``{"access_token", "token_type", "scope"}``,
  checking client id/secret, the single-use code, redirect URI and the PKCE verifier.
- ``GET  /api/v3/user``, ``/api/v3/user/emails``, ``/api/v3/user/teams``,
  ``/api/v3/user/orgs``, ``/api/v3/orgs/<org>/members/<login>`` (204/404) and
  ``/api/v3/orgs/<org>/teams/<team>/members/<login>`` (204/404).

Any login name signs in (this is a fake: it authenticates nobody); whether the hub lets
that user in is the hub's allow-list decision. Listens on 127.0.0.1 only.

    python fake_github.py --port 9000 --org mlhub-trial=alice,bob --team mlhub-trial/ml-leads=alice
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import html
import json
import re
import secrets
import signal
import time
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tornado import web

LOGIN_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
CODE_TTL_S = 600


@dataclass
class Grant:
    """What an authorization code stands for until it is exchanged."""

    login: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    created: float = field(default_factory=time.time)


@dataclass
class Directory:
    """Clients, org/team membership and the codes and tokens handed out so far."""

    clients: dict[str, str]
    orgs: dict[str, set[str]]
    teams: dict[tuple[str, str], set[str]]
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> (login, scope)

    def user(self, login: str) -> dict:
        return {
            "login": login,
            "id": 1000 + zlib.crc32(login.encode()) % 100000,
            "name": login.capitalize(),
            "email": f"{login}@example.org",
            "type": "User",
        }


class Base(web.RequestHandler):
    def initialize(self, directory: Directory) -> None:
        self.d = directory

    def send_json(self, body: object, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(body))

    def caller(self) -> str:
        """The login owning the request's access token; 401 like GitHub otherwise."""
        auth = self.request.headers.get("Authorization", "")
        kind, _, token = auth.partition(" ")
        if kind.lower() not in {"bearer", "token"} or token not in self.d.tokens:
            self.send_json({"message": "Bad credentials"}, 401)
            raise web.Finish()
        return self.d.tokens[token][0]


class AuthorizeHandler(Base):
    def get(self) -> None:
        client_id = self.get_argument("client_id", "")
        redirect_uri = self.get_argument("redirect_uri", "")
        if client_id not in self.d.clients or not redirect_uri.startswith(("http://", "https://")):
            raise web.HTTPError(400, "unknown client_id or bad redirect_uri")
        login = self.get_argument("login", "")
        if not login:
            self.finish(self.form())
            return
        if not LOGIN_RE.match(login):
            raise web.HTTPError(400, "not a GitHub login name")
        code = secrets.token_urlsafe(24)
        self.d.codes[code] = Grant(
            login=login,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=self.get_argument("scope", ""),
            code_challenge=self.get_argument("code_challenge", ""),
        )
        sep = "&" if "?" in redirect_uri else "?"
        query = {"code": code}
        if self.get_argument("state", None) is not None:
            query["state"] = self.get_argument("state")
        self.redirect(f"{redirect_uri}{sep}{urlencode(query)}")

    def form(self) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v[-1].decode())}">'
            for k, v in self.request.arguments.items()
        )
        return (
            "<!doctype html><title>Fake GitHub</title><h1>Fake GitHub sign-in</h1>"
            "<p>Trial provider: type any GitHub login name. The hub decides who is allowed.</p>"
            f'<form method="get">{hidden}<input name="login" autofocus placeholder="alice">'
            '<button type="submit">Sign in</button></form>'
        )


class AccessTokenHandler(Base):
    def post(self) -> None:
        client_id = self.get_argument("client_id", "")
        if self.d.clients.get(client_id) != self.get_argument("client_secret", None):
            self.send_json({"error": "incorrect_client_credentials",
                            "error_description": "The client_id and/or client_secret are incorrect."})
            return
        grant = self.d.codes.pop(self.get_argument("code", ""), None)
        if (
            grant is None
            or grant.client_id != client_id
            or time.time() - grant.created > CODE_TTL_S
            or self.get_argument("redirect_uri", grant.redirect_uri) != grant.redirect_uri
        ):
            self.send_json({"error": "bad_verification_code",
                            "error_description": "The code passed is incorrect or expired."})
            return
        if grant.code_challenge:
            verifier = self.get_argument("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.code_challenge:
                self.send_json({"error": "invalid_grant",
                                "error_description": "PKCE verification failed."})
                return
        token = "gho_" + secrets.token_hex(18)
        self.d.tokens[token] = (grant.login, grant.scope)
        # Space-separated, as oauthenticator splits it (GitHub itself uses commas).
        self.send_json({"access_token": token, "token_type": "bearer", "scope": grant.scope})


class UserHandler(Base):
    def get(self) -> None:
        self.send_json(self.d.user(self.caller()))


class EmailsHandler(Base):
    def get(self) -> None:
        email = self.d.user(self.caller())["email"]
        self.send_json([{"email": email, "primary": True, "verified": True, "visibility": "public"}])


class UserOrgsHandler(Base):
    def get(self) -> None:
        login = self.caller()
        self.send_json([{"login": org} for org, members in sorted(self.d.orgs.items()) if login in members])


class UserTeamsHandler(Base):
    def get(self) -> None:
        login = self.caller()
        self.send_json([
            {"name": slug, "slug": slug, "organization": {"login": org}}
            for (org, slug), members in sorted(self.d.teams.items())
            if login in members
        ])


class OrgMemberHandler(Base):
    def get(self, org: str, login: str) -> None:
        self.caller()
        self.set_status(204 if login in self.d.orgs.get(org, set()) else 404)
        self.finish()


class TeamMemberHandler(Base):
    def get(self, org: str, team: str, login: str) -> None:
        self.caller()
        self.set_status(204 if login in self.d.teams.get((org, team), set()) else 404)
        self.finish()


def make_app(directory: Directory) -> web.Application:
    """The tornado application serving ``directory``."""
    args = {"directory": directory}
    name = r"([A-Za-z0-9_.-]+)"
    return web.Application([
        (r"/login/oauth/authorize", AuthorizeHandler, args),
        (r"/login/oauth/access_token", AccessTokenHandler, args),
        (r"/api/v3/user", UserHandler, args),
        (r"/api/v3/user/emails", EmailsHandler, args),
        (r"/api/v3/user/orgs", UserOrgsHandler, args),
        (r"/api/v3/user/teams", UserTeamsHandler, args),
        (rf"/api/v3/orgs/{name}/members/{name}", OrgMemberHandler, args),
        (rf"/api/v3/orgs/{name}/teams/{name}/members/{name}", TeamMemberHandler, args),
    ])


def parse_members(specs: list[str]) -> dict[str, set[str]]:
    """``["org=alice,bob", ...]`` as ``{"org": {"alice", "bob"}}``."""
    out: dict[str, set[str]] = {}
    for spec in specs:
        key, sep, users = spec.partition("=")
        if not sep or not key:
            raise SystemExit(f"expected NAME=user1,user2, got {spec!r}")
        out.setdefault(key, set()).update(u.strip() for u in users.split(",") if u.strip())
    return out


async def serve(args: argparse.Namespace) -> None:
    teams = {}
    for key, members in parse_members(args.team).items():
        org, sep, slug = key.partition("/")
        if not sep:
            raise SystemExit(f"a team is ORG/TEAM=users, got {key!r}")
        teams[(org, slug)] = members
    directory = Directory(
        clients={args.client_id: args.client_secret},
        orgs=parse_members(args.org),
        teams=teams,
    )
    server = make_app(directory).listen(args.port, address=args.ip)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"fake GitHub listening on http://{args.ip}:{args.port}", flush=True)
    await stop.wait()
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9000)
    parser.add_argument("--client-id", default="mlhub-trial-client")
    parser.add_argument("--client-secret", default="mlhub-trial-secret")
    parser.add_argument("--org", action="append", default=[], metavar="ORG=user1,user2")
    parser.add_argument("--team", action="append", default=[], metavar="ORG/TEAM=user1,user2")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
