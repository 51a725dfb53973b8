"""Sums of counts read from the monthly roll-ups (widgets.models.CountRollup), not
from the count rows: what a page sums over whole months costs the same with five
years of daily counts as with one month of them (docs/architecture.md, "Roll-ups
of counts").

A month's roll-up holds the sums of widgets.flow.FLOW_AGGREGATES under the same
names, so a sum of months is a row of FLOW_AGGREGATES, and `widgets.flow.flow_from`
and `widgets.flow.rollup` read it unchanged. Every window the pages show starts on
the first of a month and ends before the first of another, so a window's sum is
the sum of its months, exactly.
"""

from django.db.models import OuterRef, Q, Subquery, Sum

from .flow import FLOW_AGGREGATES
from .models import CountRollup, Grain

# Sums of month roll-ups, named as FLOW_AGGREGATES names the sums of counts.
MONTH_AGGREGATES = {name: Sum(name) for name in FLOW_AGGREGATES}


def months(**filters):
    """The month roll-ups matching `filters` (as WidgetCount's: widget, period_start...)."""
    return CountRollup.objects.filter(grain=Grain.MONTH, **filters)


def closing_backlog(start, end, widget=None):
    """Subquery: a widget's (OuterRef "pk" by default) backlog at the end of its newest
    period in [start, end) with a known backlog; None when none is known."""
    newest = months(
        widget=widget if widget is not None else OuterRef("pk"),
        period_start__gte=start,
        period_start__lt=end,
        closing_backlog__isnull=False,
    ).order_by("-period_start")
    return Subquery(newest.values("closing_backlog")[:1])


def newest_period(widget=None):
    """Subquery: the period of a widget's (OuterRef "pk") newest count, or None."""
    newest = months(widget=widget if widget is not None else OuterRef("pk")).order_by(
        "-period_start"
    )
    return Subquery(newest.values("last_period")[:1])


def window_sums(columns, *, start, end):
    """{alias: subquery}: a widget's (OuterRef "pk") sum of each roll-up column over
    the months in [start, end); e.g. {"on_time_num": "on_time_share_num"}."""
    grouped = (
        months(widget=OuterRef("pk"), period_start__gte=start, period_start__lt=end)
        .order_by()
        .values("widget")
    )
    return {
        alias: Subquery(grouped.annotate(total=Sum(column)).values("total"))
        for alias, column in columns.items()
    }


def with_balance_gaps(counts, start, widget_ids=None):
    """`counts` (counts from `start` on, of `widget_ids` when given) of the widgets
    whose month roll-ups from the month of `start` on hold a balance gap: the
    balance check (widgets.flow.balance_failures) need read no other widget's counts.

    Exact: a count the check flags among a widget's counts from `start` on has the
    period just before it as its nearest earlier count with a known backlog there, so
    in the whole table too, and is one of its month's `balance_gaps`. A month whose
    gaps are not worked out yet (blank, until the rebuild after a migration) counts
    as one with gaps.
    """
    gapped = months(period_start__gte=start.replace(day=1)).filter(
        Q(balance_gaps__gt=0) | Q(balance_gaps=None)
    )
    if widget_ids is not None:
        gapped = gapped.filter(widget_id__in=widget_ids)
    return counts.filter(widget_id__in=gapped.values("widget_id"))
