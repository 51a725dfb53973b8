"""Flow measures on their edges: lead time, the fiscal quarters, windows, zero delivered."""

import datetime as dt
from decimal import Decimal

import pytest

from widgets import flow
from widgets.models import Widget, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
D = dt.date


def _count(widget, day, **values):
    blank = dict.fromkeys(
        ("demand", "delivered", "within_standard", "withdrawn", "backlog", "rework", "cost")
    )
    return f.WidgetCountFactory(widget=widget, period_start=day, **{**blank, **values})


def test_lead_time_of_a_period_is_its_average_backlog_over_delivered_per_day():
    widget = f.WidgetFactory(reporting_frequency="month")
    january = _count(widget, D(2026, 1, 1), backlog=40, delivered=62)
    # backlog 40 over January's 31 days at 62 delivered (2 a day): 20 days.
    assert flow.period_measures(january)["lead_time_days"] == Decimal("20")
    # With December's closing backlog 20, the average backlog is 30: 15 days.
    assert flow.period_measures(january, previous_backlog=20)["lead_time_days"] == Decimal("15")


def test_lead_time_is_unknown_without_a_backlog_or_with_nothing_delivered():
    widget = f.WidgetFactory(reporting_frequency="month")
    no_backlog = _count(widget, D(2026, 1, 1), backlog=None, delivered=5)
    nothing_delivered = _count(widget, D(2026, 2, 1), backlog=10, delivered=0)
    assert flow.period_measures(no_backlog)["lead_time_days"] is None
    assert flow.period_measures(nothing_delivered)["lead_time_days"] is None


def test_cost_entered_with_nothing_delivered_has_no_cost_per_widget():
    widget = f.WidgetFactory()
    _count(widget, D(2026, 1, 1), delivered=0, cost=Decimal("500"), within_standard=0, rework=0)
    row = WidgetCount.objects.filter(widget=widget).aggregate(**flow.FLOW_AGGREGATES)
    result = flow.flow_from(row, backlog=10, days=31)
    assert result.cost_per_widget is None
    assert result.on_time_share is None
    assert result.rework_rate is None
    assert result.lead_time_days is None
    assert flow.ratio(Decimal("500"), 0) is None


@pytest.mark.parametrize(
    ("month", "fiscal_year", "quarter"),
    [
        (7, 2027, 1),
        (8, 2027, 1),
        (9, 2027, 1),
        (10, 2027, 2),
        (11, 2027, 2),
        (12, 2027, 2),
        (1, 2027, 3),
        (2, 2027, 3),
        (3, 2027, 3),
        (4, 2027, 4),
        (5, 2027, 4),
        (6, 2027, 4),
    ],
)
def test_each_month_rolls_up_into_its_fiscal_quarter_with_a_july_start(
    settings, month, fiscal_year, quarter
):
    settings.FISCAL_YEAR_START_MONTH = 7
    widget = f.WidgetFactory()
    year = 2026 if month >= 7 else 2027
    _count(widget, D(year, month, 1), delivered=7)
    rows = list(flow.rollup(WidgetCount.objects.filter(widget=widget), "quarter"))
    assert [(r["fiscal_year"], r["quarter"], r["total_delivered"]) for r in rows] == [
        (fiscal_year, quarter, 7)
    ]


def test_a_fiscal_year_starting_in_october_puts_october_in_the_first_quarter(settings):
    settings.FISCAL_YEAR_START_MONTH = 10
    widget = f.WidgetFactory()
    for month, delivered in [(9, 1), (10, 10), (12, 100), (1, 1000)]:
        _count(widget, D(2026 if month >= 9 else 2027, month, 1), delivered=delivered)
    rows = flow.rollup(WidgetCount.objects.filter(widget=widget), "quarter")
    assert [(r["fiscal_year"], r["quarter"], r["total_delivered"]) for r in rows] == [
        (2026, 4, 1),
        (2027, 1, 110),
        (2027, 2, 1000),
    ]


def test_an_unknown_grain_is_refused():
    with pytest.raises(ValueError, match="unknown grain"):
        flow.rollup(WidgetCount.objects.all(), "week")


def test_window_totals_sum_from_the_start_period_up_to_but_not_including_the_end():
    widget = f.WidgetFactory(status=WidgetStatus.APPROVED)
    for day, delivered in [
        (D(2025, 12, 1), 1),  # before the window
        (D(2026, 1, 1), 10),  # its first period
        (D(2026, 2, 1), 100),
        (D(2026, 3, 1), 1000),  # the end: not in it
    ]:
        _count(widget, day, delivered=delivered, within_standard=0)
    _count(widget, D(2026, 2, 15), delivered=10000)  # within standard unknown: not summed
    totals = flow.window_totals(
        {"delivered_sum": "delivered"}, start=D(2026, 1, 1), end=D(2026, 3, 1)
    )
    assert Widget.objects.annotate(**totals).get(pk=widget.pk).delivered_sum == 110
    open_ended = flow.window_totals({"delivered_sum": "delivered"}, start=D(2026, 1, 1))
    assert Widget.objects.annotate(**open_ended).get(pk=widget.pk).delivered_sum == 1110


def test_the_previous_period_is_the_same_widgets_earlier_one_whatever_the_order_saved():
    permit, title = f.WidgetFactory(), f.WidgetFactory()
    jan, feb, mar = D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)
    for widget, day, backlog in [
        (permit, mar, 3),
        (title, jan, 10),
        (permit, jan, 1),
        (title, feb, 20),
        (permit, feb, 2),
    ]:
        _count(widget, day, backlog=backlog)
    rows = {
        (c.widget_id, c.period_start): (c.previous_period, c.previous_backlog)
        for c in flow.with_previous(WidgetCount.objects.all())
    }
    assert rows == {
        (permit.pk, jan): (None, None),
        (permit.pk, feb): (jan, 1),
        (permit.pk, mar): (feb, 2),
        (title.pk, jan): (None, None),
        (title.pk, feb): (jan, 10),
    }


def test_window_totals_are_each_widgets_own():
    permit, title = f.WidgetFactory(), f.WidgetFactory()
    _count(permit, D(2026, 1, 1), delivered=5, within_standard=5)
    _count(title, D(2026, 1, 1), delivered=7, within_standard=7)
    totals = flow.window_totals({"delivered_sum": "delivered"}, start=D(2026, 1, 1))
    sums = dict(Widget.objects.annotate(**totals).values_list("pk", "delivered_sum"))
    assert sums == {permit.pk: 5, title.pk: 7}


def test_a_flow_carries_the_totals_and_the_closing_backlog():
    row = {"total_demand": 12, "total_delivered": 10, "total_withdrawn": 2}
    result = flow.flow_from(row, backlog=40, days=30)
    assert (result.demand, result.delivered, result.withdrawn, result.backlog) == (12, 10, 2, 40)
    assert result.lead_time_days == Decimal("120")  # 40 / (10 / 30)


def _balance_row(widget, day, **values):
    known = {"demand": 100, "delivered": 90, "withdrawn": 5}
    return _count(widget, day, **{**known, **values})


def test_balance_failures_come_in_period_order_in_two_queries(django_assert_num_queries):
    """The window over narrow rows, then the flagged rows whole: two queries whatever
    the number of counts and failures (one when nothing fails)."""
    widget = f.WidgetFactory(reporting_frequency="month")
    _balance_row(widget, D(2026, 1, 1), backlog=20)
    mar = _balance_row(widget, D(2026, 3, 1), backlog=1)
    feb = _balance_row(widget, D(2026, 2, 1), backlog=99)
    with django_assert_num_queries(2):
        failures = flow.balance_failures(WidgetCount.objects.all())
        assert [c.pk for c in failures] == [feb.pk, mar.pk]
        assert [(c.previous_backlog, c.previous_period) for c in failures] == [
            (20, D(2026, 1, 1)),
            (99, D(2026, 2, 1)),
        ]
        assert failures[0].widget == widget  # read with the row
    for month in range(4, 10):
        _balance_row(widget, D(2026, month, 1), backlog=month)
    with django_assert_num_queries(2):
        assert len(flow.balance_failures(WidgetCount.objects.all())) == 8
    with django_assert_num_queries(1):
        assert flow.balance_failures(WidgetCount.objects.filter(period_start__year=2025)) == []


def test_a_period_after_an_unknown_backlog_or_with_nothing_known_delivered_is_not_checked():
    widget = f.WidgetFactory(reporting_frequency="month")
    _balance_row(widget, D(2026, 1, 1), backlog=None)
    _balance_row(widget, D(2026, 2, 1), backlog=7)  # January's backlog unknown
    _balance_row(widget, D(2026, 3, 1), backlog=50, delivered=None)  # delivered unknown
    assert flow.balance_failures(WidgetCount.objects.all()) == []


@pytest.mark.parametrize(
    "unknown_before",
    [
        {"demand": None},
        {"delivered": None},
        {"withdrawn": None},
        {"demand": None, "delivered": None},
    ],
)
def test_a_period_is_checked_after_one_whose_backlog_is_known_whatever_else_it_left_blank(
    unknown_before,
):
    """The balance needs the period before's backlog only: January left demand (or
    delivered, or withdrawn) blank but gave its backlog, so February is checked
    against it, as the entry grid and the upload check it (20 + 100 - 90 - 5 = 25,
    not 99). January itself is not checked (a part of it is unknown)."""
    widget = f.WidgetFactory(reporting_frequency="month")
    _balance_row(widget, D(2025, 12, 1), backlog=40)
    _balance_row(widget, D(2026, 1, 1), backlog=20, **unknown_before)
    feb = _balance_row(widget, D(2026, 2, 1), backlog=99)
    failures = flow.balance_failures(WidgetCount.objects.all())
    assert [(c.pk, c.previous_backlog) for c in failures] == [(feb.pk, 20)]


def test_late_widgets_are_judged_on_the_day_given(settings):
    settings.COUNTS_DUE_DAYS = 10
    widget = f.WidgetFactory(status=WidgetStatus.APPROVED, reporting_frequency="month")
    _count(widget, D(2020, 2, 1), delivered=5)
    # On 15 March 2020 February was due (10 days after it ended), and it is counted.
    assert list(flow.late_widgets(Widget.objects.all(), today=D(2020, 3, 15))) == []
    [late] = flow.late_widgets(Widget.objects.all(), today=D(2020, 4, 15))
    assert (late, late.due_period) == (widget, D(2020, 3, 1))


@pytest.mark.parametrize(
    ("start_month", "totals"),
    [
        (1, {2026: 11}),  # the calendar year
        (2, {2026: 1, 2027: 10}),  # February opens fiscal 2027
        (7, {2026: 11}),
    ],
)
def test_the_fiscal_year_rolls_up_by_the_month_it_starts(settings, start_month, totals):
    settings.FISCAL_YEAR_START_MONTH = start_month
    widget = f.WidgetFactory()
    _count(widget, D(2026, 1, 1), delivered=1)
    _count(widget, D(2026, 2, 1), delivered=10)
    rows = flow.rollup(WidgetCount.objects.filter(widget=widget), "fiscal_year")
    assert {r["fiscal_year"]: r["total_delivered"] for r in rows} == totals
