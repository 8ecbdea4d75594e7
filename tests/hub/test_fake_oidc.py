"""The fake OpenID Connect provider refuses what a provider refuses: wrong client, reused
codes, bad PKCE, unknown tokens; and its discovery document, tokens and claims are OIDC's."""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import sys
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from tornado.testing import AsyncHTTPTestCase

from .conftest import HUB_CONFIG

spec = importlib.util.spec_from_file_location("fake_oidc", HUB_CONFIG / "fake_oidc.py")
fake_oidc = importlib.util.module_from_spec(spec)
sys.modules["fake_oidc"] = fake_oidc  # dataclasses look their module up there
spec.loader.exec_module(fake_oidc)

SECRET = "s" * 40
VERIFIER = "v" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
REDIRECT = "http://127.0.0.1:1/hub/oauth_callback"


class FakeOIDCTest(AsyncHTTPTestCase):
    def get_app(self):
        self.provider = fake_oidc.Provider(
            issuer="http://issuer.test", clients={"cid": SECRET}, groups={"team": {"alice"}},
        )
        return fake_oidc.make_app(self.provider)

    def authorize(self, login="alice", scope="openid profile email", **extra) -> str:
        query = urlencode({"client_id": "cid", "redirect_uri": REDIRECT, "state": "s1",
                           "response_type": "code", "scope": scope, "nonce": "n1",
                           "code_challenge": CHALLENGE, "code_challenge_method": "S256",
                           "login": login, **extra})
        response = self.fetch(f"/authorize?{query}", follow_redirects=False)
        assert response.code == 302, response.body
        location = urlparse(response.headers["Location"])
        assert location.path == "/hub/oauth_callback"
        assert parse_qs(location.query)["state"] == ["s1"]
        return parse_qs(location.query)["code"][0]

    def token(self, code, secret=SECRET, verifier=VERIFIER, basic=True, redirect_uri=REDIRECT):
        body = {"code": code, "grant_type": "authorization_code", "redirect_uri": redirect_uri,
                "code_verifier": verifier}
        headers = {}
        if basic:
            headers["Authorization"] = "Basic " + base64.b64encode(f"cid:{secret}".encode()).decode()
        else:
            body.update(client_id="cid", client_secret=secret)
        response = self.fetch("/token", method="POST", body=urlencode(body), headers=headers)
        return response.code, json.loads(response.body)

    def userinfo(self, token):
        return self.fetch("/userinfo", headers={"Authorization": f"Bearer {token}"})

    def test_discovery_document(self):
        document = json.loads(self.fetch("/.well-known/openid-configuration").body)
        assert document["issuer"] == "http://issuer.test"
        assert document["authorization_endpoint"] == "http://issuer.test/authorize"
        assert document["token_endpoint"] == "http://issuer.test/token"
        assert document["userinfo_endpoint"] == "http://issuer.test/userinfo"
        assert json.loads(self.fetch("/jwks").body) == {"keys": []}

    def test_code_flow_token_and_claims(self):
        status, reply = self.token(self.authorize())
        assert status == 200 and reply["token_type"] == "Bearer" and reply["expires_in"] == 3600
        claims = jwt.decode(reply["id_token"], SECRET, algorithms=["HS256"], audience="cid",
                            issuer="http://issuer.test")
        assert claims["sub"] == "user-alice" and claims["nonce"] == "n1"
        info = json.loads(self.userinfo(reply["access_token"]).body)
        assert info == {"sub": "user-alice", "preferred_username": "alice", "name": "Alice",
                        "email": "alice@example.org", "email_verified": True, "groups": ["team"]}
        # client_secret_post works too; claims follow the granted scopes
        status, reply = self.token(self.authorize("bob", scope="openid"), basic=False)
        assert status == 200
        assert json.loads(self.userinfo(reply["access_token"]).body) == {"sub": "user-bob", "groups": []}

    def test_refusals(self):
        assert self.token(self.authorize(), secret="x" * 40) == (
            401, {"error": "invalid_client", "error_description": "Client authentication failed."})
        assert self.token(self.authorize(), verifier="x" * 50)[1]["error"] == "invalid_grant"
        other = "http://127.0.0.1:1/other"
        assert self.token(self.authorize(), redirect_uri=other)[1]["error"] == "invalid_grant"
        code = self.authorize()
        assert self.token(code)[0] == 200
        assert self.token(code)[1]["error"] == "invalid_grant"  # single use
        unknown = self.userinfo("nope")
        assert unknown.code == 401 and "invalid_token" in unknown.headers["WWW-Authenticate"]
        base = f"/authorize?client_id=cid&redirect_uri={REDIRECT}&response_type=code"
        assert self.fetch(f"{base}&scope=profile&login=alice").code == 400  # no openid scope
        assert self.fetch(f"{base}&scope=openid&login=Not%20A%20Name").code == 400
        assert self.fetch(base.replace("cid", "other") + "&scope=openid").code == 400
        assert self.fetch(base.replace("code", "token") + "&scope=openid").code == 400

    def test_without_login_it_asks_who_to_be(self):
        response = self.fetch(f"/authorize?client_id=cid&redirect_uri={REDIRECT}&response_type=code"
                              "&scope=openid&state=s9")
        assert response.code == 200 and b'name="login"' in response.body and b'value="s9"' in response.body
