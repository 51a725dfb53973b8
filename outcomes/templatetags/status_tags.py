"""{% status_badge status %}: one status badge (outcomes/includes/status.html).

    {% load status_tags %}
    {% status_badge outcome.status %}

The badge's markup stays in its template; the tag renders it once per status and
reuses the result, because a dashboard or the scorecard draws a badge a few
hundred times and there are only four statuses (their labels are fixed, not
translated). With DEBUG on it renders every time, so that an edited template shows
without a restart. tests/outcomes/test_status_badge.py holds it to the include.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import render_to_string

register = template.Library()

TEMPLATE = "outcomes/includes/status.html"

_rendered = {}  # Status -> its badge


def _clear(**kwargs):
    _rendered.clear()


setting_changed.connect(_clear)


@register.simple_tag
def status_badge(status):
    """The badge of `status` (outcomes.status.Status): shape, words and colour (safe
    markup: render_to_string returns it marked safe, escaped by the template)."""
    if settings.DEBUG:
        return render_to_string(TEMPLATE, {"status": status})
    badge = _rendered.get(status)
    if badge is None:
        badge = _rendered[status] = render_to_string(TEMPLATE, {"status": status})
    return badge
