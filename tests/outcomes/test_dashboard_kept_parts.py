"""The dashboard keeps what it works out per widget (outcomes.widget_parts) and its
outcome parts between builds (agencies.versions): after a count is saved it shows the
new figures at once, working out only that widget again; after any other change of
the agency, everything again."""

from decimal import Decimal

import pytest
from django.urls import reverse

from outcomes import dashboard as dashboard_module
from tests import factories as f
from widgets import counting
from widgets.models import Widget, WidgetCount

from .conftest import months_back

pytestmark = pytest.mark.django_db


@pytest.fixture
def spied(monkeypatch):
    """{name: [ids or None asked for]} of the dashboard's costly steps."""
    asked = {"flows": [], "outcomes": []}
    widget_flows, dashboard_outcomes = (
        dashboard_module.widget_flows,
        dashboard_module.dashboard_outcomes,
    )

    def flows(widgets, windows):
        asked["flows"].append(sorted(widgets.values_list("pk", flat=True)))
        return widget_flows(widgets, windows)

    def outcomes(agency, **kwargs):
        asked["outcomes"].append(agency.pk)
        return dashboard_outcomes(agency, **kwargs)

    monkeypatch.setattr(dashboard_module, "widget_flows", flows)
    monkeypatch.setattr(dashboard_module, "dashboard_outcomes", outcomes)
    return asked


def shown(client, user, agency):
    client.force_login(user)
    response = client.get(reverse("outcomes:dashboard", args=[agency.slug]))
    assert response.status_code == 200
    return response


def save(widget, user, **values):
    """Save the current month's count of `widget` through the one write path."""
    count = WidgetCount.objects.get(widget=widget, period_start=months_back(0))
    counting.save_counts(
        [
            counting.CountChange(
                widget=widget,
                period_start=count.period_start,
                values=values,
                expected_version=count.version,
            )
        ],
        by=user,
        source="form",
    )


def flows_of(response):
    return {w.name: w.flows["current"] for w in response.context["widgets"]}


def test_a_count_saved_shows_at_once_and_only_its_widget_is_worked_out_again(
    client, world, manager_a, staff_a, agency_a, spied
):
    before = shown(client, manager_a, agency_a)
    assert flows_of(before)["Air permit"].demand == 100
    assert len(spied["flows"]) == 1
    save(world["good"], staff_a, demand=120, backlog=40)

    after = shown(client, manager_a, agency_a)
    assert flows_of(after)["Air permit"].demand == 120
    assert flows_of(after)["Water permit"] == flows_of(before)["Water permit"]
    assert spied["flows"][-1] == [world["good"].pk]
    # The table of every widget shows it: 120 in its demand cell, where 100 was.
    assert after.text != before.text
    assert "<td>120</td>" in after.context["widgets"][0].row_html
    assert "<td>120</td>" not in before.context["widgets"][0].row_html
    # The outcome parts read no counts: kept.
    assert len(spied["outcomes"]) == 1


def test_a_widget_renamed_shows_its_new_name_in_its_flow_row(
    client, world, manager_a, agency_a, spied
):
    shown(client, manager_a, agency_a)
    widget = Widget.objects.get(pk=world["slow"].pk)
    widget.name = "Stormwater permit"
    widget.save()
    after = shown(client, manager_a, agency_a)
    [row] = [w.row_html for w in after.context["widgets"] if w.pk == world["slow"].pk]
    assert ">Stormwater permit</a>" in row
    assert spied["flows"][-1] == sorted([world["good"].pk, world["slow"].pk])


def test_a_countermeasure_opened_for_a_widget_shows_on_its_flow(client, world, manager_a, agency_a):
    assert "Countermeasure open" not in shown(client, manager_a, agency_a).text
    f.CountermeasureFactory(outcome=None, widget=world["slow"], agency=agency_a)
    assert "Countermeasure open" in shown(client, manager_a, agency_a).text


def test_a_measurement_shows_in_the_outcomes_table_at_once(
    client, world, manager_a, agency_a, spied
):
    shown(client, manager_a, agency_a)
    latest = world["outcome"].measurements.get(date=months_back(0))
    latest.value = Decimal("12.5")
    latest.save()
    after = shown(client, manager_a, agency_a)
    assert len(spied["outcomes"]) == 2
    assert "12.5" in after.text


def test_a_count_saved_that_does_not_balance_is_on_the_attention_list_at_once(
    client, world, manager_a, staff_a, agency_a
):
    assert shown(client, manager_a, agency_a).context["attention"].unbalanced == []
    # 20 + 100 - 100 - 0 = 20 closing the month before; 35 does not balance.
    save(world["good"], staff_a, backlog=35)
    unbalanced = shown(client, manager_a, agency_a).context["attention"].unbalanced
    assert [(c.widget_id, c.backlog) for c in unbalanced] == [(world["good"].pk, 35)]


def test_the_scorecard_builds_again_only_the_row_of_the_agency_whose_count_was_saved(
    client, world, staff_a, agency_a, agency_b, monkeypatch
):
    asked, scorecard_rows = [], dashboard_module.scorecard_rows

    def rows(user, agencies, frame):
        asked.append(sorted(a.pk for a in agencies))
        return scorecard_rows(user, agencies, frame)

    monkeypatch.setattr(dashboard_module, "scorecard_rows", rows)
    client.force_login(staff_a)
    url = reverse("outcomes:scorecard")
    before = {a.pk: a.delivered_fy for a in client.get(url).context["agencies"]}
    assert asked == [sorted([agency_a.pk, agency_b.pk])]
    save(world["good"], staff_a, delivered=96, backlog=24)  # 20 + 100 - 96 - 0
    after = client.get(url)
    assert asked[-1] == [agency_a.pk]
    row = next(a for a in after.context["agencies"] if a.pk == agency_a.pk)
    assert row.delivered_fy == before[agency_a.pk] - 4
    assert f"{row.delivered_fy:,}" in after.text


def test_the_filters_offer_a_new_program_and_an_older_month_at_once(
    client, world, manager_a, agency_a
):
    first = shown(client, manager_a, agency_a).text
    assert "Soil permits" not in first
    f.ProgramFactory(agency=agency_a, name="Soil permits")
    assert "Soil permits" in shown(client, manager_a, agency_a).text
    older = months_back(30)
    assert f'value="{older.isoformat()}"' not in first
    f.WidgetCountFactory(widget=world["slow"], period_start=older)
    assert f'value="{older.isoformat()}"' in shown(client, manager_a, agency_a).text
