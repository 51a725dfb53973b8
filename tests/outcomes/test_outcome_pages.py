"""Outcome list, detail (run chart), create and edit with contributions, optimistic locking."""

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from outcomes.models import Contribution, Outcome, StepChange
from outcomes.services import record_step_change
from tests import factories as f
from tests.outcomes.conftest import months_back

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


def test_detail_has_a_chart_with_target_trial_limits_and_dated_signals(client, world, staff_a):
    client.force_login(staff_a)
    response = client.get(world["outcome"].get_absolute_url())
    html = response.content.decode()
    assert 'data-vega-spec="outcome-chart-spec"' in html
    # The chart is a Vega-Lite spec (outcomes.charts), one row per point.
    values = response.context["drawing"].spec["data"]["values"]
    assert len(values) == 8 and all(v["target"] is not None for v in values)
    # 38, 39, ..., 45: 8 points, so trial limits from all of them: centre 41.5,
    # average moving range 1, limits 38.84 to 44.16, one per point.
    assert [v["centre"] for v in values] == [41.5] * 8
    assert [(v["lower"], v["upper"]) for v in values] == [(38.84, 44.16)] * 8
    assert "trial limits" in html
    # Down is better. 38 is below the lower limit, and 38 and 39 are beyond two sigma
    # (39.73): improving. The 8 rising in a row, 44 and 45 beyond two sigma (43.27)
    # and 45 above the upper limit: concerning. Each point shows its strongest rule.
    assert [v["signal"] for v in values] == ["improving"] * 2 + ["concerning"] * 6
    signals = response.context["chart"]["signals"]
    assert [(s.rule, s.judgement, s.indices) for s in signals] == [
        ("outside", "improving", (0,)),
        ("two-of-three", "improving", (0, 1)),
        ("trend", "concerning", tuple(range(8))),
        ("two-of-three", "concerning", (6, 7)),
        ("outside", "concerning", (7,)),
    ]
    for s in signals:  # each named by its date(s) and rule
        assert f"{s.when}: {s.describe}" in html
    assert f"{months_back(7):%-d %b %Y}: below the lower process limit" in html
    assert "Point 1" not in html
    assert "Special cause: concerning, high" in html  # the variation mark, explained
    assert "Will consistently miss the target" in html  # limits above the trajectory
    script = re.search(
        r'<script id="outcome-chart-spec" type="application/json">(.*?)</script>', html
    )
    payload = json.loads(script.group(1))
    assert payload["data"]["values"][-1]["value"] == 45.0
    assert "<script>" not in html  # no inline script (CSP)


def test_a_manager_records_a_step_change_and_the_limits_restart_there(client, world, manager_a):
    outcome = world["outcome"]
    client.force_login(manager_a)
    page = client.get(outcome.get_absolute_url())
    assert "Record a step change" in page.content.decode()
    response = client.post(
        reverse("outcomes:step-change-create", args=[outcome.pk]),
        {"starts_on": months_back(3).isoformat(), "reason": "New permit rules from this month"},
    )
    assert response.status_code == 302
    assert response["Location"] == outcome.get_absolute_url()
    step = StepChange.objects.get(outcome=outcome)
    assert (step.starts_on, step.recorded_by) == (months_back(3), manager_a)
    assert step.history.count() == 1

    page = client.get(outcome.get_absolute_url())
    chart = page.context["chart"]
    # Two periods of 4 points: too few for limits after the step, too few before it.
    assert [(p.start, p.end) for p in chart["analysis"].periods] == [(0, 4), (4, 8)]
    # The lines break there: the points of each period carry its index.
    segments = [v["segment"] for v in page.context["drawing"].spec["data"]["values"]]
    assert segments == [0] * 4 + [1] * 4
    html = page.content.decode()
    assert "New permit rules from this month" in html
    assert "Recorded a step change" in html


def test_a_step_change_needs_a_measurement_date_after_the_first_and_a_reason(
    client, world, manager_a
):
    outcome = world["outcome"]
    client.force_login(manager_a)
    url = reverse("outcomes:step-change-create", args=[outcome.pk])
    first = months_back(7).isoformat()
    for data in (
        {"starts_on": first, "reason": "Too early"},
        {"starts_on": "2001-01-01", "reason": "No such measurement"},
        {"starts_on": months_back(3).isoformat(), "reason": "  "},
    ):
        response = client.post(url, data, follow=True)
        assert "The step change was not recorded" in response.content.decode()
    assert not StepChange.objects.exists()


def test_staff_cannot_record_a_step_change(client, world, staff_a):
    client.force_login(staff_a)
    url = reverse("outcomes:step-change-create", args=[world["outcome"].pk])
    response = client.post(url, {"starts_on": months_back(3).isoformat(), "reason": "x"})
    assert response.status_code == 403
    assert not StepChange.objects.exists()


def test_the_step_change_service_refuses_staff(world, staff_a):
    with pytest.raises(PermissionDenied):
        record_step_change(
            outcome=world["outcome"], starts_on=months_back(3), reason="x", by=staff_a
        )


def test_list_shows_status_and_the_marks(client, world, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("outcomes:list")).content.decode()
    assert "Cleaner air" in html and "Off track" in html
    assert 'data-mark="concerning-high"' in html and "Special cause: concerning, high" in html
    assert 'data-mark="miss"' in html


def _listed(client, query=""):
    response = client.get(reverse("outcomes:list") + query)
    assert response.status_code == 200
    return response.context["page"]


def test_the_list_shows_a_page_of_outcomes_and_marks_only_those(
    client, monkeypatch, world, staff_a, agency_a
):
    """A state has hundreds of outcomes, each with marks worked out from all its
    measurements: 566 KB and 224 ms in one page at state scale, now a page at a time."""
    from outcomes import views

    monkeypatch.setattr(views, "OUTCOMES_PER_PAGE", 2)
    for name in ["Fewer fires", "Greener parks", "Healthier rivers"]:
        f.OutcomeFactory(agency=agency_a, name=name)
    client.force_login(staff_a)
    first = _listed(client)
    assert (first.paginator.count, first.paginator.num_pages) == (4, 2)
    assert [o.name for o in first] == ["Cleaner air", "Fewer fires"]
    assert all(hasattr(o, "chart") for o in first)
    assert not any(hasattr(o, "chart") for o in first.paginator.object_list[2:])
    assert [o.name for o in _listed(client, "?page=2")] == ["Greener parks", "Healthier rivers"]
    # A link kept from when the list was longer, or a page that is not a number.
    assert _listed(client, "?page=99").number == 2
    assert _listed(client, "?page=x").number == 1
    html = client.get(reverse("outcomes:list")).text
    assert "4 outcomes: 1 to 2 shown, page 1 of 2." in html
    assert 'href="?page=2"' in html
    # The pages keep the filters.
    html = client.get(reverse("outcomes:list") + f"?agency={agency_a.pk}").text
    assert f'href="?agency={agency_a.pk}&amp;page=2"' in html


def test_the_list_filters_by_agency_and_status(client, world, staff_a, agency_a, agency_b):
    f.OutcomeFactory(agency=agency_a, name="No measurement yet")
    f.OutcomeFactory(agency=agency_b, name="Another agency's")
    client.force_login(staff_a)
    assert {o.name for o in _listed(client)} == {
        "Cleaner air",
        "No measurement yet",
        "Another agency's",
    }
    mine = _listed(client, f"?agency={agency_a.pk}")
    assert {o.name for o in mine} == {"Cleaner air", "No measurement yet"}
    off_track = _listed(client, f"?agency={agency_a.pk}&status=off-track")
    assert [o.name for o in off_track] == ["Cleaner air"]
    unknown = _listed(client, "?status=unknown")
    assert {o.name for o in unknown} == {"Another agency's", "No measurement yet"}
    # A value that is not a choice is dropped, not an error page.
    assert len(list(_listed(client, "?agency=999999&status=nonsense"))) == 3


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


def test_a_second_step_change_on_the_same_date_is_refused_in_words(world, manager_a):
    outcome = world["outcome"]
    record_step_change(outcome=outcome, starts_on=months_back(3), reason="A", by=manager_a)
    with pytest.raises(ValidationError, match="already recorded"):
        record_step_change(outcome=outcome, starts_on=months_back(3), reason="B", by=manager_a)
    assert outcome.step_changes.get().reason == "A"
