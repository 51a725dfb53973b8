"""How django-allauth behaves here: who may sign in, and which sign-ins are refused.

Local accounts are made by admins (no sign-up); `LOCAL_LOGIN` limits who may
use the password form. People from an identity provider get an account at
their first sign-in, linked to an existing user only through an address the
provider marks verified (allauth's e-mail authentication); an unverified
address that belongs to someone else is refused, not linked and not copied.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as self_adapter
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import get_user_model
from django.shortcuts import render

from . import audit
from .models import SignInEventKind, SignInMethod
from .sso import nonce_matches


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False  # local accounts are made in the admin


def refuse(request, sociallogin, *, reason, detail):
    """End a single sign-on with a clear page, creating and changing nothing."""
    audit.record(
        request,
        kind=SignInEventKind.REFUSED,
        username=_claimed_email(sociallogin),
        method=SignInMethod.SSO,
        provider=sociallogin.account.provider,
        detail=detail,
    )
    raise ImmediateHttpResponse(
        render(
            request,
            "socialaccount/refused.html",
            {"reason": reason, "provider_name": _provider_name(request, sociallogin)},
            status=403,
        )
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return True  # who sees what is decided by access rules, not by having an account

    def pre_social_login(self, request, sociallogin):
        if not nonce_matches(sociallogin):
            refuse(
                request,
                sociallogin,
                reason="The identity provider's answer did not belong to this sign-in.",
                detail="nonce missing or different",
            )
        if sociallogin.is_existing:
            return
        unverified = [a.email for a in sociallogin.email_addresses if not a.verified]
        User = get_user_model()
        for email in unverified:
            if User.objects.filter(email__iexact=email).exists():
                refuse(
                    request,
                    sociallogin,
                    reason=(
                        "Your identity provider has not verified your e-mail address, and "
                        "an account here already uses it, so we cannot tell that it is yours."
                    ),
                    detail=f"unverified e-mail {email} matches an existing user",
                )

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        audit.record(
            request,
            kind=SignInEventKind.FAILED,
            method=SignInMethod.SSO,
            provider=getattr(getattr(provider, "app", None), "provider_id", "") or "",
            detail=f"{error or 'error'}: {exception or ''}"[:300],
        )


def _claimed_email(sociallogin):
    addresses = sociallogin.email_addresses
    return addresses[0].email if addresses else sociallogin.account.uid


def _provider_name(request, sociallogin):
    try:
        return self_adapter(request).get_provider(request, sociallogin.account.provider).name
    except SocialApp.DoesNotExist:
        return "your identity provider"
