"""An outcome or countermeasure edit sent without the version it was opened at is
refused with a message and saves nothing (agencies.errors.VersionedForm)."""

import pytest
from django.urls import reverse

from agencies.errors import VERSION_MISSING
from outcomes.models import Countermeasure, Outcome
from tests import factories as f

from .test_outcome_pages import outcome_post

pytestmark = pytest.mark.django_db
MISSING = VERSION_MISSING.split(":")[0]


def _without_version(data):
    return {k: v for k, v in data.items() if k != "version"}


def test_an_outcome_edit_without_its_version_is_refused(client, world, manager_a, agency_a):
    outcome = world["outcome"]
    client.force_login(manager_a)
    data = outcome_post(
        agency_a,
        world["slow"],
        name="Renamed without a version",
        **{
            "contributions-INITIAL_FORMS": "1",
            "contributions-TOTAL_FORMS": "1",
            "contributions-0-id": str(outcome.contributions.get().pk),
            "contributions-0-outcome": str(outcome.pk),
            "contributions-0-widget": str(world["good"].pk),
        },
    )
    response = client.post(reverse("outcomes:edit", args=[outcome.pk]), _without_version(data))
    assert response.status_code == 200
    assert MISSING in response.content.decode()
    assert Outcome.objects.get(pk=outcome.pk).name == "Cleaner air"


def test_a_countermeasure_edit_without_its_version_is_refused(client, world, manager_a):
    countermeasure = f.CountermeasureFactory(outcome=world["outcome"], action="Kept")
    client.force_login(manager_a)
    response = client.post(
        reverse("outcomes:countermeasure-edit", args=[countermeasure.pk]),
        {"problem": "p", "action": "Mine", "due_date": "2027-01-31", "state": "done"},
    )
    assert MISSING in response.content.decode()
    assert Countermeasure.objects.get().action == "Kept"
