"""Sign-in forms: the password form under LOCAL_LOGIN, and the MFA code under the lockout."""

from allauth.account.forms import LoginForm
from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings

LOCAL_LOGIN_OFF = "Password sign-in is turned off here. Use your agency's sign-in button."
LOCAL_LOGIN_ADMINS = (
    "Password sign-in is kept for administrators only. Use your agency's sign-in button."
)
LOCKED = "Too many failed sign-in attempts. Try again later."


def local_login_allowed_for(user):
    """Whether `user` may sign in with a password under LOCAL_LOGIN."""
    if settings.LOCAL_LOGIN == "all":
        return True
    if settings.LOCAL_LOGIN == "admins":
        return bool(user.is_superuser)
    return False


class LocalLoginForm(LoginForm):
    """allauth's password form (field "login"), refused where LOCAL_LOGIN says so.

    Without allauth's "Forgot your password?" help: password reset by e-mail is not
    offered (agencies/auth_urls.py), and the link led back to this page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""

    def clean(self):
        if settings.LOCAL_LOGIN == "none":
            raise forms.ValidationError(LOCAL_LOGIN_OFF)
        cleaned = super().clean()
        user = getattr(self, "user", None)
        if user is not None and not local_login_allowed_for(user):
            raise forms.ValidationError(LOCAL_LOGIN_ADMINS)
        return cleaned


class MFAAuthenticateForm(AuthenticateForm):
    """allauth's code form; a locked-out account may not try codes either.

    Wrong codes are counted by django-axes through `agencies.signals`.
    """

    def clean_code(self):
        request = context.request
        credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            request.axes_locked_out = True  # AxesMiddleware answers with the lockout page
            request.axes_credentials = credentials
            raise forms.ValidationError(LOCKED)
        return super().clean_code()
