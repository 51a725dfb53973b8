"""Another agency's dashboards, huddle board, review pack and scorecard show only
what its catalogue shows them: approved (and retired) definitions, never one that
is submitted or a draft (widgets.models._readable)."""

import pytest
from django.urls import reverse

from tests import factories as f
from widgets.models import WidgetStatus

from .conftest import months_back

pytestmark = pytest.mark.django_db
PENDING = "Pending permit"
DRAFT = "Unfinished permit"


@pytest.fixture
def pending(world, agency_a, staff_a):
    """Beside the world's approved widgets: one submitted and one draft, with counts."""
    made = []
    for name, status in ((PENDING, WidgetStatus.SUBMITTED), (DRAFT, WidgetStatus.DRAFT)):
        widget = f.WidgetFactory(
            agency=agency_a,
            program=world["program"],
            name=name,
            status=status,
            submitted_by=staff_a,
        )
        for n in range(3):
            f.WidgetCountFactory(
                widget=widget,
                period_start=months_back(n),
                demand=7,
                delivered=7,
                within_standard=1,
                withdrawn=0,
                backlog=0,
            )
        made.append(widget)
    return made


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        lambda review: reverse("outcomes:dashboard", args=["da"]),
        lambda review: reverse("outcomes:huddle", args=["da"]),
        lambda review: reverse("outcomes:review-pack", args=[review.pk]),
        lambda review: reverse("outcomes:review-detail", args=[review.pk]),
    ],
    ids=["dashboard", "huddle", "review-pack", "review"],
)
def test_another_agency_sees_only_approved_definitions_on_agency_pages(
    client, pending, agency_a, staff_a, staff_b, url
):
    address = url(f.ReviewFactory(agency=agency_a, month=months_back(0)))
    own = _page(client, staff_a, address)  # first: a cached page must not leak either
    assert "Water permit" in own and PENDING in own
    theirs = _page(client, staff_b, address)
    assert "Water permit" in theirs
    assert PENDING not in theirs
    assert DRAFT not in theirs


def test_the_scorecard_counts_for_another_agency_only_approved_definitions(
    client, pending, staff_a, staff_b
):
    def delivered(user):
        client.force_login(user)
        response = client.get(reverse("outcomes:scorecard"))
        rows = {a.abbreviation: a for a in response.context["agencies"]}
        return response.context["fy_start"], rows["DA"].delivered_fy

    fy_start, own = delivered(staff_a)
    months = len([n for n in range(3) if months_back(n) >= fy_start])
    assert own == (200 + 14) * months  # its own submitted and draft counts too
    assert delivered(staff_b)[1] == 200 * months


def test_an_outcome_page_names_for_another_agency_only_approved_contributing_definitions(
    client, world, pending, staff_a, staff_b
):
    for widget in pending:
        f.ContributionFactory(outcome=world["outcome"], widget=widget)
    address = reverse("outcomes:detail", args=[world["outcome"].pk])
    own = _page(client, staff_a, address)
    assert "Air permit" in own and PENDING in own and DRAFT in own
    theirs = _page(client, staff_b, address)
    assert "Air permit" in theirs
    assert PENDING not in theirs
    assert DRAFT not in theirs
