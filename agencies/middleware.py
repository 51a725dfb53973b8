import time

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve

from .errors import NothingSaved

# Refresh a signed-in session's expiry at most this often (seconds), so that a
# session ends after SESSION_COOKIE_AGE of inactivity without a database write
# on every request.
REFRESH_EVERY = 60
_KEY = "_last_seen"


class SessionActivityMiddleware:
    """Sessions expire after inactivity, not after a fixed time from sign-in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(_KEY, 0) >= min(
                REFRESH_EVERY, settings.SESSION_COOKIE_AGE
            ):
                request.session[_KEY] = now  # marks the session modified: saved with a new expiry
        return self.get_response(request)


@receiver(user_logged_in)
def _seen_at_sign_in(sender, request, user, **kwargs):
    """Signing in counts as activity, so the first request after it writes nothing."""
    if request is not None and hasattr(request, "session"):
        request.session[_KEY] = int(time.time())


class AdminMFAMiddleware:
    """With MFA_REQUIRED_FOR_ADMINS, an admin signed in with a password and without
    an authenticator app may do nothing but set one up (or sign out).

    Admins who came through an identity provider are left to its MFA.
    """

    ALLOWED = {
        "mfa_activate_totp",
        "mfa_index",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "logout",
        "account_logout",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MFA_REQUIRED_FOR_ADMINS and self._must_enrol(request):
            match = resolve_or_none(request.path_info)
            if match is None or match.url_name not in self.ALLOWED:
                messages.warning(
                    request,
                    "Administrators must use multi-factor sign-in. "
                    "Set up an authenticator app to continue.",
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _must_enrol(request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_superuser:
            return False
        methods = request.session.get("account_authentication_methods", [])
        if any(m.get("method") == "socialaccount" for m in methods):
            return False
        return not is_mfa_enabled(user, [Authenticator.Type.TOTP])


def resolve_or_none(path):
    try:
        return resolve(path)
    except Resolver404:
        return None


class NothingSavedMiddleware:
    """A refused write that no view answered is a 409 with its message, not a 500.

    Views answer the conflicts they know best (the form again, both versions side
    by side); this is the one answer for the rest (agencies.errors).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, NothingSaved):
            return None
        return render(request, "409.html", {"message": exception.message}, status=409)
