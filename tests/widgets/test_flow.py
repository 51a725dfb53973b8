"""Flow measures, fiscal roll-ups, the balance check and late data, in the database."""

import datetime as dt
from decimal import Decimal

import pytest

from widgets import counting, flow, months
from widgets.models import WidgetCount, WidgetStatus
from widgets.periods import (
    describe_period,
    fiscal_year,
    fiscal_year_start,
    period_end,
    period_start,
)

from .. import factories as f

pytestmark = pytest.mark.django_db
D = dt.date


def _count(widget, day, **values):
    defaults = {
        "demand": None,
        "delivered": None,
        "within_standard": None,
        "withdrawn": None,
        "backlog": None,
        "rework": None,
        "cost": None,
    }
    return f.WidgetCountFactory(widget=widget, period_start=day, **{**defaults, **values})


@pytest.mark.parametrize(
    ("day", "frequency", "start"),
    [
        (D(2026, 6, 30), "month", D(2026, 6, 1)),
        (D(2026, 7, 1), "quarter", D(2026, 7, 1)),
        (D(2026, 9, 30), "quarter", D(2026, 7, 1)),
        (D(2026, 10, 1), "quarter", D(2026, 10, 1)),
        (D(2027, 1, 15), "quarter", D(2027, 1, 1)),
        (D(2026, 11, 26), "week", D(2026, 11, 23)),
        (D(2026, 11, 26), "day", D(2026, 11, 26)),
        (D(2026, 6, 30), "year", D(2025, 7, 1)),
        (D(2026, 7, 1), "year", D(2026, 7, 1)),
    ],
)
def test_period_start_at_each_frequency(day, frequency, start):
    assert period_start(day, frequency) == start


def test_fiscal_year_boundaries_with_july_start(settings):
    settings.FISCAL_YEAR_START_MONTH = 7
    assert fiscal_year(D(2026, 6, 30)) == 2026
    assert fiscal_year(D(2026, 7, 1)) == 2027
    assert fiscal_year_start(2027) == D(2026, 7, 1)
    assert describe_period(D(2026, 7, 1), "quarter") == "FY2027 Q1"
    assert describe_period(D(2027, 4, 1), "quarter") == "FY2027 Q4"
    assert period_end(D(2026, 10, 1), "quarter") == D(2026, 12, 31)
    assert describe_period(D(2026, 7, 1), "year") == "FY2027"
    assert period_end(D(2026, 7, 1), "year") == D(2027, 6, 30)


def test_fiscal_year_is_the_calendar_year_when_it_starts_in_january(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    assert fiscal_year(D(2026, 12, 31)) == 2026
    assert describe_period(D(2026, 10, 1), "quarter") == "FY2026 Q4"


def test_rollups_on_fiscal_boundaries():
    widget = f.WidgetFactory()
    for day, delivered in [
        (D(2026, 6, 1), 1),  # FY2026 Q4
        (D(2026, 7, 1), 10),  # FY2027 Q1
        (D(2026, 9, 1), 100),  # FY2027 Q1
        (D(2026, 10, 1), 1000),  # FY2027 Q2
        (D(2027, 6, 1), 10000),  # FY2027 Q4
    ]:
        _count(widget, day, delivered=delivered)
    counts = WidgetCount.objects.filter(widget=widget)
    years = {r["fiscal_year"]: r["total_delivered"] for r in flow.rollup(counts, "fiscal_year")}
    assert years == {2026: 1, 2027: 11110}
    quarters = [
        (r["fiscal_year"], r["quarter"], r["total_delivered"])
        for r in flow.rollup(counts, "quarter")
    ]
    assert quarters == [(2026, 4, 1), (2027, 1, 110), (2027, 2, 1000), (2027, 4, 10000)]
    months = [(r["month"], r["total_delivered"]) for r in flow.rollup(counts, "month")]
    assert months[0] == (D(2026, 6, 1), 1)
    assert len(months) == 5


def test_flow_ratios_skip_unknown_parts():
    widget = f.WidgetFactory()
    _count(widget, D(2026, 1, 1), delivered=100, within_standard=90, cost=Decimal("1000"), rework=5)
    _count(widget, D(2026, 2, 1), delivered=100, within_standard=None, cost=None, rework=None)
    row = WidgetCount.objects.filter(widget=widget).aggregate(**flow.FLOW_AGGREGATES)
    result = flow.flow_from(row, backlog=50, days=59)
    assert result.delivered == 200
    assert result.on_time_share == Decimal("0.9")  # 90 / 100: February's share is unknown
    assert result.cost_per_widget == Decimal("10")
    assert result.rework_rate == Decimal("0.05")
    assert result.lead_time_days == Decimal("14.75")  # 50 / (200 / 59)


def test_flow_of_nothing_known_is_unknown_not_zero():
    widget = f.WidgetFactory()
    _count(widget, D(2026, 1, 1))
    row = WidgetCount.objects.filter(widget=widget).aggregate(**flow.FLOW_AGGREGATES)
    result = flow.flow_from(row)
    assert (result.delivered, result.on_time_share, result.cost_per_widget) == (None, None, None)


def test_rows_of_several_widgets_add_up_as_sql_sums_them():
    """add_rows: each sum is the sum of the rows that know it, and unknown (None) only
    where no row knows it, as one SUM over every widget's counts gives it."""
    first, second = f.WidgetFactory(), f.WidgetFactory()
    _count(first, D(2026, 1, 1), delivered=100, within_standard=90, cost=Decimal("1000"))
    _count(second, D(2026, 1, 1), delivered=50, within_standard=None, cost=Decimal("500"))
    _count(second, D(2026, 2, 1), delivered=None, within_standard=40)
    rows = [
        WidgetCount.objects.filter(widget=w).aggregate(**flow.FLOW_AGGREGATES)
        for w in (first, second)
    ]
    both = WidgetCount.objects.filter(widget__in=[first, second]).aggregate(**flow.FLOW_AGGREGATES)
    added = flow.add_rows(rows)
    assert added == both
    assert (added["total_delivered"], added["total_withdrawn"]) == (150, None)
    assert flow.flow_from(added).on_time_share == Decimal("0.9")  # 90 / 100: 40 has no delivered
    assert flow.add_rows([]) == dict.fromkeys(flow.FLOW_AGGREGATES)


def test_balance_check_flags_only_contiguous_rows_that_do_not_balance():
    widget = f.WidgetFactory(reporting_frequency="month")
    values = {
        "demand": 100,
        "delivered": 90,
        "withdrawn": 5,
        "within_standard": None,
        "rework": None,
    }
    _count(widget, D(2026, 1, 1), backlog=20, **values)
    _count(widget, D(2026, 2, 1), backlog=25, **values)  # 20 + 100 - 90 - 5 = 25: balances
    bad = _count(widget, D(2026, 3, 1), backlog=99, **values)  # should be 30
    _count(widget, D(2026, 5, 1), backlog=1, **values)  # April missing: not checked
    _count(widget, D(2026, 6, 1), backlog=None, **values)  # unknown: not checked
    failures = flow.balance_failures(WidgetCount.objects.all())
    assert [c.pk for c in failures] == [bad.pk]
    balance = counting.balance_of({**values, "backlog": 99}, failures[0].previous_backlog)
    assert (balance.expected, balance.backlog, balance.difference) == (30, 99, 69)


def test_balance_failures_are_in_widget_then_period_order():
    values = {"demand": 100, "delivered": 90, "withdrawn": 5}
    first, second = (f.WidgetFactory(reporting_frequency="month") for _ in range(2))
    _count(first, D(2026, 2, 1), backlog=20, **values)
    _count(first, D(2026, 3, 1), backlog=99, **values)  # should be 25
    _count(second, D(2026, 1, 1), backlog=20, **values)
    _count(second, D(2026, 2, 1), backlog=99, **values)
    failures = flow.balance_failures(WidgetCount.objects.all())
    assert [(c.widget_id, c.period_start) for c in failures] == [
        (first.pk, D(2026, 3, 1)),
        (second.pk, D(2026, 2, 1)),
    ]


def test_latest_due_period(settings):
    settings.COUNTS_DUE_DAYS = 10
    assert flow.latest_due_period("month", D(2026, 11, 10)) == D(2026, 9, 1)
    assert flow.latest_due_period("month", D(2026, 11, 11)) == D(2026, 10, 1)
    assert flow.latest_due_period("quarter", D(2027, 1, 11)) == D(2026, 10, 1)
    assert flow.latest_due_period("quarter", D(2027, 1, 10)) == D(2026, 7, 1)


def test_due_periods_are_the_latest_due_by_the_day_given_newest_first(settings):
    settings.COUNTS_DUE_DAYS = 10
    assert flow.due_periods("month", 3, D(2025, 3, 11)) == [
        D(2025, 2, 1),
        D(2025, 1, 1),
        D(2024, 12, 1),
    ]
    assert flow.due_periods("quarter", 1, D(2025, 3, 11)) == [D(2024, 10, 1)]


def test_counts_are_due_their_frequencys_lag_after_the_period_ends(settings):
    settings.COUNTS_DUE_DAYS = 10
    settings.COUNTS_DUE_DAYS_BY_FREQUENCY = {"day": 1, "week": 3}
    assert flow.due_date(D(2026, 11, 30), "day") == D(2026, 12, 1)
    assert flow.due_date(D(2026, 11, 23), "week") == D(2026, 12, 2)  # the week ends on 29 November
    assert flow.due_date(D(2026, 10, 1), "month") == D(2026, 11, 10)


def test_the_reporting_lags_in_words(settings):
    settings.COUNTS_DUE_DAYS = 10
    settings.COUNTS_DUE_DAYS_BY_FREQUENCY = {"day": 1, "week": 3}
    assert flow.describe_lags() == (
        "1 day after a day ends; 3 days after a week ends; "
        "10 days after a month, quarter or year ends"
    )
    settings.COUNTS_DUE_DAYS = 1
    settings.COUNTS_DUE_DAYS_BY_FREQUENCY = {"week": 2, "month": 2, "quarter": 30}
    assert flow.describe_lags() == (
        "1 day after a day or year ends; 2 days after a week or month ends; "
        "30 days after a quarter ends"
    )


def test_late_widgets_are_approved_ones_missing_their_due_count(settings):
    settings.COUNTS_DUE_DAYS = 10
    today = D(2026, 11, 26)
    on_time = f.WidgetFactory(status=WidgetStatus.APPROVED)
    _count(on_time, D(2026, 10, 1), delivered=5)
    late = f.WidgetFactory(status=WidgetStatus.APPROVED)
    _count(late, D(2026, 9, 1), delivered=5)
    blank = f.WidgetFactory(status=WidgetStatus.APPROVED)
    _count(blank, D(2026, 10, 1), delivered=None)  # a row with nothing known is still late
    f.WidgetFactory(status=WidgetStatus.DRAFT)  # drafts are not counted yet
    from widgets.models import Widget

    result = flow.late_widgets(Widget.objects.all(), today)
    assert sorted(w.pk for w in result) == sorted([late.pk, blank.pk])
    assert {w.due_period for w in result} == {D(2026, 10, 1)}


# --- the newest period the pages show ----------------------------------------------

# 1 June 2025: May has ended; its counts are due on 10 June, so April is the due month.
JUNE_1 = D(2025, 6, 1)


def _newest(widget, today, frequency="month"):
    """newest_period over the widget's counts, and over its month roll-ups: the same."""
    found = [
        flow.newest_period(frequency, counts, today)
        for counts in (WidgetCount.objects.filter(widget=widget), months.months(widget=widget))
    ]
    assert found[0] == found[1]
    return found[0]


@pytest.fixture
def lag_of_ten_days(settings):
    settings.COUNTS_DUE_DAYS = 10
    settings.COUNTS_DUE_DAYS_BY_FREQUENCY = {}


@pytest.mark.usefixtures("lag_of_ten_days")
def test_an_ended_month_is_newest_once_a_count_of_it_has_delivered_known():
    widget = f.WidgetFactory(reporting_frequency="month")
    _count(widget, D(2025, 3, 1), delivered=5)  # before the due month: not newer than it
    _count(widget, D(2025, 5, 1), demand=3)  # May entered, with nothing delivered
    assert _newest(widget, JUNE_1) == D(2025, 4, 1)
    delivered = f.WidgetFactory(reporting_frequency="month")
    _count(delivered, D(2025, 5, 1), delivered=4)
    assert _newest(delivered, JUNE_1) == D(2025, 5, 1)


@pytest.mark.usefixtures("lag_of_ten_days")
def test_a_finer_period_counts_for_the_month_it_starts_in_once_it_has_ended():
    daily = f.WidgetFactory(reporting_frequency="day")
    _count(daily, D(2025, 6, 1), delivered=1)  # June has not ended on 3 June
    _count(daily, D(2025, 6, 2), delivered=1)
    assert _newest(daily, D(2025, 6, 3)) == D(2025, 4, 1)
    _count(daily, D(2025, 5, 31), delivered=1)
    assert _newest(daily, D(2025, 6, 3)) == D(2025, 5, 1)
    weekly = f.WidgetFactory(reporting_frequency="week")
    _count(weekly, D(2025, 5, 26), delivered=1)  # Monday 26 May to Sunday 1 June
    assert _newest(weekly, JUNE_1) == D(2025, 4, 1)
    assert _newest(weekly, D(2025, 6, 2)) == D(2025, 5, 1)


@pytest.mark.usefixtures("lag_of_ten_days")
def test_month_roll_ups_do_not_answer_for_weeks():
    with pytest.raises(ValueError, match=r"^month roll-ups answer only for months, quarters and "):
        flow.newest_period("week", months.months(), D(2025, 6, 3))
