from django import template

from agencies.people import display_name

register = template.Library()


@register.filter
def person(user, empty="—"):
    """A user's full name, else their username; `empty` for nobody (agencies.people)."""
    return display_name(user, empty)
