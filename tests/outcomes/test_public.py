"""The public page: published, approved data only; nothing internal; 404 otherwise."""

import pytest
from django.urls import reverse

from tests import factories as f
from widgets.models import WidgetStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world, agency_a, manager_a):
    agency_a.publishes = True
    agency_a.save()
    world["outcome"].owner = manager_a
    world["outcome"].save()
    f.WidgetFactory(agency=agency_a, name="Secret draft", status=WidgetStatus.DRAFT)
    f.WidgetFactory(agency=agency_a, name="Pending permit", status=WidgetStatus.SUBMITTED)
    f.CountermeasureFactory(outcome=world["outcome"], action="Internal plan to reassign staff")
    return agency_a


def test_public_page_shows_only_approved_widgets_and_outcome_status(client, published, world):
    response = client.get(reverse("public:agency", args=[published.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Air permit" in html and "Water permit" in html
    assert "Cleaner air" in html and "Off track" in html
    widgets = {w.name: w.on_time_percent for w in response.context["widgets"]}
    assert widgets == {"Air permit": 95.0, "Water permit": 50.0}
    for secret in ("Secret draft", "Pending permit", "Internal plan", "Unhealthy days above"):
        assert secret not in html
    manager = world["outcome"].owner
    assert manager.username not in html and manager.last_name not in html


def test_unpublished_agency_is_404(client, world, agency_a):
    assert client.get(reverse("public:agency", args=[agency_a.slug])).status_code == 404


def test_unknown_agency_is_404(client, db):
    assert client.get(reverse("public:agency", args=["nope"])).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["outcomes:dashboard", "outcomes:huddle", "outcomes:review-list", "outcomes:create"],
)
def test_anonymous_cannot_reach_the_agency_pages_even_when_it_publishes(client, published, name):
    response = client.get(reverse(name, args=[published.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_cannot_reach_the_scorecard(client, published):
    assert client.get(reverse("outcomes:scorecard")).status_code == 302
