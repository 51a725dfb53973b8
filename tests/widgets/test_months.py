"""widgets.months: what pages read of the month roll-ups, each against the counts
it stands for (the pages' own tests read these through the dashboard, the
scorecard and the open data)."""

import datetime as dt

import pytest

from widgets import months
from widgets.models import Widget, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
JUNE, JULY, AUGUST, SEPTEMBER = (dt.date(2026, m, 1) for m in (6, 7, 8, 9))


@pytest.fixture
def daily(agency_a):
    """A daily widget: counts on 10 and 20 June (a backlog each), 5 July (no backlog)
    and 3 August; 20 June's backlog does not follow from 10 June's (not contiguous),
    and 4 August's does not balance with 3 August's."""
    widget = f.WidgetFactory(
        agency=agency_a, status=WidgetStatus.APPROVED, reporting_frequency="day"
    )
    balanced = {"demand": 10, "delivered": 8, "withdrawn": 0, "within_standard": 6}
    for day, backlog in ((10, 30), (20, 40)):
        f.WidgetCountFactory(
            widget=widget, period_start=dt.date(2026, 6, day), backlog=backlog, **balanced
        )
    f.WidgetCountFactory(widget=widget, period_start=dt.date(2026, 7, 5), backlog=None, **balanced)
    f.WidgetCountFactory(widget=widget, period_start=dt.date(2026, 8, 3), backlog=50, **balanced)
    f.WidgetCountFactory(widget=widget, period_start=dt.date(2026, 8, 4), backlog=99, **balanced)
    return widget


@pytest.fixture
def quiet(agency_a):
    """A widget whose counts all balance."""
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    f.WidgetCountFactory(
        widget=widget,
        period_start=JUNE,
        demand=5,
        delivered=5,
        within_standard=None,
        withdrawn=0,
        backlog=0,
    )
    return widget


def _annotated(**annotations):
    return Widget.objects.annotate(**annotations).order_by("pk")


def test_the_closing_backlog_is_the_newest_known_in_the_window(daily, quiet):
    def closing(start, end):
        return dict(_annotated(b=months.closing_backlog(start, end)).values_list("pk", "b"))

    assert closing(JUNE, JULY) == {daily.pk: 40, quiet.pk: 0}
    # July has no known backlog: June's month is outside [July, September).
    assert closing(JULY, AUGUST) == {daily.pk: None, quiet.pk: None}
    assert closing(JUNE, SEPTEMBER)[daily.pk] == 99  # 4 August, the newest known
    assert closing(JUNE, AUGUST)[daily.pk] == 40  # August is not in [June, August)
    one = WidgetCount.objects.filter(widget=daily).values("widget")[:1]
    assert one.annotate(b=months.closing_backlog(JUNE, JULY, widget=daily)).get()["b"] == 40


def test_the_newest_period_is_the_last_count_of_the_newest_month(daily, quiet):
    newest = dict(_annotated(n=months.newest_period()).values_list("pk", "n"))
    assert newest == {daily.pk: dt.date(2026, 8, 4), quiet.pk: JUNE}
    nothing = f.WidgetFactory(agency=daily.agency)
    assert _annotated(n=months.newest_period()).get(pk=nothing.pk).n is None
    alone = WidgetCount.objects.filter(widget=quiet).values("widget")[:1]
    assert alone.annotate(n=months.newest_period(widget=daily)).get()["n"] == dt.date(2026, 8, 4)


def test_window_sums_add_the_months_in_the_window_and_blank_without_any(daily, quiet):
    sums = months.window_sums(
        {"delivered": "total_delivered", "within": "on_time_share_num"}, start=JUNE, end=AUGUST
    )
    found = {w.pk: (w.delivered, w.within) for w in _annotated(**sums)}
    assert found == {daily.pk: (24, 18), quiet.pk: (5, None)}
    later = months.window_sums({"delivered": "total_delivered"}, start=SEPTEMBER, end=SEPTEMBER)
    assert {w.delivered for w in _annotated(**later)} == {None}


def test_with_balance_gaps_keeps_the_widgets_with_a_gap_from_the_month_of_start(daily, quiet):
    counts = WidgetCount.objects.all()

    # 4 August does not balance with 3 August: a gap in August alone.
    def gapped(start, ids=None):
        found = months.with_balance_gaps(counts, start, ids)
        return sorted({c.widget_id for c in found})

    assert gapped(dt.date(2026, 8, 20)) == [daily.pk]  # from its month's first day on
    assert gapped(SEPTEMBER) == []
    assert gapped(JUNE, [quiet.pk]) == []
    assert gapped(JUNE, [daily.pk, quiet.pk]) == [daily.pk]
    # A month whose gaps are not worked out yet counts as one with gaps.
    months.months(widget=quiet).update(balance_gaps=None)
    assert gapped(JUNE) == [daily.pk, quiet.pk]
