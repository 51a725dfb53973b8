"""What happens around sign-in: access rules, the audit trail, MFA failures and lockout."""

from allauth.account.signals import user_logged_in as allauth_user_logged_in
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_used,
)
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import audit
from .access import apply_access_rules, claims_of, verified_emails_of
from .models import Role, SignInEventKind, SignInMethod
from .sso import SESSION_PROVIDER_KEY

MFA_SENDER = "agencies.mfa"
AUTH_METHODS_KEY = "account_authentication_methods"  # allauth's record of this session


def _methods(request):
    session = getattr(request, "session", None)
    return session.get(AUTH_METHODS_KEY, []) if session is not None else []


@receiver(allauth_user_logged_in)
def _apply_rules_at_single_sign_on(sender, request, user, sociallogin=None, **kwargs):
    if sociallogin is None:
        return
    provider_id = sociallogin.account.provider
    request.session[SESSION_PROVIDER_KEY] = provider_id
    outcome = apply_access_rules(
        user=user,
        provider_id=provider_id,
        verified_emails=verified_emails_of(sociallogin),
        claims=claims_of(sociallogin),
    )
    for membership in outcome["granted"]:
        messages.success(
            request,
            f"Access granted: {Role(membership.role).label} of {membership.agency.name}.",
        )
    for label in outcome["removed"]:
        messages.info(request, f"Access removed: {label} (no access rule gives it any more).")
    if outcome["admin"] is True:
        messages.warning(request, "Access granted: administrator.")
    elif outcome["admin"] is False:
        messages.info(request, "Administrator access removed.")


@receiver(user_logged_in)
def _audit_sign_in(sender, request, user, **kwargs):
    methods = _methods(request)
    kinds = {m.get("method") for m in methods}
    provider = next((m.get("provider", "") for m in methods if m["method"] == "socialaccount"), "")
    if "socialaccount" in kinds:
        method = SignInMethod.SSO
    elif "mfa" in kinds:
        method = SignInMethod.MFA
    elif "password" in kinds:
        method = SignInMethod.PASSWORD
    else:
        method = SignInMethod.OTHER
    audit.record(
        request, kind=SignInEventKind.SIGNED_IN, user=user, method=method, provider=provider
    )


@receiver(user_logged_out)
def _audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(request, kind=SignInEventKind.SIGNED_OUT, user=user)


@receiver(user_login_failed)
def _audit_failed_sign_in(sender, credentials, request=None, **kwargs):
    if sender == MFA_SENDER:
        return  # recorded as MFA_FAILED below
    audit.record(
        request,
        kind=SignInEventKind.FAILED,
        username=credentials.get("username", ""),
        method=SignInMethod.PASSWORD,
    )


@receiver(authentication_failed)
def _wrong_mfa_code_counts_toward_lockout(sender, request, user, authenticator, **kwargs):
    """A wrong code is a failed sign-in for django-axes, like a wrong password."""
    audit.record(
        request,
        kind=SignInEventKind.MFA_FAILED,
        user=user,
        method=authenticator.type,
    )
    user_login_failed.send(
        sender=MFA_SENDER, credentials={"username": user.get_username()}, request=request
    )


@receiver(authenticator_added)
def _audit_mfa_enrolled(sender, request, user, authenticator, **kwargs):
    audit.record(request, kind=SignInEventKind.MFA_ENROLLED, user=user, method=authenticator.type)


@receiver(authenticator_removed)
def _audit_mfa_removed(sender, request, user, authenticator, **kwargs):
    audit.record(request, kind=SignInEventKind.MFA_REMOVED, user=user, method=authenticator.type)


@receiver(authenticator_used)
def _audit_recovery_code_used(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit.record(
            request,
            kind=SignInEventKind.RECOVERY_CODE_USED,
            user=user,
            method=SignInMethod.RECOVERY_CODES,
        )
