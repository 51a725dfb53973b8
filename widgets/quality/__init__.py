"""Data-quality findings over widgets' counts (issue 18, point 5; docs/domain.md,
"Data quality").

Each check is a small function returning `Finding`s, graded as the Government of
Canada service inventory's own checks grade theirs: an **error** is a number that
cannot be true, a **warning** something missing or unexplained, a **suggestion**
a number worth a second look. Each finding names the widget, the period, the
check, what is wrong, how to fix it and the values involved.

The checks read one bounded window of each widget's periods at its own reporting
frequency: the findings are about the last REPORTED_PERIODS periods (up to the
one today falls in), and the EARLIER_PERIODS before those are read too, so that
every reported period is judged against its full set of earlier periods. All
checks together read a fixed number of queries whatever the number of widgets
and counts (`findings`: five; `errors`: two).

Unknown is not zero: a blank value is never compared, averaged or counted in a
run; a missing period breaks a run and is not an earlier period.
"""

import datetime as dt

from django.db.models import F, Q
from django.utils import timezone

from .. import measures, months
from ..models import COUNTED_STATUSES, Widget, WidgetCount
from ..periods import next_period_start, period_start, previous_period_start, starts_between
from .checks import (
    CHANCE,
    CHECKS,
    EARLIER_PERIODS,
    ERROR,
    FAR_SD,
    GRADE_SYMBOLS,
    GRADES,
    LONGEST_RUN,
    MIN_EARLIER,
    REPEATED_RUN,
    REPORTED_PERIODS,
    SERIES_CHECKS,
    SUGGESTION,
    WARNING,
    Finding,
    Series,
    far_from_earlier,
    late_counts,
    repeated_volumes,
    run_needed,
    share_fields,
    shares_above_whole,
    standard_without_volume,
    unexplained_balance_gaps,
    unlikely_by_chance,
    volume_fields,
)

__all__ = [
    "CHANCE",
    "CHECKS",
    "EARLIER_PERIODS",
    "ERROR",
    "FAR_SD",
    "GRADES",
    "GRADE_SYMBOLS",
    "LONGEST_RUN",
    "MIN_EARLIER",
    "REPEATED_RUN",
    "REPORTED_PERIODS",
    "SUGGESTION",
    "WARNING",
    "Finding",
    "Series",
    "checked_widgets",
    "errors",
    "far_from_earlier",
    "findings",
    "for_rows",
    "in_order",
    "late_counts",
    "repeated_volumes",
    "run_needed",
    "shares_above_whole",
    "standard_without_volume",
    "tally",
    "unexplained_balance_gaps",
    "unlikely_by_chance",
    "volume_fields",
]


# --- the window ------------------------------------------------------------------------


def _step_back(start, frequency, n):
    for _ in range(n):
        start = previous_period_start(start, frequency)
    return start


def _window(today, *, read):
    """period_start lookups by frequency (for WidgetCount.objects.in_periods_of): a
    widget's last `read` periods up to the one `today` is in."""

    def periods(frequency):
        current = period_start(today, frequency)
        return {
            "period_start__gte": _step_back(current, frequency, read - 1),
            "period_start__lte": current,
        }

    return periods


def _reported_from(today, frequency):
    return _step_back(period_start(today, frequency), frequency, REPORTED_PERIODS - 1)


def checked_widgets(agency, reader):
    """The agency's widgets that may hold counts and that `reader` may read (another
    agency's reader: not its definitions under review): what its page and its
    dashboard check."""
    return Widget.objects.for_user(reader).filter(agency=agency, status__in=COUNTED_STATUSES)


def findings(widgets, *, today=None):
    """Every finding for `widgets` (a Widget queryset), errors first, then by widget
    and newest period. Five queries whatever the number of widgets and counts (four
    when no backlog fails to balance): the widgets, their counts in the window, the
    balance gaps (widgets.flow.balance_failures: the window, then the rows it flags),
    the late counts."""
    today = today or timezone.localdate()
    widgets = widgets.order_by()
    by_id = {w.pk: Series(w) for w in widgets.select_related("agency")}
    read = _window(today, read=REPORTED_PERIODS + EARLIER_PERIODS)
    window = WidgetCount.objects.in_periods_of([series.widget for series in by_id.values()], read)
    reported = set()
    names = measures.typed_names()
    for row in window.order_by().values("pk", "widget_id", "period_start", *names):
        series = by_id[row["widget_id"]]
        series.points[row["period_start"]] = {n: row[n] for n in names}
        series.count_ids[row["period_start"]] = row["pk"]
    for series in by_id.values():
        first = _reported_from(today, series.widget.reporting_frequency)
        current = period_start(today, series.widget.reporting_frequency)
        series.reported = set(starts_between(first, current, series.widget.reporting_frequency))
        reported.update((series.widget.pk, p) for p in series.points if p >= first)
    found = [f for series in by_id.values() for check in SERIES_CHECKS for f in check(series)]
    # Only the widgets whose roll-ups hold a balance gap since the earliest period read.
    frequencies = {series.widget.reporting_frequency for series in by_id.values()}
    read_from = min((read(f)["period_start__gte"] for f in frequencies), default=today)
    gapped = months.with_balance_gaps(window, read_from, list(by_id))
    gaps = unexplained_balance_gaps(gapped.select_related("widget__agency"), reported)
    found += gaps
    found += late_counts(widgets, today)
    return in_order(found)


def in_order(found):
    rank = {grade: n for n, grade in enumerate(GRADES)}
    return sorted(
        found,
        key=lambda f: (
            rank[f.grade],
            f.widget.name.lower(),
            -(f.period or dt.date.min).toordinal(),
            f.check,
        ),
    )


def tally(found):
    """{grade: how many}, every grade present (0 when none)."""
    counts = dict.fromkeys(GRADES, 0)
    for finding in found:
        counts[finding.grade] += 1
    return counts


def errors(widgets, *, today=None):
    """The error-graded findings (shares above their whole) in the reported periods,
    found in the database: two queries, the widgets' frequencies and the rows in
    error (read off each widget's range of the (widget, period) index)."""
    today = today or timezone.localdate()
    above = Q()
    for share, whole in share_fields():
        above |= Q(**{f"{share.name}__gt": F(whole.name)})
    checked = widgets.order_by().only("pk", "reporting_frequency")
    rows = (
        WidgetCount.objects.in_periods_of(checked, _window(today, read=REPORTED_PERIODS))
        .filter(above)
        .select_related("widget__agency")
        .order_by()
    )
    found = []
    for count in rows:
        series = Series(count.widget)
        series.points[count.period_start] = {n: getattr(count, n) for n in measures.typed_names()}
        series.count_ids[count.period_start] = count.pk
        series.reported = {count.period_start}
        found += shares_above_whole(series)
    return in_order(found)


# --- a file's rows before they are saved --------------------------------------------------


def for_rows(rows):
    """Findings the rows would create once saved: [(widget, period, {field: value
    sent})], each judged as it will be (the sent values over the stored ones) with the
    stored periods around it and the other rows given. Suggestions from far_from_earlier
    and repeated_volumes; a share above its whole is refused by the write rules
    (widgets.counting.check_rules) before this. One query."""
    series, spans = {}, {}  # widget pk -> Series, (first, last) period given
    for widget, period, sent in rows:
        pk = widget.pk
        one = series.get(pk)
        if one is None:
            one = series[pk] = Series(widget)
            spans[pk] = (period, period)
        else:
            low, high = spans[pk]
            if period < low or period > high:
                spans[pk] = (min(low, period), max(high, period))
        given = one.points.get(period)  # the stored values go under them below
        one.points[period] = sent if given is None else {**given, **sent}
        one.reported.add(period)
    if not series:
        return []
    # The widgets that read the same periods (a file's rows usually span the same
    # dates for every widget of a frequency) share one condition: a file of 70 widgets
    # is one range of the (widget, period) index, not 70 conditions ORed together.
    reach = {}
    for pk, (low, high) in spans.items():
        frequency = series[pk].widget.reporting_frequency
        first = _step_back(low, frequency, EARLIER_PERIODS)
        last = _step_forward(high, frequency, LONGEST_RUN - 1)
        reach.setdefault((first, last), []).append(pk)
    around = Q()
    for (first, last), pks in reach.items():
        around |= Q(widget_id__in=pks, period_start__gte=first, period_start__lte=last)
    names = measures.typed_names()
    stored = WidgetCount.objects.filter(around).order_by()
    for row in stored.values_list("widget_id", "period_start", *names):
        points = series[row[0]].points
        values = dict(zip(names, row[2:], strict=True))
        sent = points.get(row[1])
        points[row[1]] = values if sent is None else {**values, **sent}
    return in_order(
        [
            f
            for s in series.values()
            for check in (far_from_earlier, repeated_volumes)
            for f in check(s)
        ]
    )


def _step_forward(start, frequency, n):
    for _ in range(n):
        start = next_period_start(start, frequency)
    return start
