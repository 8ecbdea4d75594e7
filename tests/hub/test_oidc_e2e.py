"""OpenID Connect sign-in on a real hub (``MLHUB_AUTH=oidc``) against our fake provider.

hub_config/start.sh starts hub_config/fake_oidc.py on the issuer's port; the hub reads the
provider's discovery document and signs people in through the authorization code flow
(PKCE, client secret, userinfo). The provider puts alice in the group ``ml-leads`` and
alice, bob, carol, dave and erin in ``mlhub-trial``.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests

from .hub_drive import HubUser

pytestmark = pytest.mark.timeout(180)

ISSUER = "http://127.0.0.1:19001"
# bob by name, alice by her group; ml-leads are admins; groups become hub groups.
HUB_ENV = {
    "MLHUB_AUTH": "oidc",
    "MLHUB_OIDC_ISSUER": ISSUER,
    "MLHUB_OIDC_LOGIN_SERVICE": "Trial OIDC",
    "MLHUB_ALLOWED_USERS": "bob",
    "MLHUB_OIDC_ALLOWED_GROUPS": "ml-leads",
    "MLHUB_OIDC_ADMIN_GROUPS": "ml-leads",
    "MLHUB_HUB_SERVICE": "off",
    "MLHUB_GATEWAY": "off",
}


def person(hub, name: str) -> HubUser:
    return HubUser(hub.base, ISSUER, name, authorize_url=f"{ISSUER}/authorize")


def test_the_login_page_offers_the_provider(hub):
    page = requests.get(f"{hub.base}/hub/login", timeout=30)
    assert page.status_code == 200 and "Sign in with Trial OIDC" in page.text


def test_sign_in_goes_through_the_oidc_code_flow(hub):
    alice = person(hub, "alice")
    alice.sign_in(spawn=False)
    hops = [(urlparse(h.url).netloc, urlparse(h.url).path) for h in alice.hops]
    assert hops[:4] == [
        ("127.0.0.1:18000", "/hub/oauth_login"),
        ("127.0.0.1:19001", "/authorize"),
        ("127.0.0.1:18000", "/hub/oauth_callback"),
        ("127.0.0.1:18000", "/hub/"),
    ]
    # what the hub asked the provider for (from the discovery document and the settings)
    query = parse_qs(urlparse(alice.hops[1].url).query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["mlhub-trial-client"]
    assert query["scope"][0].split() == ["email", "openid", "profile"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == ["http://127.0.0.1:18000/hub/oauth_callback"]
    # the name is the preferred_username claim; the groups claim gave hub groups and admin
    assert alice.model()["name"] == "alice"
    model = hub.admin_api("GET", "/users/alice").json()
    assert model["admin"] is True
    assert sorted(model["groups"]) == ["ml-leads", "mlhub-trial"]  # the hub keeps no order


def test_an_allowed_user_outside_the_allowed_groups(hub):
    bob = person(hub, "bob")
    bob.sign_in(spawn=False)
    assert bob.model()["name"] == "bob"
    model = hub.admin_api("GET", "/users/bob").json()
    assert model["admin"] is False and model["groups"] == ["mlhub-trial"]


def test_someone_neither_named_nor_in_a_group_gets_403(hub):
    carol = person(hub, "carol")
    response = carol.sign_in()
    assert response.status_code == 403
    assert urlparse(carol.hops[-1].url).path == "/hub/oauth_callback"
    assert hub.admin_api("GET", "/users/carol").status_code == 404
