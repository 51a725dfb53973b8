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
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from agencies.templatetags import numbers

from .. import measures

register = template.Library()

UNKNOWN = numbers.UNKNOWN
NOT_APPLICABLE = numbers.NOT_APPLICABLE


def formatted(name, value, formats=None):
    """The value of a count field or measure as text, by its declared format."""
    shown = measures.format_of(name)
    if shown == measures.PERCENT:
        return numbers.percent(value, formats=formats)
    if shown == measures.DOLLARS:
        # A measure in dollars is a unit cost (a ratio): always to the cent.
        cents = "cents" if measures.is_measure(name) else None
        return numbers.money(value, cents, formats=formats)
    if shown == measures.DAYS:
        return numbers.days(value, formats=formats)
    return numbers.whole(value, formats=formats)


@register.simple_tag(takes_context=True)
def measure_value(context, value, name):
    return _value(context, value, name)


def _value(context, value, name, formats=None):
    """{% measure_value %}'s markup; `formats`: numbers.active_formats(), when a
    table takes it once for its cells."""
    if value is None:
        return UNKNOWN
    if measures.is_not_applicable(value):
        return NOT_APPLICABLE
    return render_value_in_context(formatted(name, value, formats), context)


@register.simple_tag(takes_context=True)
def flow_rows(context, widget, rows, window_names):
    """A widget's flow table body on the dashboard: a row per (key, label) of `rows`
    (measures.flow_rows()) with its value in each window of `window_names`, then the
    satisfaction row. The markup {% measure_value %} and customers/csat.html write,
    written here in one call: an agency's dashboard shows some seventy of these
    tables (about 1,700 cells)."""
    parts = []
    formats = numbers.active_formats()  # once for the table's cells
    for key, label in rows:
        cells = "".join(
            f"<td>{_value(context, _of(widget.flows, name, key), key, formats)}</td>"
            for name in window_names
        )
        parts.append(f'<tr><th scope="row">{conditional_escape(label)}</th>{cells}</tr>')
    # customers/csat.html ends with a newline, so each of its cells did too.
    csat = "".join(f"<td>{_csat(_of(widget.csat, name), formats)}\n</td>" for name in window_names)
    parts.append(f'\n      <tr><th scope="row">Satisfaction (CSAT)</th>{csat}</tr>')
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above


@register.simple_tag(takes_context=True)
def flow_cells(context, widget, rows, window_name):
    """A widget's row in the dashboard's table of every widget: a cell per (key,
    label) of `rows` (measures.flow_rows()) with its value in the window
    `window_name`, then its satisfaction: the cells of its column in flow_rows'
    table, in one call (some seventy rows of a dozen cells)."""
    formats = numbers.active_formats()
    cells = [
        f"<td>{_value(context, _of(widget.flows, window_name, key), key, formats)}</td>"
        for key, _label in rows
    ]
    cells.append(f"<td>{_csat(_of(widget.csat, window_name), formats)}</td>")
    return mark_safe("".join(cells))  # noqa: S308 - every value escaped by _value and _csat


def _of(by_window, name, key=None):
    value = numbers.field(by_window, name)
    return value if key is None else numbers.field(value, key)


def _csat(csat, formats=None):
    """As customers/csat.html: percent, the responses it rests on, "Low sample"."""
    if not csat or not csat.responses:
        return "No responses"
    responses = csat.responses
    low = ' <span class="usa-tag bg-gold text-ink">Low sample</span>' if csat.low_sample else ""
    satisfied = numbers.whole(csat.satisfied, formats=formats)
    return (
        f"{conditional_escape(numbers.percent(csat.share, formats=formats))} satisfied "
        f'<span class="text-base-dark">({conditional_escape(satisfied)} of '
        f"{conditional_escape(numbers.whole(responses, formats=formats))} response"
        f"{'' if responses == 1 else 's'})</span>{low}"
    )
