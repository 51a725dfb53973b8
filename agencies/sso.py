"""Single sign-on through django-allauth's OpenID Connect provider.

allauth does the protocol: discovery from the issuer, the authorization code
flow with PKCE, `state`, the token exchange, and the ID token's checks
(signature, issuer, audience, expiry) through its `jwtkit`. Two things are
changed here, and only by turning on or wiring what exists:

- allauth skips the ID token's *signature* when it fetched the token itself
  over TLS (OpenID Connect Core 3.1.3.7 allows it). We verify it always, with
  allauth's own `jwtkit.verify_and_decode`: a provider whose keys do not match
  its tokens is refused.
- allauth sends no `nonce` for OpenID Connect. Login.gov requires one, and it
  binds the ID token to this browser's sign-in, so the provider sends a random
  one and `nonce_matches` compares it with the token's claim.

Why allauth, and what it does not do (private_key_jwt): docs/adr/0002.
"""

import secrets

import requests
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode

from .permissions import PUBLIC, grant

NONCE_BYTES = 32
SESSION_PROVIDER_KEY = "_sso_provider_id"


class VerifyingOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's adapter, but the ID token's signature is always checked."""

    def _decode_id_token(self, app, id_token):
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


class AgencyOIDCProvider(OpenIDConnectProvider):
    """allauth's OpenID Connect provider with a per-sign-in nonce."""

    oauth2_adapter_class = VerifyingOIDCAdapter
    # allauth mounts the URLs of this package (login, and the callback we shadow).
    package = "allauth.socialaccount.providers.openid_connect"

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        # kwargs are kept in allauth's state for this sign-in (in the session).
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


def nonce_matches(sociallogin):
    """The ID token carries the nonce this sign-in sent."""
    sent = (sociallogin.state or {}).get("nonce")
    received = (sociallogin.account.extra_data or {}).get("id_token", {}).get("nonce")
    return bool(sent and received) and constant_time_compare(sent, received)


@grant(PUBLIC)
def callback(request, provider_id):
    """allauth's callback view, driven by the adapter that verifies signatures.

    Mounted on the same path as allauth's own callback, ahead of it.
    """
    try:
        view = OAuth2CallbackView.adapter_view(VerifyingOIDCAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist as e:
        raise Http404 from e


def configured_providers(request):
    """The identity providers from settings, for the sign-in page's buttons."""
    adapter = get_social_adapter(request)
    return [
        adapter.get_provider(request, app.provider_id)
        for app in adapter.list_apps(request, provider="openid_connect")
    ]


def end_session_url(request, provider_id, *, post_logout_redirect_uri):
    """The provider's RP-initiated logout address, or None when it offers none."""
    try:
        provider = get_social_adapter(request).get_provider(request, provider_id)
        config = VerifyingOIDCAdapter(request, provider_id).openid_config
    except (SocialApp.DoesNotExist, requests.RequestException, ValueError, KeyError):
        return None  # a provider that cannot be reached or read ends no session there
    endpoint = config.get("end_session_endpoint")
    if not endpoint:
        return None
    params = {
        "client_id": provider.app.client_id,
        "post_logout_redirect_uri": post_logout_redirect_uri,
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
