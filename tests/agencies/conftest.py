"""A real OpenID Connect provider (tests/oidc/provider.mjs) for the sign-in tests, and
the real Redis for the tests of the shared cache (tests/redis_cache.py)."""

from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.oidc.server import OIDCProvider
from tests.redis_cache import prefix, redis_client, shared  # noqa: F401 - fixtures

CALLBACK = "http://testserver/accounts/oidc/test/login/callback/"
AFTER_LOGOUT = "http://testserver/accounts/login/"


@pytest.fixture(scope="session")
def oidc_provider():
    provider = OIDCProvider(redirect_uris=[CALLBACK], post_logout_redirect_uris=[AFTER_LOGOUT])
    yield provider
    provider.stop()


class SSO:
    """Drives single sign-on as a browser would: Django's test client for this
    site, a plain HTTP session for the provider."""

    def __init__(self, provider):
        self.provider = provider

    def account(self, account_id, *, email, verified=True, groups=(), name="Sam Sample"):
        self.provider.control(
            accounts={
                account_id: {
                    "email": email,
                    "email_verified": verified,
                    "groups": list(groups),
                    "name": name,
                }
            }
        )
        return account_id

    def mode(self, mode):
        self.provider.control(mode=mode)

    def start(self, client, next_url=None):
        """Press the provider's button; return the provider's authorization URL."""
        data = {"process": "login"}
        if next_url:
            data["next"] = next_url
        response = client.post("/accounts/oidc/test/login/", data)
        assert response.status_code == 302, response.content[:500]
        assert response["Location"].startswith(self.provider.issuer)
        return response["Location"]

    def authorize(self, url, account_id):
        """At the provider, sign in as `account_id`; return the callback URL."""
        self.provider.control(autologin=account_id)
        with requests.Session() as browser:
            while url.startswith(self.provider.issuer):
                response = browser.get(url, allow_redirects=False, timeout=10)
                assert response.status_code in (302, 303), response.text[:500]
                url = urljoin(url, response.headers["Location"])
        assert url.startswith(CALLBACK), url
        return url

    def callback(self, client, url, follow=True):
        parts = urlsplit(url)
        return client.get(f"{parts.path}?{parts.query}", follow=follow)

    def sign_in(self, client, account_id, follow=True):
        return self.callback(client, self.authorize(self.start(client), account_id), follow=follow)


@pytest.fixture
def sso(oidc_provider, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [oidc_provider.app()],
        }
    }
    oidc_provider.control(mode="ok", autologin=None)
    yield SSO(oidc_provider)
    oidc_provider.control(mode="ok", autologin=None)
