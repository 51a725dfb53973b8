"""The agency's data-quality page, its count on the dashboard, and the errors on the
home page (widgets.quality; issue 18, points 5 and 7)."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from outcomes.dashboard import add_months, reference_month
from tests import factories as f
from widgets.models import WidgetCount, WidgetStatus

pytestmark = pytest.mark.django_db
NOTHING_WAITING = "Nothing is waiting for you"


def months_back(n):
    return add_months(reference_month(), -n)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def permit(agency_a):
    """A widget whose demand jumps far from its earlier periods in the latest month."""
    widget = f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)
    for n, demand in enumerate([90_000, 120, 110, 100]):
        f.WidgetCountFactory(
            widget=widget,
            period_start=months_back(n),
            demand=demand,
            delivered=100 + n,
            within_standard=90,
            withdrawn=None,
        )
    return widget


@pytest.fixture
def quiet(agency_a):
    """A widget with a standard and counts that say nothing about volume."""
    widget = f.WidgetFactory(agency=agency_a, name="Boat license", status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(
        widget=widget,
        period_start=months_back(0),
        demand=0,
        delivered=None,
        within_standard=None,
        rework=None,
    )
    return widget


def page(client, user, agency, query=""):
    client.force_login(user)
    response = client.get(reverse("widgets:data-quality", args=[agency.slug]) + query)
    assert response.status_code == 200
    return response


def listed(response):
    return {
        group["grade"]: [(finding.widget.name, finding.check) for finding, _url in group["rows"]]
        for group in response.context["groups"]
    }


def test_the_page_lists_findings_by_grade_with_what_how_and_values(
    client, permit, quiet, staff_a, agency_a
):
    response = page(client, staff_a, agency_a)
    assert listed(response) == {
        "error": [],
        # Its delivered is unknown in the latest due period: late as well.
        "warning": [("Boat license", "late-count"), ("Boat license", "standard-without-volume")],
        "suggestion": [("Air permit", "far-from-earlier")],
    }
    text = response.text
    assert "3 findings: 0 errors, 2 warnings, 1 suggestion." in text
    assert "Demand is 90,000, 8,989 standard deviations from the mean" in text
    assert "Check demand for this period" in text  # how to fix it
    assert "Standard deviations from the mean: 8,989" in text  # the values
    count = WidgetCount.objects.get(widget=permit, period_start=months_back(0))
    assert reverse("widgets:count-edit", args=[count.pk]) in text  # the count to fix


def test_the_page_filters_by_grade_and_by_widget(client, permit, quiet, staff_a, agency_a):
    assert listed(page(client, staff_a, agency_a, "?grade=suggestion")) == {
        "suggestion": [("Air permit", "far-from-earlier")]
    }
    assert listed(page(client, staff_a, agency_a, f"?widget={permit.pk}")) == {
        "error": [],
        "warning": [],
        "suggestion": [("Air permit", "far-from-earlier")],
    }


def test_another_agencys_reader_sees_no_drafts_findings_and_no_edit_links(
    client, permit, staff_b, agency_a
):
    f.WidgetCountFactory(
        widget=f.WidgetFactory(agency=agency_a, name="Secret", status=WidgetStatus.SUBMITTED),
        period_start=months_back(0),
        demand=0,
        delivered=0,
        within_standard=0,
        rework=0,
    )
    response = page(client, staff_b, agency_a)
    assert listed(response)["warning"] == []
    assert "/edit/" not in response.text
    assert reverse("widgets:count-history", args=[permit.pk]) in response.text


def test_the_dashboard_counts_findings_by_grade_and_links_to_the_page(
    client, permit, quiet, manager_a, agency_a
):
    client.force_login(manager_a)
    response = client.get(reverse("outcomes:dashboard", args=[agency_a.slug]))
    assert response.context["quality"] == [
        ("✗", "Error", 0),
        ("!", "Warning", 2),
        ("?", "Suggestion", 1),
    ]
    assert "0 errors, " in response.text
    assert reverse("widgets:data-quality", args=[agency_a.slug]) in response.text


def test_a_data_quality_error_is_on_the_home_page_and_nothing_is_waiting_is_not(
    client, manager_a, agency_a, without_share_constraints
):
    widget = f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)
    count = f.WidgetCountFactory(widget=widget, period_start=months_back(0), within_standard=90)
    client.force_login(manager_a)
    assert NOTHING_WAITING in client.get(reverse("home")).text
    WidgetCount.objects.filter(pk=count.pk).update(within_standard=95, delivered=90)
    response = client.get(reverse("home"))
    assert [i.kind for i in response.context["attention"]] == ["quality"]
    assert "Within standard (95) is more than delivered (90)" in response.text
    assert NOTHING_WAITING not in response.text
    dashboard = client.get(reverse("outcomes:dashboard", args=[agency_a.slug]))
    assert [e.count_id for e in dashboard.context["attention"].quality] == [count.pk]
