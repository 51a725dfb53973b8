"""Count fields and measures on a page, formatted as widgets.measures declares them.

    {% load measure_tags numbers %}
    {% measure_value flow.on_time_share "on_time_share" %}   -> 93.5%
    {% measure_value count|field:"cost" "cost" %}              -> $15,400

The registry says which format a field or measure has; the formats themselves are
agencies/templatetags/numbers.py's, the one set every page uses.

Unknown is a dash, with the word for screen readers; not applicable
(measures.NOT_APPLICABLE) is "n/a". A tag, not an included
template: the dashboard shows ~1,500 of them.
"""

from django import template
from django.template.base import render_value_in_context

from agencies.templatetags import numbers

from .. import measures

register = template.Library()

UNKNOWN = numbers.UNKNOWN
NOT_APPLICABLE = numbers.NOT_APPLICABLE


def formatted(name, value):
    """The value of a count field or measure as text, by its declared format."""
    shown = measures.format_of(name)
    if shown == measures.PERCENT:
        return numbers.percent(value)
    if shown == measures.DOLLARS:
        # A measure in dollars is a unit cost (a ratio): always to the cent.
        return numbers.money(value, "cents" if measures.is_measure(name) else None)
    if shown == measures.DAYS:
        return numbers.days(value)
    return numbers.whole(value)


@register.simple_tag(takes_context=True)
def measure_value(context, value, name):
    if value is None:
        return UNKNOWN
    if measures.is_not_applicable(value):
        return NOT_APPLICABLE
    return render_value_in_context(formatted(name, value), context)
