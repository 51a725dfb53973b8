"""Who grants access, for the "waiting for access" page."""

from django import template
from django.conf import settings
from django.contrib.auth import get_user_model

register = template.Library()

MAX_CONTACTS = 5


@register.simple_tag
def access_contacts():
    """ACCESS_CONTACT when set; otherwise the active admins (a few of them)."""
    if settings.ACCESS_CONTACT:
        return {"text": settings.ACCESS_CONTACT, "admins": []}
    admins = (
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .order_by("last_name", "first_name", "username")[:MAX_CONTACTS]
    )
    return {"text": "", "admins": list(admins)}
