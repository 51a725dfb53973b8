"""Single sign-on in Chromium through a real OpenID Connect provider
(tests/oidc/provider.mjs, with oidc-provider's own sign-in form)."""

import copy

import pytest
from playwright.sync_api import expect

from agencies.models import AccessRule, AccessRuleKind, Role
from tests.factories import AgencyFactory
from tests.oidc.server import OIDCProvider

from .conftest import assert_no_axe_violations


@pytest.fixture
def provider(live_server, settings):
    idp = OIDCProvider(
        redirect_uris=[f"{live_server.url}/accounts/oidc/test/login/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/accounts/login/"],
    )
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            **settings.SOCIALACCOUNT_PROVIDERS["openid_connect"],
            "APPS": [idp.app()],
        }
    }
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], idp.issuer]
    settings.CONTENT_SECURITY_POLICY = policy
    yield idp
    idp.stop()


def test_sign_in_through_the_agency_provider_lands_home_with_agency_and_role(
    page, base, provider, db
):
    agency = AgencyFactory(name="Department of Examples", abbreviation="DEX", slug="dex")
    AccessRule.objects.create(
        kind=AccessRuleKind.CLAIM,
        claim_name="groups",
        claim_value="dex-managers",
        agency=agency,
        role=Role.MANAGER,
    )
    provider.control(
        accounts={
            "robin": {
                "email": "robin@dex.example.gov",
                "email_verified": True,
                "name": "Robin Reyes",
                "groups": ["dex-managers"],
            }
        },
        autologin=None,
    )
    page.goto(f"{base}/accounts/login/")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Sign in with Test Agency ID").click()

    # oidc-provider's development sign-in form, on the provider's own origin
    page.wait_for_url(f"{provider.issuer}/interaction/**")
    page.locator("input[name=login]").fill("robin")
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()

    page.wait_for_url(f"{base}/")
    identity = page.locator(".identity-bar")
    expect(identity).to_contain_text("Robin Reyes")
    expect(identity).to_contain_text("Manager, Department of Examples")
    expect(page.get_by_text("Access granted: Manager of Department of Examples.")).to_be_visible()
    assert_no_axe_violations(page)

    # Signing out ends the provider's session too (RP-initiated logout).
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{provider.issuer}/session/end**")
    page.locator("button[autofocus], button[type=submit]").first.click()
    page.wait_for_url(f"{base}/accounts/login/**")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
