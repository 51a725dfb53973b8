"""Flow of the system that produces a widget, computed in the database.

The measures derived from counts (on-time share, lead time, cost per widget,
rework rate, ...) are declared in widgets.measures, with how each is computed;
they are derived, never stored (docs/domain.md, "Derived, never stored").
Roll-ups sum the count fields that add up and compute each measure from the
sums, never by averaging. The balance check: previous backlog + demand -
delivered - withdrawn = backlog.

Unknown is not zero: each ratio sums only the periods where both of its parts
are known, and is None when nothing is known.
"""

import datetime as dt
from dataclasses import dataclass, make_dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Lag, Mod, TruncMonth
from django.db.models.lookups import LessThan
from django.utils import timezone

from . import measures
from .models import WidgetCount
from .models.definitions import declares_not_applicable
from .periods import (
    Frequency,
    next_period_start,
    period_end,
    period_start,
    previous_period_start,
)


# _known and _aggregates run once, when the module is imported (FLOW_AGGREGATES), before
# mutmut switches a mutant on: not mutated (docs/testing.md, "Surviving mutants, and why
# each is harmless": "Not mutated at all").
def _known(*fields):
    return Q(**{f"{name}__isnull": False for name in fields})  # pragma: no mutate


def _aggregates():
    """`total_<field>` of every count field that adds up, and `<measure>_num` /
    `<measure>_den` of every ratio, summed over the periods where both parts are known."""
    # pragma: no mutate start
    found = {f"total_{f.name}": Sum(f.name) for f in measures.summed_fields()}
    for spec in measures.MEASURES:
        if spec.per_day:
            continue  # from the closing level and the total (flow_from)
        known = _known(spec.numerator, spec.denominator)
        found[f"{spec.name}_num"] = Sum(spec.numerator, filter=known)
        found[f"{spec.name}_den"] = Sum(spec.denominator, filter=known)
    # pragma: no mutate end
    return found


# Aggregates over any WidgetCount queryset; `flow_from` turns them into a Flow.
FLOW_AGGREGATES = _aggregates()
ratio = measures.ratio

# A window's flow: every typed count field (summed, or the closing level) and every
# measure, by name (None when unknown).
Flow = make_dataclass(
    "Flow",
    [(n, object) for n in (*measures.typed_names(), *(m.name for m in measures.MEASURES))],
    frozen=True,
)
# Flows are kept in the cache (outcomes.widget_parts): pickle finds the class by its
# module, which make_dataclass leaves as "types" before Python 3.12.
Flow.__module__ = __name__


def add_rows(rows):
    """Rows of FLOW_AGGREGATES (several widgets' sums) added into one, as SQL's SUM
    adds: unknown (None) where every row is unknown, else the sum of the known.
    Every aggregate is a sum, and each ratio keeps its numerator and denominator
    apart, so a ratio of the added row is the ratio of the totals, never an
    average of ratios."""
    added = {}
    for name in FLOW_AGGREGATES:
        known = [row[name] for row in rows if row.get(name) is not None]
        added[name] = sum(known) if known else None
    return added


def flow_from(row, *, backlog=None, days=None, not_applicable=frozenset()):
    """A Flow from a row of FLOW_AGGREGATES, the window's closing backlog and its days.

    `not_applicable`: for one widget's flow, the count fields that do not apply to
    it; they and the measures made of them are measures.NOT_APPLICABLE."""
    values = {f.name: row.get(f"total_{f.name}") for f in measures.summed_fields()}
    values.update({f.name: backlog for f in measures.typed_fields() if f.stock})
    for spec in measures.MEASURES:
        if spec.per_day:
            values[spec.name] = measures.value_of(
                spec, values[spec.numerator], values[spec.denominator], days=days
            )
        else:
            values[spec.name] = ratio(row.get(f"{spec.name}_num"), row.get(f"{spec.name}_den"))
    return Flow(**measures.with_not_applicable(values, not_applicable))


def period_measures(count, previous_backlog=None):
    """{measure: value} of one period's count. Little's law takes the average of the
    opening (previous) and closing backlog when the opening one is known. A measure
    made of a field that does not apply to the widget is measures.NOT_APPLICABLE."""
    days = (
        period_end(count.period_start, count.widget.reporting_frequency) - count.period_start
    ).days + 1
    found = {}
    for spec in measures.MEASURES:
        numerator = getattr(count, spec.numerator)
        if spec.per_day and numerator is not None and previous_backlog is not None:
            numerator = Decimal(previous_backlog + numerator) / 2
        found[spec.name] = measures.value_of(
            spec, numerator, getattr(count, spec.denominator), days=days
        )
    return measures.with_not_applicable(found, count.widget.not_applicable_fields)


# --- fiscal calendar in the database ------------------------------------------


def fiscal_year_expression(field="period_start"):
    """The fiscal year (named by the calendar year it ends in) of a date column."""
    start = settings.FISCAL_YEAR_START_MONTH
    year = ExtractYear(field)
    if start == 1:
        return year
    return Case(
        When(**{f"{field}__month__gte": start}, then=year + 1),
        default=year,
        output_field=IntegerField(),
    )


def fiscal_quarter_expression(field="period_start"):
    """1-4 within the fiscal year."""
    months_in = Mod(ExtractMonth(field) - settings.FISCAL_YEAR_START_MONTH + 12, 12)
    return Case(
        When(LessThan(months_in, 3), then=Value(1)),
        When(LessThan(months_in, 6), then=Value(2)),
        When(LessThan(months_in, 9), then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


GRAINS = ("month", "quarter", "fiscal_year")


def rollup(counts, grain, aggregates=None):
    """Sum counts to month, fiscal quarter or fiscal year, in one query.

    Returns rows with `fiscal_year` (and `quarter` or `month`) plus the
    FLOW_AGGREGATES, oldest first. `counts` may be month roll-ups instead, with
    `aggregates=widgets.months.MONTH_AGGREGATES` (the same names).
    """
    counts = counts.annotate(fiscal_year=fiscal_year_expression())
    keys = ["fiscal_year"]
    if grain == "month":
        counts = counts.annotate(month=TruncMonth("period_start", output_field=DateField()))
        keys.append("month")
    elif grain == "quarter":
        counts = counts.annotate(quarter=fiscal_quarter_expression())
        keys.append("quarter")
    elif grain != "fiscal_year":
        raise ValueError(f"unknown grain {grain!r}")
    return counts.values(*keys).annotate(**(aggregates or FLOW_AGGREGATES)).order_by(*keys)


# --- balance check and late data ----------------------------------------------

# The fields the balance reads, besides the previous period's backlog.
BALANCE_FIELDS = ("demand", "delivered", "withdrawn", "backlog")


def _number(value):
    return f"{value:,}".replace("-", "\u2212")


@dataclass(frozen=True)
class Balance:
    previous_backlog: int
    demand: int
    delivered: int
    withdrawn: int
    backlog: int

    @property
    def expected(self):
        """What the backlog would be if nothing else came in or went out."""
        return self.previous_backlog + self.demand - self.delivered - self.withdrawn

    @property
    def difference(self):
        """How much higher the backlog is than expected (below zero: lower)."""
        return self.backlog - self.expected

    @property
    def balances(self):
        return self.difference == 0

    def sentence(self):
        """The gap in plain words, never as a signed number."""
        how = "higher" if self.difference > 0 else "lower"
        sums = " \u2212 ".join(
            [
                f"{_number(self.previous_backlog)} + {_number(self.demand)}",
                _number(self.delivered),
                _number(self.withdrawn),
            ]
        )
        return (
            f"The backlog is {_number(abs(self.difference))} {how} than last period's backlog "
            "+ demand \u2212 delivered \u2212 withdrawn "
            f"({sums} = {_number(self.expected)}; the backlog is {_number(self.backlog)})."
        )


def balance_values(values, widget):
    """The values the balance check reads, for a widget that may declare some of
    them not applicable: without a backlog there is nothing to balance (backlog
    unknown); withdrawn not applicable means none can be withdrawn, so it is 0."""
    not_applicable = widget.not_applicable_fields
    if not not_applicable & {"backlog", "withdrawn"}:
        return values
    values = dict(values)
    if "backlog" in not_applicable:
        values["backlog"] = None
    if "withdrawn" in not_applicable:
        values["withdrawn"] = 0
    return values


def balance_of(values, previous_backlog):
    """The Balance of one period's values ({field: value}) after `previous_backlog`,
    or None when any part is unknown (blank is not zero: no check)."""
    parts = [values.get(name) for name in BALANCE_FIELDS]
    if previous_backlog is None or any(p is None for p in parts):
        return None
    return Balance(previous_backlog, *parts)


def with_previous(counts):
    """Annotate each count with the previous row's backlog and period of its widget."""
    order = F("period_start").asc()
    return counts.annotate(
        previous_backlog=Window(Lag("backlog"), partition_by=[F("widget_id")], order_by=order),
        previous_period=Window(Lag("period_start"), partition_by=[F("widget_id")], order_by=order),
    )


def balance_failures(counts):
    """Counts whose backlog does not balance with the period before (contiguous only),
    in (widget, period) order, each with `previous_backlog` and `previous_period`.

    The window runs in the database over narrow rows (the counts' ids and the
    numbers it compares): over a year of a state agency's daily counts, carrying
    every column of each count and its widget through the window's sort took most
    of the dashboard's database time. Only the rows it flags are then read whole
    (a second query, none when nothing is flagged), with whatever `counts` selects
    related, and checked in Python to follow the period just before.
    """
    # Withdrawn that does not apply to a widget is 0: none can be withdrawn (a
    # backlog that does not apply is never known, so never checked). Unknown and
    # applying, it is NULL: the period is not checked.
    withdrawn = Coalesce(
        "withdrawn",
        Case(
            When(declares_not_applicable("withdrawn", "widget__"), then=Value(0)),
            default=Value(None),
            output_field=IntegerField(),
        ),
    )
    # Every condition on the period's own numbers is on `expected`, which holds the
    # window: the database judges it after the window (Django puts a condition on a
    # window in an outer query), so a period before that left demand or delivered
    # blank is still the previous period, and its backlog the previous backlog. A
    # period of unknown backlog may be left out before the window: the period after
    # it has no previous backlog to be checked against either way.
    flagged = {
        pk: (previous_backlog, previous_period)
        for pk, previous_backlog, previous_period in with_previous(
            counts.order_by().filter(backlog__isnull=False)
        )
        .annotate(expected=F("previous_backlog") + F("demand") - F("delivered") - withdrawn)
        .filter(expected__isnull=False)
        .exclude(backlog=F("expected"))
        .values_list("pk", "previous_backlog", "previous_period")
    }
    if not flagged:
        return []
    found = []
    for count in (
        counts.filter(pk__in=flagged).select_related("widget").order_by("widget_id", "period_start")
    ):
        count.previous_backlog, count.previous_period = flagged[count.pk]
        if count.previous_period == previous_period_start(
            count.period_start, count.widget.reporting_frequency
        ):
            found.append(count)
    return found


def reporting_lag(frequency):
    """Days after a period ends until its counts are due (COUNTS_DUE_DAYS_BY_FREQUENCY,
    else COUNTS_DUE_DAYS)."""
    return settings.COUNTS_DUE_DAYS_BY_FREQUENCY.get(frequency, settings.COUNTS_DUE_DAYS)


def describe_lags():
    """The reporting lags in words, for pages and e-mails: "1 day after a day ends;
    3 days after a week ends; 10 days after a month, quarter or year ends"."""
    lags = {}
    for frequency in Frequency.values:
        lags.setdefault(reporting_lag(frequency), []).append(frequency)
    parts = []
    for days, names in lags.items():
        named = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        parts.append(f"{days} day{'s' if days != 1 else ''} after a {named} ends")
    return "; ".join(parts)


def due_date(start, frequency):
    """The day the counts of the period beginning `start` are due: the period's
    last day plus the reporting lag of its frequency."""
    return period_end(start, frequency) + dt.timedelta(days=reporting_lag(frequency))


def due_periods(frequency, n, today=None):
    """The first days of the latest `n` periods whose counts are due by `today`,
    newest first."""
    found = [latest_due_period(frequency, today)]
    while len(found) < n:
        found.append(previous_period_start(found[-1], frequency))
    return found


def latest_due_period(frequency, today=None):
    """The latest period whose counts are due by `today` (its lag after it ends)."""
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=reporting_lag(frequency))
    return previous_period_start(period_start(cutoff, frequency), frequency)


def latest_ended_period(frequency, today=None):
    """The latest period that has ended before `today`."""
    today = today or timezone.localdate()
    return previous_period_start(period_start(today, frequency), frequency)


# Frequencies whose periods fit inside one period of the key's frequency.
_FINER = {
    Frequency.DAY: (Frequency.DAY,),
    Frequency.WEEK: (Frequency.DAY, Frequency.WEEK),
    Frequency.MONTH: (Frequency.DAY, Frequency.WEEK, Frequency.MONTH),
    Frequency.QUARTER: (Frequency.DAY, Frequency.WEEK, Frequency.MONTH, Frequency.QUARTER),
    Frequency.YEAR: tuple(Frequency),
}


def newest_period(frequency, counts, today=None):
    """The newest period at `frequency` whose counts are due or already entered.

    The latest due period (`latest_due_period`), or a later one that has ended
    when `counts` (any WidgetCount queryset, or month roll-ups: an agency's, a
    reader's) already hold a delivered figure for an ended period of a widget
    counted at that frequency or a finer one that starts in it: on 1 December, with November's
    counts entered, November, though they are not due until the 11th. One query
    at most, reading only the rows since the due period.
    """
    today = today or timezone.localdate()
    due = latest_due_period(frequency, today)
    ended = latest_ended_period(frequency, today)
    if ended <= due:
        return due
    # Month roll-ups (widgets.months) stand for their counts: a month holds an
    # ended period with delivered known when its oldest such period has ended.
    months = counts.model is not WidgetCount
    if months and frequency not in (Frequency.MONTH, Frequency.QUARTER, Frequency.YEAR):
        raise ValueError("month roll-ups answer only for months, quarters and years")
    # A count's own period (a month's oldest with delivered known) has ended, and it
    # has delivered known.
    if months:
        period, known = "first_delivered_period", "first_delivered_period"
    else:
        period, known = "period_start", "delivered"
    finished = Q()
    for finer in _FINER[Frequency(frequency)]:
        finished |= Q(
            widget__reporting_frequency=finer,
            **{f"{period}__lte": latest_ended_period(finer, today)},
        )
    newest = (
        counts.filter(
            finished,
            period_start__gte=next_period_start(due, frequency),
            period_start__lt=next_period_start(ended, frequency),
            **{f"{known}__isnull": False},
        )
        .order_by()
        .aggregate(newest=Max("period_start"))["newest"]
    )
    return due if newest is None else period_start(newest, frequency)


def late_widgets(widgets, today=None):
    """Approved widgets with no count for their latest due period, in one query.

    Only approved ones: a submitted definition may never have been approved, so no
    count of it is due yet.

    Each is annotated with `due_period`.
    """
    due = Case(
        *[
            When(reporting_frequency=f, then=Value(latest_due_period(f, today)))
            for f in Frequency.values
        ],
        output_field=DateField(),
    )
    counted = WidgetCount.objects.filter(
        widget=OuterRef("pk"), period_start=OuterRef("due_period"), delivered__isnull=False
    )
    return (
        widgets.approved()
        .annotate(due_period=due)
        .annotate(counted=Exists(counted))
        .filter(counted=False)
    )


def window_totals(fields, *, start, end=None, known=("within_standard", "delivered")):
    """Per-widget sums of count fields over [start, end), as subquery annotations.

    Each sum reads only the widget's rows in the window through the unique
    (widget, period_start) index; a join-and-filter aggregate over `counts__`
    makes PostgreSQL read every count in the table (docs/performance.md).
    Only periods where every field in `known` is known are summed.
    """
    rows = WidgetCount.objects.filter(
        widget=OuterRef("pk"), period_start__gte=start, **{f"{k}__isnull": False for k in known}
    )
    if end is not None:
        rows = rows.filter(period_start__lt=end)
    grouped = rows.order_by().values("widget")
    return {
        alias: Subquery(grouped.annotate(total=Sum(field)).values("total"))
        for alias, field in fields.items()
    }
