"""Flow of the system that produces a widget, computed in the database.

Derived, never stored (DESIGN.md, "Counting"):

- on-time share = within_standard / delivered
- cost per widget = cost / delivered
- rework rate = rework / delivered
- lead time (Little's law) = average backlog / delivered per day
- balance check: previous backlog + demand - delivered - withdrawn = backlog

Unknown is not zero: each ratio sums only the periods where both of its parts
are known, and is None when nothing is known.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractMonth, ExtractYear, Lag, Mod, TruncMonth
from django.db.models.lookups import LessThan

from .models import WidgetCount
from .periods import Frequency, period_end, period_start, previous_period_start


def _known(*fields):
    return Q(**{f"{name}__isnull": False for name in fields})


# Aggregates over any WidgetCount queryset; `flow_from` turns them into measures.
FLOW_AGGREGATES = {
    "total_demand": Sum("demand"),
    "total_delivered": Sum("delivered"),
    "total_withdrawn": Sum("withdrawn"),
    "on_time_num": Sum("within_standard", filter=_known("within_standard", "delivered")),
    "on_time_den": Sum("delivered", filter=_known("within_standard", "delivered")),
    "cost_num": Sum("cost", filter=_known("cost", "delivered")),
    "cost_den": Sum("delivered", filter=_known("cost", "delivered")),
    "rework_num": Sum("rework", filter=_known("rework", "delivered")),
    "rework_den": Sum("delivered", filter=_known("rework", "delivered")),
}


def ratio(numerator, denominator):
    if numerator is None or not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


@dataclass(frozen=True)
class Flow:
    demand: int | None
    delivered: int | None
    withdrawn: int | None
    backlog: int | None
    on_time_share: Decimal | None
    cost_per_widget: Decimal | None
    rework_rate: Decimal | None
    lead_time_days: Decimal | None


def flow_from(row, *, backlog=None, days=None):
    """A Flow from a row of FLOW_AGGREGATES (and the period's closing backlog)."""
    delivered = row.get("total_delivered")
    lead_time = None
    if backlog is not None and delivered and days:
        lead_time = Decimal(backlog) / (Decimal(delivered) / Decimal(days))
    return Flow(
        demand=row.get("total_demand"),
        delivered=delivered,
        withdrawn=row.get("total_withdrawn"),
        backlog=backlog,
        on_time_share=ratio(row.get("on_time_num"), row.get("on_time_den")),
        cost_per_widget=ratio(row.get("cost_num"), row.get("cost_den")),
        rework_rate=ratio(row.get("rework_num"), row.get("rework_den")),
        lead_time_days=lead_time,
    )


def lead_time_days(count, previous_backlog=None):
    """Little's law for one period: average backlog / delivered per day."""
    if count.backlog is None or not count.delivered:
        return None
    average = count.backlog
    if previous_backlog is not None:
        average = Decimal(previous_backlog + count.backlog) / 2
    days = (
        period_end(count.period_start, count.widget.reporting_frequency) - count.period_start
    ).days + 1
    return Decimal(average) / (Decimal(count.delivered) / Decimal(days))


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


def rollup(counts, grain):
    """Sum counts to month, fiscal quarter or fiscal year, in one query.

    Returns rows with `fiscal_year` (and `quarter` or `month`) plus the
    FLOW_AGGREGATES, oldest first.
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
    return counts.values(*keys).annotate(**FLOW_AGGREGATES).order_by(*keys)


# --- balance check and late data ----------------------------------------------


def with_previous(counts):
    """Annotate each count with the previous row's backlog and period of its widget."""
    order = F("period_start").asc()
    return counts.annotate(
        previous_backlog=Window(Lag("backlog"), partition_by=[F("widget_id")], order_by=order),
        previous_period=Window(Lag("period_start"), partition_by=[F("widget_id")], order_by=order),
    )


def balance_failures(counts):
    """Counts whose backlog does not balance with the period before (contiguous only).

    The window runs in the database; only the rows it flags reach Python, to
    check that the previous row is the period just before.
    """
    flagged = (
        with_previous(counts.select_related("widget"))
        .filter(
            _known("previous_backlog", "demand", "delivered", "withdrawn", "backlog"),
        )
        .exclude(backlog=F("previous_backlog") + F("demand") - F("delivered") - F("withdrawn"))
        .order_by("widget_id", "period_start")
    )
    return [
        c
        for c in flagged
        if c.previous_period == previous_period_start(c.period_start, c.widget.reporting_frequency)
    ]


def latest_due_period(frequency, today=None):
    """The latest period whose counts are due by `today` (N days after it ends)."""
    today = today or dt.date.today()
    cutoff = today - dt.timedelta(days=settings.COUNTS_DUE_DAYS)
    return previous_period_start(period_start(cutoff, frequency), frequency)


def late_widgets(widgets, today=None):
    """Approved widgets with no count for their latest due period, in one query.

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
