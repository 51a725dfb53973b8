"""Outcome list, detail (run chart), create and edit with contributions, optimistic locking."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from outcomes.models import Contribution, Outcome
from tests import factories as f

pytestmark = pytest.mark.django_db


def outcome_post(agency, widget, **overrides):
    data = {
        "name": "Safer roads",
        "measure": "Road deaths per year",
        "unit": "deaths",
        "direction": "down",
        "baseline_value": "120",
        "baseline_date": "2025-01-01",
        "target_value": "90",
        "target_date": "2028-01-01",
        "frequency": "month",
        "program": "",
        "owner": "",
        "contributions-TOTAL_FORMS": "2",
        "contributions-INITIAL_FORMS": "0",
        "contributions-MIN_NUM_FORMS": "0",
        "contributions-MAX_NUM_FORMS": "1000",
        "contributions-0-widget": str(widget.pk),
        "contributions-0-rationale": "Each inspection removes an unsafe vehicle.",
        "contributions-1-widget": "",
        "contributions-1-rationale": "",
    }
    data.update(overrides)
    return data


def test_manager_creates_an_outcome_with_a_contribution(client, world, manager_a, agency_a):
    client.force_login(manager_a)
    url = reverse("outcomes:create", args=[agency_a.slug])
    response = client.post(url, outcome_post(agency_a, world["good"]))
    outcome = Outcome.objects.get(name="Safer roads")
    assert response.status_code == 302 and response["Location"] == outcome.get_absolute_url()
    assert outcome.version == 1
    [contribution] = outcome.contributions.all()
    assert contribution.widget == world["good"]
    assert "unsafe vehicle" in contribution.rationale


def test_a_contribution_needs_a_rationale(client, world, manager_a, agency_a):
    client.force_login(manager_a)
    url = reverse("outcomes:create", args=[agency_a.slug])
    data = outcome_post(agency_a, world["good"], **{"contributions-0-rationale": ""})
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Outcome.objects.filter(name="Safer roads").exists()


def test_form_error_when_target_is_before_baseline(client, world, manager_a, agency_a):
    client.force_login(manager_a)
    url = reverse("outcomes:create", args=[agency_a.slug])
    response = client.post(url, outcome_post(agency_a, world["good"], target_date="2024-01-01"))
    assert response.status_code == 200
    assert "The target date must be after the baseline date." in response.content.decode()


def test_staff_and_other_managers_cannot_change_outcomes(
    client, world, staff_a, manager_b, agency_a
):
    for user in (staff_a, manager_b):
        client.force_login(user)
        assert client.get(reverse("outcomes:create", args=[agency_a.slug])).status_code == 403
        edit = reverse("outcomes:edit", args=[world["outcome"].pk])
        assert client.get(edit).status_code == 403


def test_stale_edit_is_refused_and_shows_the_other_version(client, world, manager_a, agency_a):
    outcome = world["outcome"]
    client.force_login(manager_a)
    url = reverse("outcomes:edit", args=[outcome.pk])
    opened = client.get(url).context["form"].initial["version"]
    # Someone else saves first.
    Outcome.objects.filter(pk=outcome.pk).update(name="Cleaner air for all", version=opened + 1)

    data = outcome_post(
        agency_a,
        world["slow"],
        name="Cleaner air, revised",
        version=str(opened),
        **{
            "contributions-INITIAL_FORMS": "1",
            "contributions-TOTAL_FORMS": "1",
            "contributions-0-id": str(outcome.contributions.get().pk),
            "contributions-0-outcome": str(outcome.pk),
            "contributions-0-widget": str(world["good"].pk),
        },
    )
    response = client.post(url, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this outcome after you opened it" in html
    assert "Cleaner air for all" in html  # their version is shown
    outcome.refresh_from_db()
    assert outcome.name == "Cleaner air for all"  # nothing overwritten
    assert response.context["form"].data["version"] == opened + 1

    # Saving again, now from their version, goes through.
    data["version"] = str(opened + 1)
    assert client.post(url, data).status_code == 302
    outcome.refresh_from_db()
    assert (outcome.name, outcome.version) == ("Cleaner air, revised", opened + 2)


def test_detail_has_a_run_chart_with_target_limits_and_signals(client, world, staff_a):
    client.force_login(staff_a)
    response = client.get(world["outcome"].get_absolute_url())
    html = response.content.decode()
    assert 'data-run-chart="outcome-chart-data"' in html
    data = response.context["chart"]["data"]
    assert len(data["values"]) == len(data["target"]) == 8
    assert data["upper"] is not None and data["lower"] is not None
    # 38, 39, ..., 45: mean 41.5, average moving range 1, limits 38.84 to 44.16.
    assert (data["lower"], data["mean"], data["upper"]) == (38.84, 41.5, 44.16)
    assert data["signals"] == [True, *[False] * 6, True]
    assert "Point 1: below the lower process limit." in html  # signals listed in text
    assert "Point 8: above the upper process limit." in html
    script = re.search(
        r'<script id="outcome-chart-data" type="application/json">(.*?)</script>', html
    )
    payload = json.loads(script.group(1))
    assert payload["values"][-1] == 45.0
    assert "<script>" not in html  # no inline script (CSP)


def test_list_shows_status(client, world, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("outcomes:list")).content.decode()
    assert "Cleaner air" in html and "Off track" in html


def test_staff_adds_a_measurement_but_not_in_the_future(client, world, staff_a):
    client.force_login(staff_a)
    url = reverse("outcomes:measurement-create", args=[world["outcome"].pk])
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(url, {"date": future, "value": "30"})
    assert "cannot be in the future" in response.content.decode()
    response = client.post(url, {"date": "2020-02-01", "value": "30", "note": "Late data"})
    assert response.status_code == 302
    assert world["outcome"].measurements.filter(date=dt.date(2020, 2, 1)).exists()


def test_other_agency_staff_cannot_add_measurements(client, world, staff_b):
    client.force_login(staff_b)
    url = reverse("outcomes:measurement-create", args=[world["outcome"].pk])
    assert client.post(url, {"date": "2020-02-01", "value": "30"}).status_code == 403


def test_contribution_widgets_are_the_agencys_own(client, world, manager_a, agency_a, agency_b):
    foreign = f.WidgetFactory(agency=agency_b)
    client.force_login(manager_a)
    url = reverse("outcomes:create", args=[agency_a.slug])
    response = client.post(url, outcome_post(agency_a, foreign))
    assert response.status_code == 200
    assert not Contribution.objects.filter(widget=foreign).exists()


def test_a_forged_number_of_contribution_forms_is_bounded(agency_a):
    from outcomes.forms import MAX_CONTRIBUTIONS, ContributionFormSet

    outcome = f.OutcomeFactory(agency=agency_a)
    data = {
        "contributions-TOTAL_FORMS": "100000",
        "contributions-INITIAL_FORMS": "0",
        "contributions-MIN_NUM_FORMS": "0",
        "contributions-MAX_NUM_FORMS": "1000",
    }
    formset = ContributionFormSet(data, instance=outcome, agency=agency_a, prefix="contributions")
    assert len(formset.forms) == MAX_CONTRIBUTIONS
    assert not formset.is_valid()
