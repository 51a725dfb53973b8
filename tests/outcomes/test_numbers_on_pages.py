"""Numbers in people's words on the pages (issue 18, point 8): the strings a
manager reported are gone, and each figure reads the same on every page."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from .conftest import months_back

pytestmark = pytest.mark.django_db


def text_of(response):
    assert response.status_code == 200
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


@pytest.fixture
def big_widget(world):
    """A widget that delivers a lot, at a cost in whole dollars, with a 1-day standard."""
    widget = world["good"]
    widget.standard_days, widget.standard_share = 1, Decimal("98")
    widget.save()
    widget.counts.filter(period_start=months_back(0)).update(
        demand=2109757,
        delivered=1000,
        within_standard=950,
        rework=29,
        backlog=20,
        withdrawn=0,
        cost=Decimal("99600.00"),
    )
    return widget


def test_count_history_has_separators_money_without_zero_cents_and_rework_as_percent(
    client, manager_a, big_widget
):
    client.force_login(manager_a)
    page = text_of(client.get(reverse("widgets:count-history", args=[big_widget.pk])))
    assert "2,109,757" in page and "2109757" not in page
    assert "$99,600" in page and "$99600.00" not in page
    assert "$99.60" in page  # cost per widget: a unit cost, to the cent
    assert "2.9%" in page and "0.029" not in page


def test_dashboard_shows_rework_as_percent_and_standards_in_days_with_plurals(
    client, manager_a, agency_a, big_widget
):
    client.force_login(manager_a)
    page = text_of(client.get(reverse("outcomes:dashboard", args=[agency_a.slug])))
    assert "98.0% within 1 day" in page and "within 1 days" not in page
    assert "2.9%" in page and "0.029" not in page
    assert "2,109,757" in page


def test_widget_page_and_public_page_say_within_1_day(client, manager_a, agency_a, big_widget):
    client.force_login(manager_a)
    page = text_of(client.get(big_widget.get_absolute_url()))
    assert "Standard: 98.0% within 1 day." in page and "1 days" not in page
    assert "$99,600" in page
    agency_a.publishes = True
    agency_a.save()
    client.logout()
    public = text_of(client.get(reverse("public:agency", args=[agency_a.slug])))
    assert "98.0% within 1 day" in public and "within 1 days" not in public


def test_a_number_that_rose_has_an_arrow_up_even_when_that_is_worse(
    client, manager_a, agency_a, world
):
    # Down is better; the outcome rose from 44 to 45 days.
    client.force_login(manager_a)
    html = client.get(reverse("outcomes:dashboard", args=[agency_a.slug])).content.decode()
    assert '<span aria-hidden="true">↗ </span>Worse<span class="usa-sr-only"> (it rose)' in html
    assert "↘ </span>Worse" not in html
    detail = text_of(client.get(world["outcome"].get_absolute_url()))
    assert "Since the previous measurement: ↗ Worse (it rose)." in detail


def test_outcome_values_carry_their_unit_and_no_padded_decimals(client, manager_a, agency_a, world):
    world["outcome"].measurements.filter(date=months_back(0)).update(value=Decimal("45.70"))
    client.force_login(manager_a)
    page = text_of(client.get(reverse("outcomes:list")))
    assert "45.7 days" in page and "45.70" not in page
