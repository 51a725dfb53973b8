"""Count fields and measures on a page, formatted as widgets.measures declares them.

    {% load measure_tags %}
    {% measure_value flow.on_time_share "on_time_share" %}   -> 93.5%
    {% measure_value count|field:"cost" "cost" %}              -> $15400.00

Unknown is a dash, with the word for screen readers; not applicable
(measures.NOT_APPLICABLE) is "n/a". A tag, not an included
template: the dashboard shows ~1,500 of them.
"""

from django import template
from django.template.base import render_value_in_context
from django.template.defaultfilters import floatformat
from django.utils.safestring import mark_safe

from .. import measures

register = template.Library()

UNKNOWN = mark_safe('<span aria-hidden="true">—</span><span class="usa-sr-only">unknown</span>')
NOT_APPLICABLE = mark_safe(
    '<span aria-hidden="true">n/a</span><span class="usa-sr-only">not applicable</span>'
)


def formatted(name, value):
    """The value of a count field or measure as text, by its declared format."""
    shown = measures.format_of(name)
    if shown == measures.PERCENT:
        return f"{float(value) * 100:.1f}%"
    if shown == measures.DOLLARS:
        return "$" + floatformat(value, 2)
    if shown == measures.DAYS:
        return floatformat(value, 1)
    return value


@register.simple_tag(takes_context=True)
def measure_value(context, value, name):
    if value is None:
        return UNKNOWN
    if measures.is_not_applicable(value):
        return NOT_APPLICABLE
    return render_value_in_context(formatted(name, value), context)


@register.filter
def field(obj, name):
    """A count field or measure by its name, of an object or a dict."""
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None) if obj is not None else None
