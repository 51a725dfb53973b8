"""The right period (docs/outcomes.md, "Dashboard periods"): pages show the newest
month whose counts are due or already entered, any month with counts can be
chosen, and comparisons with last year are right at every fiscal boundary."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from outcomes.forms import ReviewCreateForm
from outcomes.periods import add_months
from tests import factories as f
from widgets.models import WidgetCount, WidgetStatus

pytestmark = pytest.mark.django_db
D = dt.date
FIRST_COUNTED = D(2023, 1, 1)


@pytest.fixture
def on_day(monkeypatch, settings):
    """Make `timezone.localdate()` (what every page asks) return a given day."""
    settings.COUNTS_DUE_DAYS = 10
    settings.COUNTS_DUE_DAYS_BY_FREQUENCY = {}
    cache.clear()

    def set_today(day):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
        return day

    yield set_today
    cache.clear()


def delivered_in(month):
    """Distinct figures per month, so a window one month off sums differently."""
    return month.year * 100 + month.month


def monthly_counts(agency, *, until):
    """A monthly widget counted every month from 2023 up to and including `until`."""
    widget = f.WidgetFactory(
        agency=agency, name="Permit", status=WidgetStatus.APPROVED, standard_share=80
    )
    months = []
    month = FIRST_COUNTED
    while month <= until:
        months.append(month)
        month = add_months(month, 1)
    WidgetCount.objects.bulk_create(
        [
            WidgetCount(
                widget=widget,
                period_start=m,
                demand=delivered_in(m),
                delivered=delivered_in(m),
                within_standard=delivered_in(m),
                withdrawn=0,
                backlog=0,
            )
            for m in months
        ]
    )
    return widget


def total(start, end):
    """What the test data delivered in the months [start, end)."""
    month, result = start, 0
    while month < end:
        if month >= FIRST_COUNTED:
            result += delivered_in(month)
        month = add_months(month, 1)
    return result


def page(client, user, name, agency, **params):
    client.force_login(user)
    return client.get(reverse(name, args=[agency.slug]), params)


# --- 1 December with November's counts entered ------------------------------------


@pytest.mark.parametrize(("entered", "shown"), [(True, D(2026, 11, 1)), (False, D(2026, 10, 1))])
def test_on_1_december_pages_show_november_once_its_counts_are_in(
    client, on_day, agency_a, manager_a, entered, shown
):
    on_day(D(2026, 12, 1))  # November's counts are due on 11 December
    monthly_counts(agency_a, until=D(2026, 11, 1) if entered else D(2026, 10, 1))

    dashboard = page(client, manager_a, "outcomes:dashboard", agency_a)
    assert dashboard.context["windows"]["current"].start == shown
    huddle = page(client, manager_a, "outcomes:huddle", agency_a)
    assert huddle.context["window"].start == shown
    grid = page(client, manager_a, "widgets:count-entry", agency_a)
    assert grid.context["grid"].period_start == shown
    review_form = ReviewCreateForm(agency=agency_a)
    assert review_form.fields["month"].initial == shown.isoformat()
    assert D(2026, 11, 1).isoformat() in dict(review_form.fields["month"].choices)


def test_on_1_december_november_can_be_chosen_on_the_dashboard(client, on_day, agency_a, manager_a):
    on_day(D(2026, 12, 1))
    monthly_counts(agency_a, until=D(2026, 11, 1))
    response = page(client, manager_a, "outcomes:dashboard", agency_a, period="2026-11-01")
    choices = dict(response.context["form"].fields["period"].choices)
    assert "2026-11-01" in choices
    assert response.context["windows"]["current"].label == "November 2026"
    widget = response.context["widgets"][0]
    assert widget.flows["current"].delivered == delivered_in(D(2026, 11, 1))


def test_a_month_that_has_not_ended_is_never_shown(client, on_day, agency_a, manager_a):
    on_day(D(2026, 12, 1))
    widget = monthly_counts(agency_a, until=D(2026, 11, 1))
    f.WidgetCountFactory(widget=widget, period_start=D(2026, 12, 1))  # in progress
    response = page(client, manager_a, "outcomes:dashboard", agency_a)
    assert response.context["windows"]["current"].start == D(2026, 11, 1)


def test_a_quarterly_count_of_a_quarter_still_running_does_not_move_the_month(
    client, on_day, agency_a, manager_a, settings
):
    settings.FISCAL_YEAR_START_MONTH = 7
    on_day(D(2026, 11, 5))  # October's counts are due on 11 November
    quarterly = f.WidgetFactory(
        agency=agency_a, status=WidgetStatus.APPROVED, reporting_frequency="quarter"
    )
    f.WidgetCountFactory(widget=quarterly, period_start=D(2026, 10, 1))
    response = page(client, manager_a, "outcomes:dashboard", agency_a)
    assert response.context["windows"]["current"].start == D(2026, 9, 1)


def test_any_month_with_counts_can_be_chosen_however_old(client, on_day, agency_a, manager_a):
    on_day(D(2026, 12, 1))
    monthly_counts(agency_a, until=D(2026, 11, 1))  # from January 2023: 47 months
    response = page(client, manager_a, "outcomes:dashboard", agency_a, period="2023-01-01")
    assert response.context["windows"]["current"].start == D(2023, 1, 1)
    assert response.context["widgets"][0].flows["current"].delivered == 202301


def test_each_frequency_has_its_own_reporting_lag(settings):
    from widgets.flow import latest_due_period

    settings.COUNTS_DUE_DAYS = 10
    settings.COUNTS_DUE_DAYS_BY_FREQUENCY = {"day": 1, "week": 3}
    assert latest_due_period("day", D(2026, 12, 2)) == D(2026, 11, 30)
    assert latest_due_period("week", D(2026, 12, 3)) == D(2026, 11, 23)  # Mon 30 Nov: not yet
    assert latest_due_period("week", D(2026, 12, 10)) == D(2026, 11, 30)
    assert latest_due_period("month", D(2026, 12, 10)) == D(2026, 10, 1)


def test_the_scorecard_counts_the_fiscal_year_of_the_month_shown_and_no_further(
    client, on_day, agency_a, staff_a, settings
):
    settings.FISCAL_YEAR_START_MONTH = 1
    on_day(D(2027, 1, 1))  # the first day of FY2027; December 2026 is entered
    widget = monthly_counts(agency_a, until=D(2026, 12, 1))
    f.WidgetCountFactory(widget=widget, period_start=D(2027, 1, 1), delivered=999)  # running
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:scorecard"))
    assert response.context["fiscal_year"] == 2026
    row = next(a for a in response.context["agencies"] if a.pk == agency_a.pk)
    assert row.delivered_fy == total(D(2026, 1, 1), D(2027, 1, 1))


# --- comparisons with last year at every fiscal boundary ---------------------------

# (FY start month, today, newest month entered, then for the fiscal year and the
# quarter: the current window [start, end) and the same months last year).
BOUNDARIES = [
    # 1 December, November entered (due on the 11th): the year to date runs to November.
    (7, D(2026, 12, 1), D(2026, 11, 1), (D(2026, 7, 1), D(2026, 12, 1)), D(2026, 10, 1)),
    (1, D(2026, 12, 1), D(2026, 11, 1), (D(2026, 1, 1), D(2026, 12, 1)), D(2026, 10, 1)),
    (4, D(2026, 12, 1), D(2026, 11, 1), (D(2026, 4, 1), D(2026, 12, 1)), D(2026, 10, 1)),
    (10, D(2026, 12, 1), D(2026, 11, 1), (D(2026, 10, 1), D(2026, 12, 1)), D(2026, 10, 1)),
    # 1 December, November not entered: October, the latest due.
    (10, D(2026, 12, 1), D(2026, 10, 1), (D(2026, 10, 1), D(2026, 11, 1)), D(2026, 10, 1)),
    # The first day of the fiscal year, the last month entered: the whole year ended.
    (1, D(2027, 1, 1), D(2026, 12, 1), (D(2026, 1, 1), D(2027, 1, 1)), D(2026, 10, 1)),
    (4, D(2026, 4, 1), D(2026, 3, 1), (D(2025, 4, 1), D(2026, 4, 1)), D(2026, 1, 1)),
    (7, D(2026, 7, 1), D(2026, 6, 1), (D(2025, 7, 1), D(2026, 7, 1)), D(2026, 4, 1)),
    (10, D(2026, 10, 1), D(2026, 9, 1), (D(2025, 10, 1), D(2026, 10, 1)), D(2026, 7, 1)),
    # The first day of the fiscal year, the last month not entered yet: to date.
    (1, D(2027, 1, 1), D(2026, 11, 1), (D(2026, 1, 1), D(2026, 12, 1)), D(2026, 10, 1)),
    (4, D(2026, 4, 1), D(2026, 2, 1), (D(2025, 4, 1), D(2026, 3, 1)), D(2026, 1, 1)),
    (7, D(2026, 7, 1), D(2026, 5, 1), (D(2025, 7, 1), D(2026, 6, 1)), D(2026, 4, 1)),
    (10, D(2026, 10, 1), D(2026, 8, 1), (D(2025, 10, 1), D(2026, 9, 1)), D(2026, 7, 1)),
    # The first day of the fiscal year's second month (counts of the first are in).
    (7, D(2026, 8, 1), D(2026, 7, 1), (D(2026, 7, 1), D(2026, 8, 1)), D(2026, 7, 1)),
]


@pytest.mark.parametrize(("start_month", "today", "entered", "fiscal_year", "quarter"), BOUNDARIES)
def test_fiscal_year_compares_the_same_months_last_year(
    client, on_day, settings, agency_a, manager_a, start_month, today, entered, fiscal_year, quarter
):
    settings.FISCAL_YEAR_START_MONTH = start_month
    on_day(today)
    monthly_counts(agency_a, until=entered)
    response = page(client, manager_a, "outcomes:dashboard", agency_a, grain="fiscal_year")

    named = response.context["windows"]
    start, end = fiscal_year
    assert (named["current"].start, named["current"].end) == (start, end)
    assert (named["last_year"].start, named["last_year"].end) == (
        add_months(start, -12),
        add_months(end, -12),
    )
    assert (named["previous"].start, named["previous"].end) == (add_months(start, -12), start)
    flows = response.context["widgets"][0].flows
    assert flows["current"].delivered == total(start, end)
    assert flows["last_year"].delivered == total(add_months(start, -12), add_months(end, -12))
    assert flows["previous"].delivered == total(add_months(start, -12), start)


@pytest.mark.parametrize(("start_month", "today", "entered", "fiscal_year", "quarter"), BOUNDARIES)
def test_quarter_compares_the_same_months_last_year(
    client, on_day, settings, agency_a, manager_a, start_month, today, entered, fiscal_year, quarter
):
    settings.FISCAL_YEAR_START_MONTH = start_month
    on_day(today)
    monthly_counts(agency_a, until=entered)
    response = page(client, manager_a, "outcomes:dashboard", agency_a, grain="quarter")

    named = response.context["windows"]
    end = min(add_months(quarter, 3), add_months(entered, 1))
    assert (named["current"].start, named["current"].end) == (quarter, end)
    assert (named["last_year"].start, named["last_year"].end) == (
        add_months(quarter, -12),
        add_months(end, -12),
    )
    assert (named["previous"].start, named["previous"].end) == (add_months(quarter, -3), quarter)
    flows = response.context["widgets"][0].flows
    assert flows["current"].delivered == total(quarter, end)
    assert flows["last_year"].delivered == total(add_months(quarter, -12), add_months(end, -12))
    assert flows["previous"].delivered == total(add_months(quarter, -3), quarter)


@pytest.mark.parametrize("start_month", [1, 4, 7, 10])
def test_same_months_last_year_are_summed_though_they_lie_in_the_previous_fiscal_year(
    settings, agency_a, staff_a, start_month
):
    """The windows overlap in fiscal-year view: each is summed on its own."""
    from outcomes.dashboard import dashboard_widgets, widget_flows, windows

    settings.COUNTS_DUE_DAYS = 10
    settings.FISCAL_YEAR_START_MONTH = start_month
    monthly_counts(agency_a, until=D(2026, 11, 1))
    start = D(2026 if start_month <= 10 else 2025, start_month, 1)
    named = windows("fiscal_year", start, today=D(2026, 12, 11))  # November due
    (widget,) = widget_flows(dashboard_widgets(agency_a, reader=staff_a), named)
    last_year = add_months(start, -12)
    assert widget.flows["last_year"].delivered == total(last_year, D(2025, 12, 1))
    assert widget.flows["previous"].delivered == total(last_year, start)


def test_the_scorecards_newest_count_is_the_newest_the_reader_may_read_however_old(
    client, on_day, agency_a, agency_b, staff_b, settings
):
    """Freshness on the scorecard: the newest count of any widget the reader may
    read, this month's too (not yet ended, so not in the fiscal total); one from
    years ago when there is none since; blank when there is none at all. Another
    agency's draft is not the reader's to read, however new its count."""
    settings.FISCAL_YEAR_START_MONTH = 7
    on_day(D(2026, 12, 2))
    daily = f.WidgetFactory(
        agency=agency_a, status=WidgetStatus.APPROVED, reporting_frequency="day"
    )
    f.WidgetCountFactory(
        widget=daily, period_start=D(2026, 11, 30), delivered=5, within_standard=None, rework=None
    )
    f.WidgetCountFactory(
        widget=daily, period_start=D(2026, 12, 1), delivered=7, within_standard=None, rework=None
    )
    draft = f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT, reporting_frequency="day")
    f.WidgetCountFactory(
        widget=draft, period_start=D(2026, 12, 2), delivered=1, within_standard=None, rework=None
    )
    stale = f.WidgetFactory(agency=agency_b, status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(
        widget=stale, period_start=D(2023, 2, 1), delivered=3, within_standard=None, rework=None
    )
    f.WidgetCountFactory(
        widget=stale, period_start=D(2023, 4, 1), delivered=4, within_standard=None, rework=None
    )
    nothing = f.AgencyFactory(name="Department of Nothing Yet", abbreviation="DN")
    client.force_login(staff_b)
    response = client.get(reverse("outcomes:scorecard"))
    rows = {a.pk: a for a in response.context["agencies"]}
    assert rows[agency_a.pk].latest_count == D(2026, 12, 1)  # not the draft's 2 December
    assert rows[agency_a.pk].delivered_fy == 5  # November's; December has not ended
    assert rows[agency_b.pk].latest_count == D(2023, 4, 1)
    assert rows[agency_b.pk].delivered_fy is None
    assert rows[nothing.pk].latest_count is None and rows[nothing.pk].delivered_fy is None


@pytest.mark.parametrize(
    "today, newest",
    [
        (D(2026, 12, 2), D(2026, 11, 1)),  # whole Q1 (Jul-Sep), then October and November
        (D(2026, 10, 2), D(2026, 9, 1)),  # whole Q1 only
        (D(2026, 8, 2), D(2026, 7, 1)),  # no whole quarter yet: July alone
    ],
)
def test_delivered_this_fiscal_year_adds_whole_quarters_and_the_months_after_them(
    client, on_day, agency_a, agency_b, staff_a, settings, today, newest
):
    """The scorecard sums a fiscal quarter's roll-up for each whole quarter and month
    roll-ups after it: the same total as the months', nothing before the fiscal year
    or after the month shown, and blank only when no part has a delivered figure."""
    settings.FISCAL_YEAR_START_MONTH = 7
    on_day(today)
    widget = monthly_counts(agency_a, until=newest)
    f.WidgetCountFactory(widget=widget, period_start=add_months(newest, 1), delivered=999)
    # Agency B counted only in the month shown (no delivered in any whole quarter), or
    # not at all this fiscal year when that month is July.
    counted_b = f.WidgetFactory(agency=agency_b, status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(widget=counted_b, period_start=D(2026, 6, 1), delivered=500)
    if newest.month != 7:
        f.WidgetCountFactory(widget=counted_b, period_start=newest, delivered=700)
    client.force_login(staff_a)
    response = client.get(reverse("outcomes:scorecard"))
    assert response.context["fy_start"] == D(2026, 7, 1)
    rows = {a.pk: a for a in response.context["agencies"]}
    assert rows[agency_a.pk].delivered_fy == total(D(2026, 7, 1), add_months(newest, 1))
    if newest.month == 9:  # September is in the whole quarter: B's count is one of it
        assert rows[agency_b.pk].delivered_fy == 700
    elif newest.month == 11:
        assert rows[agency_b.pk].delivered_fy == 700  # months only; the quarter has none
    else:
        assert rows[agency_b.pk].delivered_fy is None  # unknown, not 0
