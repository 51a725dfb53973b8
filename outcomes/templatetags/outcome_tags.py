from django import template

from widgets import measures

register = template.Library()


@register.filter
def percent(share, places=1):
    """0..1 as a percentage with `places` decimals; '' when unknown, n/a when not
    applicable."""
    if share is None or share == "":
        return ""
    if measures.is_not_applicable(share):
        return measures.NOT_APPLICABLE_SHORT
    return f"{float(share) * 100:.{int(places)}f}%"


@register.filter
def get(mapping, key):
    """mapping[key] in a template (flows and CSAT by window name)."""
    return mapping.get(key) if mapping else None
