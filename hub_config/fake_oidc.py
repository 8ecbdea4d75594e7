"""A small OpenID Connect provider for trials and end-to-end tests.

It speaks the part of OpenID Connect (Core 1.0, Discovery 1.0) that oauthenticator's
``GenericOAuthenticator`` uses when ``hub_config/jupyterhub_config.py`` runs with
``MLHUB_AUTH=oidc`` and ``MLHUB_OIDC_ISSUER`` pointing here:

- ``GET  /.well-known/openid-configuration``: the discovery document (issuer and the
  endpoints below).
- ``GET  /authorize`` -> 302 to ``redirect_uri?code&state``. It needs ``response_type=code``
  and the ``openid`` scope. Without a ``login`` parameter it shows a form asking which
  user to be; ``&login=<name>`` on the URL picks the identity directly (the test hook).
- ``POST /token``: the client authenticates with HTTP Basic or with ``client_id`` and
  ``client_secret`` in the body. Checks the single-use code, the redirect URI and the PKCE
  verifier. Returns ``{"access_token", "token_type", "expires_in", "scope", "id_token"}``;
  the ID token is an HS256 JWT signed with the client secret (OIDC Core 10.1).
- ``GET  /userinfo`` with ``Authorization: Bearer <token>``: the user's claims (``sub``,
  ``preferred_username``, ``name``, ``email``, ``email_verified``, ``groups``).
- ``GET  /jwks``: an empty key set (no asymmetric keys; ID tokens use the client secret).

Any login name signs in (this is a fake: it authenticates nobody); whether the hub lets
that user in is the hub's decision. Listens on 127.0.0.1 only.

    python fake_oidc.py --port 9001 --group mlhub-trial=alice,bob --group ml-leads=alice
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
from dataclasses import dataclass, field
from urllib.parse import urlencode

import jwt
from tornado import web

LOGIN_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,38}$")
CODE_TTL_S = 600
TOKEN_TTL_S = 3600
TRIAL_CLIENT = "mlhub-trial-client"
# At least 32 bytes: it is also the HS256 key of the ID tokens (RFC 7518 3.2).
TRIAL_SECRET = "mlhub-trial-secret-of-the-fake-oidc-provider"


@dataclass
class Grant:
    """What an authorization code stands for until it is exchanged."""

    login: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    nonce: str | None
    created: float = field(default_factory=time.time)


@dataclass
class Provider:
    """The issuer URL, clients, group membership and the codes and tokens handed out."""

    issuer: str
    clients: dict[str, str]
    groups: dict[str, set[str]]
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, tuple[str, str, float]] = field(default_factory=dict)  # -> login, scope, expiry

    def claims(self, login: str, scope: str) -> dict:
        """The userinfo claims of ``login`` for the granted ``scope`` (space-separated)."""
        scopes = set(scope.split())
        out: dict = {"sub": f"user-{login}"}
        if "profile" in scopes:
            out.update(preferred_username=login, name=login.capitalize())
        if "email" in scopes:
            out.update(email=f"{login}@example.org", email_verified=True)
        # As a Keycloak "groups" mapper on the default scopes gives them.
        out["groups"] = sorted(g for g, members in self.groups.items() if login in members)
        return out

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["HS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code"],
            "claims_supported": ["sub", "preferred_username", "name", "email", "email_verified", "groups"],
        }


class Base(web.RequestHandler):
    def initialize(self, provider: Provider) -> None:
        self.p = provider

    def send_json(self, body: object, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))

    def oauth_error(self, error: str, description: str, status: int = 400) -> None:
        self.send_json({"error": error, "error_description": description}, status)


class DiscoveryHandler(Base):
    def get(self) -> None:
        self.send_json(self.p.discovery())


class JwksHandler(Base):
    def get(self) -> None:
        self.send_json({"keys": []})


class AuthorizeHandler(Base):
    def get(self) -> None:
        client_id = self.get_argument("client_id", "")
        redirect_uri = self.get_argument("redirect_uri", "")
        if client_id not in self.p.clients or not redirect_uri.startswith(("http://", "https://")):
            raise web.HTTPError(400, "unknown client_id or bad redirect_uri")
        if self.get_argument("response_type", "") != "code":
            raise web.HTTPError(400, "only response_type=code is supported")
        scope = self.get_argument("scope", "")
        if "openid" not in scope.split():
            raise web.HTTPError(400, "the scope must include openid")
        login = self.get_argument("login", "")
        if not login:
            self.finish(self.form())
            return
        if not LOGIN_RE.match(login):
            raise web.HTTPError(400, "not a login name (lower-case letters, digits, . _ -)")
        code = secrets.token_urlsafe(24)
        self.p.codes[code] = Grant(
            login=login,
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=scope,
            code_challenge=self.get_argument("code_challenge", ""),
            nonce=self.get_argument("nonce", None),
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
            "<!doctype html><title>Fake OpenID Connect provider</title>"
            "<h1>Fake OpenID Connect sign-in</h1>"
            "<p>Trial provider: type any login name. The hub decides who is allowed.</p>"
            f'<form method="get">{hidden}<label>Login <input name="login" autofocus placeholder="alice">'
            '</label><button type="submit">Sign in</button></form>'
        )


class TokenHandler(Base):
    def client(self) -> str | None:
        """The authenticated client id (HTTP Basic, else the body), or None."""
        auth = self.request.headers.get("Authorization", "")
        if auth.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return None
        else:
            client_id = self.get_argument("client_id", "")
            secret = self.get_argument("client_secret", None)
        return client_id if secret is not None and self.p.clients.get(client_id) == secret else None

    def post(self) -> None:
        client_id = self.client()
        if client_id is None:
            self.oauth_error("invalid_client", "Client authentication failed.", 401)
            return
        if self.get_argument("grant_type", "") != "authorization_code":
            self.oauth_error("unsupported_grant_type", "Only authorization_code is supported.")
            return
        grant = self.p.codes.pop(self.get_argument("code", ""), None)
        if (
            grant is None
            or grant.client_id != client_id
            or time.time() - grant.created > CODE_TTL_S
            or self.get_argument("redirect_uri", "") != grant.redirect_uri
        ):
            self.oauth_error(
                "invalid_grant", "The code is unknown, used, expired or not for this redirect_uri."
            )
            return
        if grant.code_challenge:
            verifier = self.get_argument("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.code_challenge:
                self.oauth_error("invalid_grant", "PKCE verification failed.")
                return
        now = time.time()
        token = secrets.token_urlsafe(32)
        self.p.tokens[token] = (grant.login, grant.scope, now + TOKEN_TTL_S)
        id_claims = {
            "iss": self.p.issuer, "sub": f"user-{grant.login}", "aud": client_id,
            "iat": int(now), "exp": int(now + TOKEN_TTL_S),
            **({"nonce": grant.nonce} if grant.nonce else {}),
        }
        self.send_json({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_S,
            "scope": grant.scope,
            "id_token": jwt.encode(id_claims, self.p.clients[client_id], algorithm="HS256"),
        })


class UserinfoHandler(Base):
    def get(self) -> None:
        kind, _, token = self.request.headers.get("Authorization", "").partition(" ")
        entry = self.p.tokens.get(token) if kind.lower() == "bearer" else None
        if entry is None or entry[2] < time.time():
            self.set_header("WWW-Authenticate", 'Bearer error="invalid_token"')
            self.oauth_error("invalid_token", "The access token is unknown or expired.", 401)
            return
        login, scope, _ = entry
        self.send_json(self.p.claims(login, scope))


def make_app(provider: Provider) -> web.Application:
    """The tornado application serving ``provider``."""
    args = {"provider": provider}
    return web.Application([
        (r"/\.well-known/openid-configuration", DiscoveryHandler, args),
        (r"/authorize", AuthorizeHandler, args),
        (r"/token", TokenHandler, args),
        (r"/userinfo", UserinfoHandler, args),
        (r"/jwks", JwksHandler, args),
    ])


def parse_groups(specs: list[str]) -> dict[str, set[str]]:
    """``["team=alice,bob", ...]`` as ``{"team": {"alice", "bob"}}``."""
    out: dict[str, set[str]] = {}
    for spec in specs:
        name, sep, users = spec.partition("=")
        if not sep or not name:
            raise SystemExit(f"expected GROUP=user1,user2, got {spec!r}")
        out.setdefault(name, set()).update(u.strip() for u in users.split(",") if u.strip())
    return out


async def serve(args: argparse.Namespace) -> None:
    provider = Provider(
        issuer=f"http://{args.ip}:{args.port}",
        clients={args.client_id: args.client_secret},
        groups=parse_groups(args.group),
    )
    server = make_app(provider).listen(args.port, address=args.ip)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"fake OpenID Connect provider, issuer {provider.issuer}", flush=True)
    await stop.wait()
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--client-id", default=TRIAL_CLIENT)
    parser.add_argument("--client-secret", default=TRIAL_SECRET)
    parser.add_argument("--group", action="append", default=[], metavar="GROUP=user1,user2")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
