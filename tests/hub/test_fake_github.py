"""The fake GitHub refuses what GitHub refuses: wrong secrets, reused codes, bad PKCE."""
from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import sys
from urllib.parse import parse_qs, urlencode, urlparse

from tornado.testing import AsyncHTTPTestCase

from .conftest import HUB_CONFIG

spec = importlib.util.spec_from_file_location("fake_github", HUB_CONFIG / "fake_github.py")
fake_github = importlib.util.module_from_spec(spec)
sys.modules["fake_github"] = fake_github  # dataclasses look their module up there
spec.loader.exec_module(fake_github)

VERIFIER = "v" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


class FakeGitHubTest(AsyncHTTPTestCase):
    def get_app(self):
        self.directory = fake_github.Directory(
            clients={"cid": "secret"}, orgs={"org": {"alice"}}, teams={("org", "leads"): {"alice"}},
        )
        return fake_github.make_app(self.directory)

    def authorize(self, login="alice") -> str:
        query = urlencode({"client_id": "cid", "redirect_uri": "http://127.0.0.1:1/cb", "state": "s1",
                           "code_challenge": CHALLENGE, "code_challenge_method": "S256",
                           "scope": "read:user read:org", "login": login})
        response = self.fetch(f"/login/oauth/authorize?{query}", follow_redirects=False)
        assert response.code == 302
        location = urlparse(response.headers["Location"])
        assert parse_qs(location.query)["state"] == ["s1"]
        return parse_qs(location.query)["code"][0]

    def exchange(self, code, secret="secret", verifier=VERIFIER) -> dict:
        body = urlencode({"client_id": "cid", "client_secret": secret, "code": code,
                          "code_verifier": verifier, "redirect_uri": "http://127.0.0.1:1/cb",
                          "grant_type": "authorization_code"})
        return json.loads(self.fetch("/login/oauth/access_token", method="POST", body=body).body)

    def api(self, path, token):
        return self.fetch(f"/api/v3{path}", headers={"Authorization": f"Bearer {token}"})

    def test_the_oauth_flow_and_user_api(self):
        reply = self.exchange(self.authorize())
        assert reply["token_type"] == "bearer" and reply["scope"] == "read:user read:org"
        user = json.loads(self.api("/user", reply["access_token"]).body)
        assert user["login"] == "alice" and user["email"] == "alice@example.org"
        assert self.api("/orgs/org/members/alice", reply["access_token"]).code == 204
        assert self.api("/orgs/org/members/bob", reply["access_token"]).code == 404
        teams = json.loads(self.api("/user/teams", reply["access_token"]).body)
        assert teams == [{"name": "leads", "slug": "leads", "organization": {"login": "org"}}]

    def test_refusals(self):
        assert self.exchange(self.authorize(), secret="wrong")["error"] == "incorrect_client_credentials"
        assert self.exchange(self.authorize(), verifier="x" * 50)["error"] == "invalid_grant"
        code = self.authorize()
        assert "access_token" in self.exchange(code)
        assert self.exchange(code)["error"] == "bad_verification_code"  # single use
        assert self.api("/user", "gho_unknown").code == 401
        assert self.fetch("/login/oauth/authorize?client_id=other&redirect_uri=http://x/").code == 400

    def test_without_login_it_asks_who_to_be(self):
        response = self.fetch("/login/oauth/authorize?client_id=cid&redirect_uri=http://127.0.0.1:1/cb&state=s")
        assert response.code == 200 and b'name="login"' in response.body and b'value="s"' in response.body
