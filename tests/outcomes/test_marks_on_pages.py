"""The variation and assurance marks (widgets.spc) on every page that lists outcomes:
the outcome list, the agency dashboard (cached: a step change shows at once) and the
huddle board; the lists read every outcome's series in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f

from .conftest import months_back

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_each_outcomes_marks(client, world, manager_a, agency_a):
    client.force_login(manager_a)
    html = client.get(reverse("outcomes:dashboard", args=[agency_a.slug])).text
    # Cleaner air, 38 to 45 while down is better: a concerning signal, and limits
    # (38.84 to 44.16) above the trajectory.
    assert 'data-mark="concerning-high"' in html
    assert "Special cause: concerning, high" in html
    assert 'data-mark="miss"' in html


def test_the_huddle_board_shows_each_outcomes_marks(client, world, staff_a, agency_a):
    client.force_login(staff_a)
    html = client.get(reverse("outcomes:huddle", args=[agency_a.slug])).text
    assert "Special cause: concerning, high" in html
    assert "Will consistently miss the target" in html


def test_a_new_step_change_shows_on_the_cached_dashboard_at_once(
    client, world, manager_a, agency_a
):
    client.force_login(manager_a)
    url = reverse("outcomes:dashboard", args=[agency_a.slug])
    assert 'data-mark="concerning-high"' in client.get(url).text
    # From the step on, 4 points: too few for limits, so no judgement yet.
    f.StepChangeFactory(outcome=world["outcome"], starts_on=months_back(3))
    html = client.get(url).text
    assert 'data-mark="concerning-high"' not in html
    assert 'data-mark="no-judgement"' in html


def _list_queries(client, user):
    url = reverse("outcomes:list")
    client.force_login(user)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_outcome_list_reads_every_series_in_a_fixed_number_of_queries(
    client, agency_a, staff_a
):
    outcome = f.OutcomeFactory(agency=agency_a)
    f.MeasurementFactory(outcome=outcome, date=months_back(0))
    one = _list_queries(client, staff_a)
    for _ in range(5):
        outcome = f.OutcomeFactory(agency=agency_a)
        for n in range(14):
            f.MeasurementFactory(outcome=outcome, date=months_back(n))
        f.StepChangeFactory(outcome=outcome, starts_on=months_back(5))
    assert _list_queries(client, staff_a) == one
