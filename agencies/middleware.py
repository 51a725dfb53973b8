import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

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
