import time

from django.conf import settings

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
