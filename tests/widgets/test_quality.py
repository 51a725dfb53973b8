"""Data-quality findings (widgets.quality; docs/domain.md, "Data quality"): each check
with a worked example, found and not found just across its boundary, and its grade."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests import factories as f
from widgets import quality
from widgets.models import Widget, WidgetCount, WidgetStatus
from widgets.periods import previous_period_start

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)  # November's period has started; October's counts are due
OCTOBER = dt.date(2026, 10, 1)


def months_before(month, n):
    for _ in range(n):
        month = previous_period_start(month, "month")
    return month


@pytest.fixture
def widget(agency_a):
    return f.WidgetFactory(agency=agency_a, name="Air permit", status=WidgetStatus.APPROVED)


def count(widget, period, **values):
    """A count that balances with nothing before it and repeats no volume by itself."""
    values = {"withdrawn": None, "backlog": None, "rework": None, **values}
    values.setdefault("within_standard", None)
    return f.WidgetCountFactory(widget=widget, period_start=period, **values)


def series(widget, values, *, field="demand", last=OCTOBER):
    """Counts of `widget` with `field` = each of `values`, oldest first, ending at `last`."""
    other = "delivered" if field == "demand" else "demand"
    for n, value in enumerate(reversed(values)):
        count(widget, months_before(last, n), **{field: value, other: 1000 + n})


def found(widget, check=None, today=TODAY):
    result = quality.findings(Widget.objects.filter(pk=widget.pk), today=today)
    return [x for x in result if check is None or x.check == check]


# --- a share above its whole: error ------------------------------------------------------


def test_within_standard_above_delivered_is_an_error(widget, without_share_constraints):
    stored = count(widget, OCTOBER, demand=100, delivered=100, within_standard=100)
    assert found(widget, "share-above-whole") == []  # equal is possible: all on time
    WidgetCount.objects.filter(pk=stored.pk).update(within_standard=101)
    [finding] = found(widget, "share-above-whole")
    assert finding.grade == quality.ERROR
    assert finding.period == OCTOBER and finding.count_id == stored.pk
    assert finding.values == (("Within standard", 101), ("Delivered", 100))
    assert (
        finding.what == "Within standard (101) is more than delivered (100): it is a share of it."
    )
    assert quality.errors(Widget.objects.filter(pk=widget.pk), today=TODAY) == [finding]


def test_rework_above_delivered_is_an_error(widget, without_share_constraints):
    stored = count(widget, OCTOBER, demand=100, delivered=100, rework=100)
    assert quality.errors(Widget.objects.all(), today=TODAY) == []
    WidgetCount.objects.filter(pk=stored.pk).update(rework=130)
    [finding] = quality.errors(Widget.objects.all(), today=TODAY)
    assert (finding.grade, finding.check) == (quality.ERROR, "share-above-whole")
    assert finding.values == (("Rework", 130), ("Delivered", 100))


def test_a_share_above_its_whole_is_an_error_before_it_is_stored(widget):
    """The check on values not saved (a preview): the database would refuse them."""
    points = quality.Series(widget, points={OCTOBER: {"delivered": 10, "within_standard": 11}})
    points.reported = {OCTOBER}
    [finding] = quality.shares_above_whole(points)
    assert finding.grade == quality.ERROR
    points.points[OCTOBER]["within_standard"] = 10
    assert quality.shares_above_whole(points) == []


def test_an_unknown_whole_or_share_is_not_compared(widget):
    points = quality.Series(widget, points={OCTOBER: {"delivered": None, "within_standard": 5}})
    points.reported = {OCTOBER}
    assert quality.shares_above_whole(points) == []


# --- far from earlier periods: suggestion ------------------------------------------------


def test_a_volume_more_than_20_standard_deviations_from_earlier_periods_is_a_suggestion(widget):
    # Earlier: 100, 110, 120: mean 110, sample standard deviation 10. 311 is 20.1 away.
    series(widget, [100, 110, 120, 311])
    [finding] = found(widget, "far-from-earlier")
    assert finding.grade == quality.SUGGESTION and finding.period == OCTOBER
    assert finding.values == (
        ("Demand", 311),
        ("Mean of 3 earlier periods", 110.0),
        ("Standard deviation", 10.0),
        ("Standard deviations from the mean", 20.1),
    )
    assert "20.1 standard deviations from the mean of the 3 earlier periods (110)" in finding.what


def test_a_volume_19_9_standard_deviations_away_is_not_reported(widget):
    series(widget, [100, 110, 120, 309])
    assert found(widget, "far-from-earlier") == []


def test_exactly_20_standard_deviations_away_is_not_reported_and_a_little_more_is(widget):
    """The boundary itself: earlier 1, 3, 5 (mean 3, standard deviation 2); 43 is exactly
    20 away (not more than 20), 44 is 20.5 away."""
    series(widget, [1, 3, 5, 43])
    assert found(widget, "far-from-earlier") == []
    WidgetCount.objects.filter(widget=widget, period_start=OCTOBER).update(demand=44)
    [finding] = found(widget, "far-from-earlier")
    assert "20.5 standard deviations" in finding.what


def test_a_value_far_below_its_earlier_periods_is_reported_too(widget):
    """Either side of the mean: after 1,000, 1,010, 1,020 (mean 1,010, standard deviation
    10), 810 is exactly 20 below, 809 is 20.1 below."""
    series(widget, [1000, 1010, 1020, 810])
    assert found(widget, "far-from-earlier") == []
    WidgetCount.objects.filter(widget=widget, period_start=OCTOBER).update(demand=809)
    assert [x.period for x in found(widget, "far-from-earlier")] == [OCTOBER]


def test_every_reported_period_is_judged_against_its_own_earlier_periods(widget):
    """Each period of a run has its own twelve before it: a jump in August is judged
    against June and before, and September (back to normal) against August too."""
    values = [100, 110, 120, 100, 110, 120, 100, 110, 120, 100, 5_000, 110, 120]
    series(widget, values)
    reported = [x.period for x in found(widget, "far-from-earlier")]
    assert reported == [months_before(OCTOBER, 2)]


def test_two_earlier_periods_are_too_few_to_judge(widget):
    series(widget, [100, 120, 100_000])
    assert found(widget, "far-from-earlier") == []


def test_three_earlier_periods_are_enough(widget):
    series(widget, [100, 110, 120, 100_000])
    assert [x.period for x in found(widget, "far-from-earlier")] == [OCTOBER]


def test_earlier_periods_are_the_12_periods_before_at_the_widgets_frequency(widget):
    """Thirteen and more periods back do not count; a missing period is not a zero."""
    for n, value in ((13, 100), (14, 110), (15, 120)):
        count(widget, months_before(OCTOBER, n), demand=value, delivered=n)
    count(widget, OCTOBER, demand=100_000, delivered=1)
    assert found(widget, "far-from-earlier") == []
    count(widget, months_before(OCTOBER, 12), demand=110, delivered=5)
    count(widget, months_before(OCTOBER, 11), demand=115, delivered=6)
    count(widget, months_before(OCTOBER, 1), demand=105, delivered=7)
    assert [x.period for x in found(widget, "far-from-earlier")] == [OCTOBER]


def test_when_earlier_periods_are_all_equal_a_value_unlikely_by_chance_is_reported(widget):
    """Standard deviation 0: a different value is infinitely many away (as the GC's
    check), and chance decides: 101 after 100s is a count varying as counts do; 200,
    or 0 (a count left blank, typed as 0), is not."""
    series(widget, [100, 100, 100, 101], field="delivered")
    assert found(widget, "far-from-earlier") == []
    for value in (200, 0):
        WidgetCount.objects.filter(widget=widget, period_start=OCTOBER).update(delivered=value)
        [finding] = found(widget, "far-from-earlier")
        assert finding.what == f"Delivered is {value}; in each of the 3 earlier periods it was 100."
    WidgetCount.objects.filter(widget=widget, period_start=OCTOBER).update(delivered=100)
    assert found(widget, "far-from-earlier") == []


@pytest.mark.parametrize(
    ("earlier", "chance", "reported"),
    [
        # At a state's size, 10 of 10 far-from-earlier findings were these: a count of a
        # few a day, one more or one less than twelve days running.
        (1, [0, 2, 3, 7], [8, 20]),
        # Twelve zeros cannot tell a rate of 0 from a small one: a first 1 is likely.
        (0, [1, 2, 3], [4, 50]),
        (5, [0, 16, 17], [18, 100]),
    ],
)
def test_a_small_count_is_reported_only_when_unlikely_by_chance(widget, earlier, chance, reported):
    series(widget, [earlier] * 12 + [earlier])
    assert found(widget, "far-from-earlier") == []
    for value in chance + reported:
        WidgetCount.objects.filter(widget=widget, period_start=OCTOBER).update(demand=value)
        far = [x.values[0] for x in found(widget, "far-from-earlier")]
        assert far == ([("Demand", value)] if value in reported else []), value


def test_a_volume_likely_by_chance_leaves_the_other_volume_of_its_period_judged(widget):
    """Demand 2 after twelve 1s is chance; delivered 1,000 after twelve 100s, in the
    same period, is still reported."""
    months = [months_before(OCTOBER, n) for n in range(12, -1, -1)]
    values = [(1, 100)] * 12 + [(2, 1000)]
    points = _series(
        widget,
        {p: {"demand": d, "delivered": v} for p, (d, v) in zip(months, values, strict=True)},
        reported={OCTOBER},
    )
    assert [x.values[0] for x in quality.far_from_earlier(points)] == [("Delivered", 1000)]


def _poisson_tail(mean, value):
    """P(X >= value) above the mean, P(X <= value) below it, X Poisson: summed exactly."""
    terms = range(value, value + 400) if value > mean else range(value + 1)
    return math.fsum(math.exp(k * math.log(mean) - mean - math.lgamma(k + 1)) for k in terms)


@settings(max_examples=400, deadline=None)
@given(total=st.integers(1, 600), n=st.integers(3, 12), value=st.integers(0, 200))
def test_a_count_unlikely_by_chance_is_so_by_the_exact_poisson_tail(total, n, value):
    """The bound never reports a count that chance makes more often than CHANCE."""
    mean = total / n
    if value != mean and quality.unlikely_by_chance(value, total, n):
        assert _poisson_tail(mean, value) < quality.CHANCE


# --- the same volume period after period: suggestion ----------------------------------


def test_the_same_non_zero_volume_four_periods_running_is_a_suggestion(widget):
    series(widget, [90, 120, 120, 120, 120])
    [finding] = found(widget, "repeated-volume")
    assert finding.grade == quality.SUGGESTION and finding.period == OCTOBER
    assert finding.what == "Demand is 120 in each of the 4 periods from July 2026 to October 2026."
    assert finding.values == (("Demand", 120), ("Periods running", 4))


def test_three_periods_running_are_not_reported(widget):
    series(widget, [90, 120, 120, 120])
    assert found(widget, "repeated-volume") == []


@pytest.mark.parametrize(
    ("value", "needed"),
    [(1, 11), (2, 9), (5, 7), (10, 6), (20, 5), (73, 5), (74, 4), (120, 4), (10**12, 4)],
)
def test_a_small_count_must_repeat_longer_to_be_worth_a_look(value, needed):
    """A count varying by chance around `value` repeats it for `needed` periods less
    than once in 10,000 (Poisson), and for one period fewer more often."""
    assert quality.run_needed(value) == needed
    same = math.exp(value * math.log(value) - value - math.lgamma(value + 1))
    assert same ** (needed - 1) < quality.CHANCE
    if needed > quality.REPEATED_RUN:
        assert same ** (needed - 2) >= quality.CHANCE


def test_a_count_of_1_ten_periods_running_is_chance_eleven_is_reported(widget):
    """At a state's size, runs of 1 to 5 a day that chance makes every month were 2,010
    of its 2,186 suggestions."""
    series(widget, [1] * 10)
    assert found(widget, "repeated-volume") == []
    count(widget, months_before(OCTOBER, 10), demand=1, delivered=5)
    [finding] = found(widget, "repeated-volume")
    assert finding.values == (("Demand", 1), ("Periods running", 11))


def test_zero_four_periods_running_is_not_reported(widget):
    series(widget, [0, 0, 0, 0])
    assert found(widget, "repeated-volume") == []


def test_a_missing_period_ends_a_run(widget):
    series(widget, [120, 120], last=months_before(OCTOBER, 3))
    series(widget, [120, 120], last=OCTOBER)
    assert found(widget, "repeated-volume") == []
    count(widget, months_before(OCTOBER, 2), demand=120, delivered=3)
    [finding] = found(widget, "repeated-volume")
    assert finding.values == (("Demand", 120), ("Periods running", 5))


# --- a standard but no volume: warning ---------------------------------------------------


def test_a_widget_with_a_standard_but_no_volume_is_a_warning(widget):
    count(widget, OCTOBER, demand=0, delivered=None)
    [finding] = found(widget, "standard-without-volume")
    assert finding.grade == quality.WARNING and finding.period is None
    assert finding.values == (("Standard: days", 30), ("Standard: share (%)", Decimal("90.00")))
    WidgetCount.objects.filter(widget=widget).update(delivered=1)
    assert found(widget, "standard-without-volume") == []


def test_a_widget_without_a_standard_needs_no_volume(widget):
    Widget.objects.filter(pk=widget.pk).update(standard_days=None, standard_share=None)
    widget.refresh_from_db()
    assert found(widget, "standard-without-volume") == []


# --- balance gaps and late counts: warnings --------------------------------------------


def test_an_unexplained_balance_gap_is_a_warning_until_a_note_says_why(widget):
    count(widget, months_before(OCTOBER, 1), demand=10, delivered=10, withdrawn=0, backlog=20)
    october = count(widget, OCTOBER, demand=50, delivered=30, withdrawn=0, backlog=35)
    [finding] = found(widget, "unexplained-balance-gap")
    assert finding.grade == quality.WARNING and finding.count_id == october.pk
    assert "(35) is not last period's backlog + demand - delivered - withdrawn (40)" in finding.what
    WidgetCount.objects.filter(pk=october.pk).update(balance_note="Files moved to another office.")
    assert found(widget, "unexplained-balance-gap") == []


def test_a_late_count_is_a_warning(widget):
    count(widget, months_before(OCTOBER, 1), demand=10, delivered=10)
    [finding] = found(widget, "late-count")
    assert finding.grade == quality.WARNING and finding.period == OCTOBER
    count(widget, OCTOBER, demand=11, delivered=11)
    assert found(widget, "late-count") == []


# --- the whole --------------------------------------------------------------------------


def test_findings_are_listed_errors_first_then_warnings_then_suggestions(
    widget, without_share_constraints
):
    series(widget, [100, 110, 120, 100_000])
    WidgetCount.objects.filter(widget=widget, period_start=OCTOBER).update(within_standard=2000)
    Widget.objects.filter(pk=widget.pk).update(standard_days=None, standard_share=None)
    count(
        f.WidgetFactory(agency=widget.agency, name="Boat license", status=WidgetStatus.APPROVED),
        months_before(OCTOBER, 1),
        demand=1,
        delivered=1,
    )
    grades = [x.grade for x in found(widget)] + [
        x.grade for x in quality.findings(Widget.objects.all(), today=TODAY)
    ]
    assert grades == [
        quality.ERROR,
        quality.SUGGESTION,
        quality.ERROR,
        quality.WARNING,
        quality.SUGGESTION,
    ]


def _queries(widgets):
    with CaptureQueriesContext(connection) as captured:
        quality.findings(widgets, today=TODAY)
    return len(captured.captured_queries)


def test_the_checks_read_a_fixed_number_of_queries_whatever_the_rows(agency_a):
    """Five: the widgets, their counts in the window, the balance check's window and
    the rows it flags (these counts do not balance at either size), the late counts."""

    def grow(n):
        widgets = Widget.objects.bulk_create(
            [
                f.WidgetFactory.build(
                    agency=agency_a,
                    program=f.ProgramFactory(agency=agency_a),
                    name=f"Widget {i}",
                    status=WidgetStatus.APPROVED,
                )
                for i in range(Widget.objects.count(), Widget.objects.count() + n)
            ]
        )
        WidgetCount.objects.bulk_create(
            [
                f.WidgetCountFactory.build(
                    widget=w, period_start=months_before(OCTOBER, m), demand=m % 5, backlog=m
                )
                for w in widgets
                for m in range(40)
            ]
        )

    grow(1)
    one = _queries(Widget.objects.filter(agency=agency_a))
    grow(30)
    assert _queries(Widget.objects.filter(agency=agency_a)) == one == 5


# --- each finding's words ------------------------------------------------------------------


def test_a_finding_says_its_grade_check_and_period_in_words(widget):
    finding = quality.Finding(
        quality.ERROR, "share-above-whole", widget, OCTOBER, "What is wrong.", "How to fix it."
    )
    assert (finding.grade_label, finding.symbol) == ("Error", "✗")
    assert finding.check_label == "A share above its whole"
    assert finding.period_label == "October 2026"
    assert finding.message == "What is wrong. How to fix it."
    recent = quality.Finding(quality.WARNING, "late-count", widget, None, "What.", "Fix.")
    assert (recent.grade_label, recent.symbol, recent.period_label) == (
        "Warning",
        "!",
        "last 24 periods",
    )


def _series(widget, points, reported=None, count_ids=None):
    found = quality.Series(widget, points=points, count_ids=count_ids or {})
    found.reported = set(points if reported is None else reported)
    return found


def test_a_share_above_its_whole_says_how_to_fix_it_newest_period_first(widget):
    september = months_before(OCTOBER, 1)
    points = _series(
        widget,
        {p: {"delivered": 10, "rework": 12} for p in (september, OCTOBER)},
        count_ids={OCTOBER: 7},
    )
    newer, older = quality.shares_above_whole(points)
    assert (newer.period, newer.count_id, older.period, older.count_id) == (
        OCTOBER,
        7,
        september,
        None,
    )
    assert newer.message == (
        "Rework (12) is more than delivered (10): it is a share of it. "
        "Correct rework or delivered for this period."
    )


def test_far_from_earlier_says_the_whole_sentence_and_how_to_check(widget):
    series(widget, [100, 110, 120, 311])
    [finding] = found(widget, "far-from-earlier")
    assert finding.message == (
        "Demand is 311, 20.1 standard deviations from the mean of the 3 earlier periods (110). "
        "Check demand for this period: a typing slip (a digit too many, or a total for several "
        "periods) or a real change worth a note."
    )
    assert finding.count_id == WidgetCount.objects.get(widget=widget, period_start=OCTOBER).pk


def test_a_value_unlike_all_equal_earlier_ones_names_them_in_its_values(widget):
    series(widget, [100, 100, 100, 201], field="delivered")
    [finding] = found(widget, "far-from-earlier")
    assert finding.values == (("Delivered", 201), ("Earlier periods (3)", 100))


def test_far_from_earlier_judges_each_reported_period_newest_first(widget):
    months = [months_before(OCTOBER, n) for n in range(5, -1, -1)]  # May to October
    points = _series(
        widget,
        {p: {"demand": v} for p, v in zip(months, [100, 110, 120, 10**6, 100, 10**9], strict=True)},
        reported=months[3:],
    )
    assert [x.period for x in quality.far_from_earlier(points)] == [OCTOBER, months[3]]


def test_a_repeated_volume_is_reported_at_its_latest_reported_period(widget):
    months = [months_before(OCTOBER, n) for n in range(4, -1, -1)]  # June to October
    points = _series(
        widget,
        {p: {"demand": v} for p, v in zip(months, [120, 120, 120, 120, 90], strict=True)},
        reported=months[1:],  # July to October: July, August and September in the run
        count_ids={months[3]: 11},
    )
    [finding] = quality.repeated_volumes(points)
    assert (finding.period, finding.count_id) == (months[3], 11)
    assert finding.message == (
        "Demand is 120 in each of the 4 periods from June 2026 to September 2026. "
        "Check that demand is counted each period, not copied from the period before."
    )
    # A run before the periods the findings are about is not reported.
    points.reported = {OCTOBER}
    assert quality.repeated_volumes(points) == []


def test_a_run_reaching_the_last_period_read_is_reported(widget):
    months = [months_before(OCTOBER, n) for n in range(3, -1, -1)]
    points = _series(widget, {p: {"delivered": 120} for p in months})
    assert [x.values for x in quality.repeated_volumes(points)] == [
        (("Delivered", 120), ("Periods running", 4))
    ]
    assert quality.repeated_volumes(_series(widget, {})) == []


def test_standard_without_volume_names_only_the_standards_the_widget_has(widget):
    count(widget, OCTOBER, demand=0, delivered=0, withdrawn=5)  # withdrawn is not a volume
    Widget.objects.filter(pk=widget.pk).update(standard_share=None)
    widget.refresh_from_db()
    [finding] = found(widget, "standard-without-volume")
    assert finding.values == (("Standard: days", 30),)
    assert finding.message == (
        "Air permit has a service standard but no demand or delivered above 0 in its last 24 "
        "periods, so the standard cannot be measured. Enter demand and delivered for its "
        "periods, or remove the standard if the widget is not produced."
    )
    Widget.objects.filter(pk=widget.pk).update(standard_days=None, standard_share=Decimal("80"))
    widget.refresh_from_db()
    [finding] = found(widget, "standard-without-volume")
    assert finding.values == (("Standard: share (%)", Decimal("80.00")),)


def test_a_volume_outside_the_reported_periods_does_not_measure_the_standard(widget):
    points = _series(widget, {months_before(OCTOBER, 30): {"demand": 50}}, reported={OCTOBER})
    assert [x.check for x in quality.standard_without_volume(points)] == ["standard-without-volume"]


def test_a_widget_not_produced_now_needs_no_volume(widget):
    Widget.objects.filter(pk=widget.pk).update(status=WidgetStatus.RETIRED)
    widget.refresh_from_db()
    assert quality.standard_without_volume(_series(widget, {}, reported={OCTOBER})) == []
    Widget.objects.filter(pk=widget.pk).update(status=WidgetStatus.SUBMITTED)
    widget.refresh_from_db()
    assert len(quality.standard_without_volume(_series(widget, {}, reported={OCTOBER}))) == 1


def test_an_unexplained_balance_gap_gives_its_values_and_how_to_fix_it(widget):
    count(widget, months_before(OCTOBER, 1), demand=10, delivered=10, withdrawn=0, backlog=20)
    count(widget, OCTOBER, demand=50, delivered=30, withdrawn=2, backlog=35)
    [finding] = found(widget, "unexplained-balance-gap")
    assert finding.period == OCTOBER
    assert finding.values == (
        ("Previous backlog", 20),
        ("Demand", 50),
        ("Delivered", 30),
        ("Withdrawn", 2),
        ("Backlog", 35),
    )
    assert finding.message == (
        "The backlog (35) is not last period's backlog + demand - delivered - withdrawn (38), "
        "and no note says why. Correct the numbers, or write in the balance note why they do "
        "not balance."
    )


def test_a_balance_gap_before_the_reported_periods_is_not_reported(widget):
    # The 25th and 26th months back are read (as earlier periods), not reported.
    count(widget, months_before(OCTOBER, 25), demand=10, delivered=10, withdrawn=0, backlog=20)
    count(widget, months_before(OCTOBER, 24), demand=50, delivered=30, withdrawn=0, backlog=35)
    assert found(widget, "unexplained-balance-gap") == []
    # ... and does not stop a later one from being reported.
    count(widget, months_before(OCTOBER, 1), demand=10, delivered=10, withdrawn=0, backlog=20)
    count(widget, OCTOBER, demand=50, delivered=30, withdrawn=0, backlog=35)
    assert [x.period for x in found(widget, "unexplained-balance-gap")] == [OCTOBER]
    gaps = WidgetCount.objects.filter(widget=widget, period_start__lt=months_before(OCTOBER, 1))
    assert len(quality.unexplained_balance_gaps(gaps, set())) == 0
    reported = {(widget.pk, months_before(OCTOBER, 24))}
    assert [x.period for x in quality.unexplained_balance_gaps(gaps, reported)] == [
        months_before(OCTOBER, 24)
    ]


def test_late_counts_name_the_period_and_how_to_enter_it_by_widget_name(
    widget, agency_a, django_assert_num_queries
):
    for name in ("Boat license", "Aardvark permit"):
        f.WidgetFactory(agency=agency_a, name=name, status=WidgetStatus.APPROVED)
    late = quality.late_counts(Widget.objects.all(), TODAY)
    assert [x.widget.name for x in late] == ["Aardvark permit", "Air permit", "Boat license"]
    with django_assert_num_queries(0):  # each with its agency, read in the same query
        assert {x.widget.agency.name for x in late} == {agency_a.name}
    assert late[0].message == (
        "No count for October 2026, which is past its due date. "
        "Enter the period's counts in the entry grid or an upload."
    )
    assert (late[0].period, late[0].values) == (OCTOBER, ())
    # The period due is the one due on the day asked about, not today's.
    [due] = {x.period for x in quality.late_counts(Widget.objects.all(), dt.date(2025, 3, 20))}
    assert due == dt.date(2025, 2, 1)


def test_each_volume_is_judged_against_its_own_earlier_periods(widget):
    """Demand blank, with too few earlier values, as its all-equal earlier values or
    close to them: delivered is still judged."""
    months = [months_before(OCTOBER, n) for n in range(3, -1, -1)]  # July to October
    for demands in (
        [100, 110, 120, None],
        [None, 110, 120, 10**6],
        [100, 100, 100, 100],
        [100, 110, 120, 115],
    ):
        points = _series(
            widget,
            {
                p: {"demand": d, "delivered": v}
                for p, d, v in zip(months, demands, [100, 110, 120, 10**6], strict=True)
            },
            reported={OCTOBER},
        )
        assert [(x.period, x.values[0][0]) for x in quality.far_from_earlier(points)] == [
            (OCTOBER, "Delivered")
        ], demands


def test_a_standard_deviation_of_1_is_not_all_equal(widget):
    # Earlier 1, 2, 3: mean 2, standard deviation 1; 10 is 8 away, not reported.
    months = [months_before(OCTOBER, n) for n in range(3, -1, -1)]
    points = _series(
        widget,
        {p: {"demand": v} for p, v in zip(months, [1, 2, 3, 10], strict=True)},
        reported={OCTOBER},
    )
    assert quality.far_from_earlier(points) == []


def test_far_from_earlier_rounds_its_numbers_to_one_decimal(widget):
    # Earlier 100, 108, 120: mean 109.33, standard deviation 10.07; 400 is 28.87 away.
    series(widget, [100, 108, 120, 400])
    [finding] = found(widget, "far-from-earlier")
    assert finding.values == (
        ("Demand", 400),
        ("Mean of 3 earlier periods", 109.3),
        ("Standard deviation", 10.1),
        ("Standard deviations from the mean", 28.9),
    )
    assert finding.what == (
        "Demand is 400, 28.9 standard deviations from the mean of the 3 earlier periods (109.3)."
    )


# --- far from earlier periods, against its definition ------------------------------------

import re  # noqa: E402
from fractions import Fraction  # noqa: E402

from widgets.quality.checks import volume_fields  # noqa: E402

_VOLUME = st.one_of(st.none(), st.integers(0, 3), st.integers(0, 300), st.integers(0, 10**6))
_POINT = st.one_of(st.none(), st.fixed_dictionaries({"demand": _VOLUME, "delivered": _VOLUME}))


def _far_by_definition(series):
    """(period, label) of every reported volume more than 20 sample standard deviations
    from the mean of its known values in the 12 calendar periods before it (3 at
    least), in exact fractions (all equal: any other value), and unlikely by chance."""
    far = set()
    for period in series.reported:
        point = series.points.get(period)
        for spec in volume_fields():
            value = (point or {}).get(spec.name)
            if value is None:
                continue
            earlier, before = [], period
            for _ in range(12):
                before = previous_period_start(before, "month")
                known = (series.points.get(before) or {}).get(spec.name)
                if known is not None:
                    earlier.append(known)
            if len(earlier) < 3:
                continue
            mean = Fraction(sum(earlier), len(earlier))
            variance = sum((x - mean) ** 2 for x in earlier) / (len(earlier) - 1)
            far_off = (variance == 0 and value != mean) or (value - mean) ** 2 > 400 * variance
            # Chernoff's bound on the Poisson tail around the mean (at least 1/n), < 1e-4
            m = max(float(mean), 1 / len(earlier))
            log_tail = -m if value == 0 else value - m + value * math.log(m / value)
            if far_off and log_tail < math.log(1e-4):
                far.add((period, spec.label, len(earlier), round(float(mean), 1)))
    return far


def _judged(finding):
    """(period, volume, how many earlier values, their mean) of a finding."""
    (label, _value), (earlier, mean), *_ = finding.values
    return finding.period, label, int(re.search(r"\d+", earlier).group()), round(mean, 1)


@settings(max_examples=300, deadline=None)
@given(points=st.lists(_POINT, min_size=1, max_size=40), reported=st.integers(1, 24))
def test_far_from_earlier_finds_what_its_definition_finds(points, reported):
    """The running sums (checks._Run) find exactly the values the definition finds,
    whatever the gaps, blanks and outliers of the widget's months."""
    widget = Widget(name="Permit", reporting_frequency="month")
    months = [months_before(OCTOBER, n) for n in range(len(points))][::-1]
    series = quality.Series(widget)
    series.points = {m: p for m, p in zip(months, points, strict=True) if p is not None}
    series.reported = set(months[-reported:])
    found = {_judged(x) for x in quality.far_from_earlier(series)}
    assert found == _far_by_definition(series)


def test_a_period_off_the_widgets_calendar_is_judged_against_the_periods_before_it():
    """A monthly count stored on the 15th (written by hand in the database: a write
    checks the period first) is not on the run of months; it is judged on its own."""
    widget = Widget(name="Permit", reporting_frequency="month")
    series = quality.Series(widget)
    months = [dt.date(2026, m, 1) for m in (7, 8, 9)]
    series.points = {m: {"demand": d} for m, d in zip(months, (100, 110, 120), strict=True)}
    series.points[dt.date(2026, 10, 15)] = {"demand": 311}
    series.reported = {*months, dt.date(2026, 10, 15)}
    [far] = quality.far_from_earlier(series)
    assert _judged(far) == (dt.date(2026, 10, 15), "Demand", 3, 110.0)


# --- the run of periods the far-from-earlier check reads its sums from -------------------

from widgets.quality import checks  # noqa: E402


def _series_of(points, reported, off_calendar=()):
    """A monthly widget's series ending in October 2026, with `reported` last months
    reported, and `off_calendar` {day: point} reported too (days that are no month's
    first: counts written by hand in the database)."""
    series = quality.Series(Widget(name="Permit", reporting_frequency="month"))
    months = [months_before(OCTOBER, n) for n in range(len(points))][::-1]
    series.points = {m: p for m, p in zip(months, points, strict=True) if p is not None}
    series.points.update(off_calendar)
    series.reported = set(months[-reported:]) | set(off_calendar)
    return series


def _earlier_by_definition(series, period, name):
    found, before = [], period
    for _ in range(checks.EARLIER_PERIODS):
        before = previous_period_start(before, "month")
        value = (series.points.get(before) or {}).get(name)
        if value is not None:
            found.append(value)
    return found


@settings(max_examples=200, deadline=None)
@given(
    points=st.lists(_POINT, min_size=1, max_size=40),
    reported=st.integers(1, 24),
    off=st.one_of(st.none(), _POINT.filter(bool)),
)
# The oldest period of the run leaves the window of the second reported period.
@example(points=[{"demand": n, "delivered": 1} for n in range(14)], reported=2, off=None)
def test_the_run_gives_each_periods_earlier_values_and_their_sums(points, reported, off):
    """For every reported period, on the calendar or off it: the earlier values and
    (n, sum, sum of squares) of each volume, as stepping back period by period finds
    them."""
    off_calendar = {dt.date(2026, 9, 15): off} if off else {}
    series = _series_of(points, reported, off_calendar)
    run = checks._Run(series)
    for period in series.reported:
        for name in ("demand", "delivered"):
            earlier = _earlier_by_definition(series, period, name)
            assert sorted(run.earlier(period, name)) == sorted(earlier)
            assert run.sums(period, name) == (
                len(earlier),
                sum(earlier),
                sum(v * v for v in earlier),
            )


def test_the_run_steps_back_once_and_slides_each_volume_once(monkeypatch):
    """What the run is for: a widget's periods are stepped back from once (to start
    the run), and each volume's window is slid along it once, however many periods
    are judged; every reported period on the calendar is on the run."""
    series = _series_of([{"demand": n, "delivered": n % 7} for n in range(30)], 24)
    steps, slides = [], []
    monkeypatch.setattr(series, "earlier", lambda *a: steps.append(a) or [])
    real_slide = checks._Run._slide
    monkeypatch.setattr(
        checks._Run, "_slide", lambda self, n: slides.append(n) or real_slide(self, n)
    )
    run = checks._Run(series)
    assert all(period in run.index for period in series.reported)
    for period in series.reported:
        for name in ("demand", "delivered"):
            run.sums(period, name)
            run.earlier(period, name)
    assert (len(steps), sorted(slides)) == (1, ["delivered", "demand"])


def test_a_series_with_nothing_reported_makes_an_empty_run():
    run = checks._Run(quality.Series(Widget(reporting_frequency="month")))
    assert (run.timeline, run.index) == ([], {})


def test_the_periods_read_reach_back_over_the_longest_run_needed():
    """findings() and for_rows() read EARLIER_PERIODS before the first period judged:
    enough to see a whole run of the longest length any count needs."""
    assert quality.run_needed(1) == quality.LONGEST_RUN
    assert quality.EARLIER_PERIODS >= quality.LONGEST_RUN - 1
