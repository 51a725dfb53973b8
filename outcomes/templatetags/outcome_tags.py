from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def percent(share, places=1):
    """0..1 as a percentage with `places` decimals; '' when unknown."""
    if share is None or share == "":
        return ""
    return f"{float(share) * 100:.{int(places)}f}%"


@register.filter
def get(mapping, key):
    """mapping[key] in a template (flows and CSAT by window name)."""
    return mapping.get(key) if mapping else None


@register.filter
def attr(obj, name):
    """getattr(obj, name) in a template (one flow measure by its name)."""
    return getattr(obj, name, None) if obj is not None else None


UNKNOWN = mark_safe('<span aria-hidden="true">—</span><span class="usa-sr-only">unknown</span>')


@register.simple_tag(takes_context=True)
def flow_value(context, value, measure):
    """One flow measure, formatted; unknown is a dash with words for screen readers.

    A tag, not an included template: the dashboard shows ~1,500 of them.
    """
    if value is None:
        return UNKNOWN
    if measure in ("on_time_share", "rework_rate"):
        value = percent(value)
    elif measure == "cost_per_widget":
        value = "$" + floatformat(value, 2)
    elif measure == "lead_time_days":
        value = floatformat(value, 1)
    return render_value_in_context(value, context)
