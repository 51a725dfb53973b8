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


def test_public_page_is_built_once_and_shows_each_change_at_once(
    client, published, world, agency_b, staff_a
):
    """Served from the cache to every visitor, signed in or not, until the agency's
    data changes: a count entered, a widget approved, the agency's stopping to
    publish show on the next visit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from widgets.models import WidgetCount

    url = reverse("public:agency", args=[published.slug])
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url)
    assert again.content == first.content
    assert not [q for q in captured if "widgets_widgetcount" in q["sql"]]
    # Another agency's data is not this page's.
    f.WidgetCountFactory(widget=f.WidgetFactory(agency=agency_b))
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert not [q for q in captured if "widgets_widgetcount" in q["sql"]]
    # A signed-in visitor gets the same page (the site's header aside).
    client.force_login(staff_a)
    assert first.context["body"] == client.get(url).context["body"]
    client.logout()
    # A new widget approved, and a count changed, show at once.
    permit = f.WidgetFactory(agency=published, name="Boat title", status=WidgetStatus.APPROVED)
    shown = client.get(url)
    assert "Boat title" in shown.text
    before = {w.name: w.on_time_percent for w in shown.context["widgets"]}
    count = WidgetCount.objects.filter(widget=world["good"]).order_by("-period_start").first()
    WidgetCount.objects.filter(pk=count.pk).update(within_standard=0)
    after = {w.name: w.on_time_percent for w in client.get(url).context["widgets"]}
    assert after["Air permit"] < before["Air permit"]
    assert permit.name in after
    published.publishes = False
    published.save()
    assert client.get(url).status_code == 404
