"""The agency dashboard, the scorecard and the huddle view."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outcomes.dashboard import add_months, reference_month
from outcomes.status import Status
from tests import factories as f
from widgets.models import WidgetStatus

from .conftest import months_back

pytestmark = pytest.mark.django_db


def dashboard(client, user, agency, **params):
    client.force_login(user)
    return client.get(reverse("outcomes:dashboard", args=[agency.slug]), params)


def test_dashboard_shows_status_of_outcomes_and_widgets(client, world, manager_a, agency_a):
    response = dashboard(client, manager_a, agency_a)
    assert response.status_code == 200
    outcomes = {o.name: o.status for o in response.context["outcomes"]}
    assert outcomes == {"Cleaner air": Status.OFF_TRACK}
    widgets = {w.name: w.status for w in response.context["widgets"]}
    assert widgets == {"Air permit": Status.ON_TRACK, "Water permit": Status.OFF_TRACK}
    good = next(w for w in response.context["widgets"] if w.name == "Air permit")
    assert good.flows["current"].delivered == 100
    assert good.flows["previous"].delivered == 100
    assert good.flows["last_year"].delivered is None  # unknown, not zero
    html = response.content.decode()
    assert "Off track" in html and 'class="status status--off-track"' in html


def test_attention_list_holds_uncovered_red_items_late_unbalanced_and_submitted(
    client, world, manager_a, agency_a
):
    late = f.WidgetFactory(agency=agency_a, name="Late licence", status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(widget=late, period_start=months_back(3))
    f.WidgetCountFactory(widget=world["good"], period_start=months_back(3), backlog=30)
    # The next month does not balance: 30 + 100 - 100 - 0 = 30, but its backlog is 20.
    submitted = f.WidgetFactory(agency=agency_a, name="New grant", status=WidgetStatus.SUBMITTED)
    f.CountermeasureFactory(
        outcome=None,
        widget=world["slow"],
        agency=agency_a,
    )

    attention = dashboard(client, manager_a, agency_a).context["attention"]

    assert [o.name for o in attention.outcomes] == ["Cleaner air"]
    assert attention.widgets == []  # the slow widget has an open countermeasure
    assert [w.name for w in attention.late] == ["Late licence"]
    assert [(c.widget.name, c.period_start) for c in attention.unbalanced] == [
        ("Air permit", months_back(2))
    ]
    assert [w.name for w in attention.drafts] == [submitted.name]


def test_an_open_countermeasure_takes_an_outcome_off_the_attention_list(
    client, world, manager_a, agency_a
):
    f.CountermeasureFactory(outcome=world["outcome"])
    assert dashboard(client, manager_a, agency_a).context["attention"].outcomes == []


def test_a_done_countermeasure_does_not(client, world, manager_a, agency_a):
    f.CountermeasureFactory(outcome=world["outcome"], state="done")
    assert len(dashboard(client, manager_a, agency_a).context["attention"].outcomes) == 1


@pytest.mark.parametrize("grain", ["month", "quarter", "fiscal_year"])
def test_dashboard_filters_by_program_and_period(client, world, staff_a, agency_a, grain):
    other = f.ProgramFactory(agency=agency_a, name="Licences")
    f.WidgetFactory(agency=agency_a, program=other, name="Licence", status=WidgetStatus.APPROVED)
    response = dashboard(client, staff_a, agency_a, program=world["program"].pk, grain=grain)
    assert response.status_code == 200
    assert {w.name for w in response.context["widgets"]} == {"Air permit", "Water permit"}
    assert response.context["windows"]["current"].grain == grain


def test_fiscal_year_window_is_year_to_date_and_compares_the_same_months(world, settings):
    from outcomes.dashboard import windows

    settings.FISCAL_YEAR_START_MONTH = 7
    today = dt.date(2026, 3, 20)  # latest due month: February 2026
    named = windows("fiscal_year", dt.date(2025, 7, 1), today=today)
    assert (named["current"].start, named["current"].end) == (
        dt.date(2025, 7, 1),
        dt.date(2026, 3, 1),
    )
    assert (named["last_year"].start, named["last_year"].end) == (
        dt.date(2024, 7, 1),
        dt.date(2025, 3, 1),
    )
    assert (named["previous"].start, named["previous"].end) == (
        dt.date(2024, 7, 1),
        dt.date(2025, 7, 1),
    )


def _queries(client, user, agency):
    client.force_login(user)
    url = reverse("outcomes:dashboard", args=[agency.slug])
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_dashboard_query_count_does_not_grow_with_widgets_or_periods(
    client, agency_a, manager_a, agency_b, manager_b
):
    program = f.ProgramFactory(agency=agency_a)
    one = f.WidgetFactory(agency=agency_a, program=program, status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(widget=one, period_start=months_back(0))
    f.MeasurementFactory(outcome=f.OutcomeFactory(agency=agency_a))
    few = _queries(client, manager_a, agency_a)

    program_b = f.ProgramFactory(agency=agency_b)
    for i in range(6):
        widget = f.WidgetFactory(agency=agency_b, program=program_b, status=WidgetStatus.APPROVED)
        for n in range(14):
            f.WidgetCountFactory(widget=widget, period_start=months_back(n))
        f.SurveyResultFactory(widget=widget, period_start=months_back(0), satisfaction_5=10)
        outcome = f.OutcomeFactory(agency=agency_b)
        for n in range(6):
            f.MeasurementFactory(outcome=outcome, date=months_back(n))
        if i % 2:
            f.CountermeasureFactory(outcome=outcome)
    f.WidgetFactory(agency=agency_b, program=program_b, status=WidgetStatus.SUBMITTED)
    many = _queries(client, manager_b, agency_b)
    assert many == few


def test_scorecard_counts_statuses_delivered_and_freshness(client, world, staff_a, agency_b):
    f.OutcomeFactory(agency=agency_b, name="No data yet")
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:scorecard"))
    assert response.status_code == 200
    rows = {a.abbreviation: a for a in response.context["agencies"]}
    assert rows["DA"].tally[Status.OFF_TRACK] == 1
    assert rows["DB"].tally[Status.UNKNOWN] == 1
    assert rows["DA"].latest_count == reference_month()
    fy_months = [n for n in range(3) if months_back(n) >= response.context["fy_start"]]
    assert rows["DA"].delivered_fy == 200 * len(fy_months)
    assert reverse("outcomes:dashboard", args=["da"]) in response.content.decode()


def test_each_scorecard_column_is_under_its_heading(client, world, staff_a, agency_b):
    """ "No standard" (a widget's status, never an outcome's) was counted in every row
    with no heading of its own: each figure after it sat under the heading before
    it, the delivered count under "Latest count". Each row's cells are the
    headings', in their order."""
    f.OutcomeFactory(agency=agency_b, name="No data yet")
    client.force_login(staff_a)
    html = client.get(reverse("outcomes:scorecard")).text
    head = html[html.index("<thead>") : html.index("</thead>")]
    headings = re.findall(r'<th scope="col">([^<]*)</th>', head)
    assert headings[:5] == ["Agency", "On track", "At risk", "Off track", "No data"]
    rows = re.findall(r"<tr>(.*?)</tr>", html[html.index("<tbody>") :], re.S)
    assert len(rows) == 2
    for row in rows:
        labels = ["Agency", *re.findall(r'<td data-label="([^"]*)"', row)]
        assert labels == headings


def test_scorecard_is_for_members(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("outcomes:scorecard")).status_code == 403


def test_huddle_refreshes_itself_without_script(client, world, staff_a, agency_a):
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:huddle", args=[agency_a.slug]))
    html = response.content.decode()
    assert 'data-refresh-seconds="300"' in html
    assert "<script>" not in html
    assert "Cleaner air" in html and "Off track" in html


def test_outsider_cannot_read_a_dashboard(client, world, outsider, agency_a):
    client.force_login(outsider)
    assert client.get(reverse("outcomes:dashboard", args=[agency_a.slug])).status_code == 404


def test_reference_month_is_a_complete_month():
    assert reference_month() < dt.date.today().replace(day=1)
    assert add_months(reference_month(), 1) <= dt.date.today()


def _counts_read(captured):
    return [q for q in captured.captured_queries if "widgets_widgetcount" in q["sql"]]


def test_dashboard_is_cached_until_the_agencys_data_changes(
    client, world, manager_a, staff_a, agency_a, agency_b
):
    client.force_login(manager_a)
    url = reverse("outcomes:dashboard", args=[agency_a.slug])
    first = client.get(url)
    assert "add a countermeasure" in first.text  # the outcome is off track, uncovered
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).context["body"] == first.context["body"]
    assert _counts_read(captured) == []
    # Another agency's data is not this dashboard's: still served from the cache.
    f.WidgetCountFactory(widget=f.WidgetFactory(agency=agency_b), period_start=months_back(1))
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    assert _counts_read(captured) == []
    # A countermeasure for the outcome shows at once.
    f.CountermeasureFactory(outcome=world["outcome"])
    covered = client.get(url)
    assert covered.context["attention"].outcomes == []
    # Staff share nothing a manager sees: no manager's links in their copy.
    client.force_login(staff_a)
    assert "New outcome" in covered.text
    assert "New outcome" not in client.get(url).text


def test_scorecard_shows_a_new_outcome_at_once(client, world, staff_a, agency_b):
    client.force_login(staff_a)
    url = reverse("outcomes:scorecard")
    before = client.get(url).context["agencies"]
    assert {a.abbreviation: a.outcome_total for a in before}["DB"] == 0
    f.OutcomeFactory(agency=agency_b)
    after = client.get(url).context["agencies"]
    assert {a.abbreviation: a.outcome_total for a in after}["DB"] == 1


def test_flow_rows_add_each_window_as_the_databases_sum_does(agency_a):
    """flow_rows adds month roll-ups in Python: the same as a filtered SUM per window,
    overlapping windows and unknown months included (unknown where all are unknown)."""
    from django.db.models import Q, Sum

    from outcomes.dashboard import Window, flow_rows
    from widgets import months

    widget = f.WidgetFactory(agency=agency_a, reporting_frequency="month")
    blank = f.WidgetFactory(agency=agency_a, reporting_frequency="month")
    for n, delivered in enumerate([10, None, 7, 3]):
        f.WidgetCountFactory(
            widget=widget,
            period_start=months_back(n),
            delivered=delivered,
            within_standard=None if delivered is None else min(delivered, 5),
        )
    f.WidgetCountFactory(widget=blank, period_start=months_back(0), delivered=None)
    windows = {
        "current": Window("quarter", months_back(2), add_months(months_back(0), 1), ""),
        "previous": Window("month", months_back(1), months_back(0), ""),
        "older": Window("month", months_back(3), months_back(1), ""),
        "none": Window("month", months_back(40), months_back(30), ""),
    }
    found = flow_rows([widget.pk, blank.pk], windows)
    for pk in (widget.pk, blank.pk):
        for name, window in windows.items():
            within = Q(period_start__gte=window.start, period_start__lt=window.end)
            expected = months.months(widget_id=pk).aggregate(
                **{a: Sum(a, filter=within) for a in months.MONTH_AGGREGATES}
            )
            assert found[pk][name] == expected, (pk, name)
    assert found[widget.pk]["current"]["total_delivered"] == 17  # 10 + unknown + 7
    assert found[widget.pk]["previous"]["total_delivered"] is None  # unknown, not 0
    assert found[blank.pk]["current"]["total_delivered"] is None
