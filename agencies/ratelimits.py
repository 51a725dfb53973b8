"""Rate limits (django-ratelimit), keyed on what the deployment can trust.

- Sign-in: password sign-in attempts (POSTs to the sign-in page) from one client
  address (agencies.client_address), SIGN_IN_RATE (default 20 a minute); past it,
  429 with Retry-After. This is beside django-axes, which locks a username at an
  address out after AXES_FAILURE_LIMIT failures: the rate limit also bounds an
  address that tries many usernames.
- The API: calls per token, API_RATE (default 600 a minute) (widgets.api.app).

Counts are kept in the `ratelimit` cache (config/settings.py). With CACHE_URL it
is the shared Redis, so a limit is one allowance however many workers and hosts
answer. Without it, a per-process memory cache: each worker counts its own
share, so the limit a client meets is at most the rate times the number of
workers. A Redis that does not answer lets requests through (agencies.shared_cache).
"""

from django.conf import settings
from django_ratelimit.core import is_ratelimited

from .client_address import client_address

RETRY_AFTER_SECONDS = 60


def sign_in_limited(request):
    """Counts this sign-in attempt; True when its address is over SIGN_IN_RATE."""
    return is_ratelimited(
        request,
        group="sign-in",
        key=lambda _group, r: client_address(r) or "unknown",
        rate=settings.SIGN_IN_RATE,
        method="POST",
        increment=True,
    )


def api_limited(request, token):
    """Counts this API call; True when its token is over API_RATE."""
    return is_ratelimited(
        request,
        group="api",
        key=lambda _group, _r: f"token:{token.pk}",
        rate=settings.API_RATE,
        increment=True,
    )
