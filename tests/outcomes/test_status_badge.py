"""{% status_badge %} writes exactly what outcomes/includes/status.html writes, for
every status, whether it renders the template or reuses the badge it rendered."""

import pytest
from django.template import engines
from django.template.loader import render_to_string

from outcomes.status import Status
from outcomes.templatetags import status_tags

STATUSES = [*Status, None]


def _tag(status):
    return (
        engines["django"]
        .from_string("{% load status_tags %}{% status_badge s %}")
        .render({"s": status})
    )


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("status", STATUSES, ids=lambda s: getattr(s, "value", "none"))
def test_the_badge_is_the_templates(settings, status, debug):
    settings.DEBUG = debug
    expected = render_to_string(status_tags.TEMPLATE, {"status": status})
    assert _tag(status) == expected
    assert _tag(status) == expected  # again: from the reused badge when DEBUG is off


def test_each_status_has_its_own_badge(settings):
    """Reusing a badge never gives one status another's shape or words."""
    settings.DEBUG = False
    badges = {status: _tag(status) for status in Status}
    assert len(set(badges.values())) == len(Status)
    for status, badge in badges.items():
        assert status.label in badge and status.css in badge
