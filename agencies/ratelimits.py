"""Rate limits (django-ratelimit), keyed on what the deployment can trust.

- Sign-in: password sign-in attempts (POSTs to the sign-in page) from one client
  address (agencies.client_address), SIGN_IN_RATE (default 20 a minute); past it,
  429 with Retry-After. This is beside django-axes, which locks a username at an
  address out after AXES_FAILURE_LIMIT failures: the rate limit also bounds an
  address that tries many usernames.
- The API: calls per token, API_RATE (default 600 a minute) (widgets.api.app).
- Answers to a hosted survey (widgets.surveys.public_views): per client address,
  SURVEY_ADDRESS_RATE (default 20 an hour, all surveys together), and per survey,
  SURVEY_RATE (default 2,000 an hour from all addresses), so that neither one
  machine nor a crowd of them can flood a survey's results.

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
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def period_seconds(rate):
    """The window of a rate such as "20/h", in seconds (for Retry-After)."""
    _count, _, period = rate.partition("/")
    digits = period.rstrip("smhd") or "1"
    return int(digits) * PERIODS.get(period[-1:], 60)


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


def survey_answer_limited(request, survey_code):
    """Counts this answer; (limit it is over: "address" or "survey", its window in seconds),
    or None.

    Both are counted on every answer, so a refused answer still uses its address's
    allowance (a flood is not let through by alternating surveys).
    """
    address = is_ratelimited(
        request,
        group="survey-answer-address",
        key=lambda _group, r: client_address(r) or "unknown",
        rate=settings.SURVEY_ADDRESS_RATE,
        method="POST",
        increment=True,
    )
    survey = is_ratelimited(
        request,
        group="survey-answer-survey",
        key=lambda _group, _r: f"survey:{survey_code}",
        rate=settings.SURVEY_RATE,
        method="POST",
        increment=True,
    )
    if address:
        return "address", period_seconds(settings.SURVEY_ADDRESS_RATE)
    return ("survey", period_seconds(settings.SURVEY_RATE)) if survey else None
