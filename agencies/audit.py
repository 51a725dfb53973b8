"""The sign-in audit trail (agencies.SignInEvent): one row per event, never edited."""

from axes.helpers import get_client_ip_address

from .models import SignInEvent


def client_address(request):
    if request is None:
        return None
    try:
        return get_client_ip_address(request) or None
    except (AttributeError, KeyError, ValueError):
        return None


def record(request, *, kind, user=None, username="", method="", provider="", detail=""):
    if user is not None and not username:
        username = user.get_username()
    return SignInEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or "")[:150],
        method=method,
        provider=provider or "",
        ip_address=client_address(request),
        detail=(detail or "")[:300],
    )
