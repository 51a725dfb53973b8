"""Reads for widget pages: scoped, annotated querysets whose query count does
not grow with the number of rows."""

import datetime as dt
from typing import NamedTuple

from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from agencies.history import deltas_of, worded_changes
from agencies.scoping import MANAGER, agency_roles, changeable_agency_ids
from agencies.templatetags import numbers

from .. import attention as kinds
from .. import flow, months
from ..attention import AttentionItem, from_providers, in_order, unexplained_gaps
from ..models import Channel, Widget, WidgetCount, WidgetStatus
from ..periods import describe_period

SPARKLINE_PERIODS = 12


# How far back SPARKLINE_PERIODS periods reach at each frequency (with room for
# a late period), so the sparkline reads a few rows per widget, not its history.
SPARKLINE_REACH = {
    "day": 16,
    "week": 13 * 7,
    "month": 13 * 31,
    "quarter": 13 * 92,
    "year": 13 * 366,
}


class RecentCount(NamedTuple):
    """What a sparkline reads of a count (a row, not a model instance)."""

    period_start: dt.date
    delivered: int | None


def attach_recent_counts(widgets, today=None):
    """Give each of `widgets` (a page of the list) its last SPARKLINE_PERIODS counts,
    newest first, as `recent_counts` (RecentCount): one query, each widget's rows read by its own
    range of the (widget, period) index (WidgetCount.objects.in_periods_of)."""
    widgets = list(widgets)
    today = today or timezone.localdate()

    def reach(frequency):
        return {"period_start__gte": today - dt.timedelta(days=SPARKLINE_REACH[frequency])}

    recent = (
        WidgetCount.objects.in_periods_of(widgets, reach)
        .annotate(
            newest=Window(
                RowNumber(), partition_by=F("widget_id"), order_by=F("period_start").desc()
            )
        )
        .filter(newest__lte=SPARKLINE_PERIODS)
        .order_by("-period_start")
        .values_list("widget_id", "period_start", "delivered")
    )
    by_widget = {}
    for widget_id, start, delivered in recent:
        by_widget.setdefault(widget_id, []).append(RecentCount(start, delivered))
    for widget in widgets:
        widget.recent_counts = by_widget.get(widget.pk, [])
    return widgets


def catalogue(user):
    """Every widget the user may read, with what the list shows (the sparklines of a
    page: attach_recent_counts)."""
    segments = (
        Widget.customer_segments.through.objects.filter(widget_id=OuterRef("pk"))
        .order_by()
        .values("widget_id")
        .annotate(n=Count("customersegment_id"))
        .values("n")
    )
    return (
        Widget.objects.for_user(user)
        .select_related("agency", "program", "owner")
        .annotate(segment_count=Coalesce(Subquery(segments), 0))
        .order_by("name", "pk")
    )


def review_queue(user):
    """Submitted widgets this user may review, oldest first."""
    return (
        Widget.objects.changeable_by(user, MANAGER)
        .filter(status=WidgetStatus.SUBMITTED)
        .exclude(submitted_by=user)
        .exclude(last_edited_by=user)  # four eyes (services.may_review)
        .select_related("agency", "program", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def sparkline_points(counts, width=120, height=24):
    """SVG polyline points for delivered over the recent periods, oldest first.

    Unknown periods are skipped, never drawn as zero.
    """
    values = [(c.period_start, c.delivered) for c in reversed(counts) if c.delivered is not None]
    if len(values) < 2:
        return "", values
    top = max(v for _, v in values) or 1
    step = width / (len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - (v / top) * (height - 2) - 1:.1f}"
        for i, (_, v) in enumerate(values)
    )
    return points, values


def history(widget):
    """The widget's history, newest first, each with the fields it changed."""
    records = list(
        widget.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    # Each record with the one before it (the oldest has none). Rows loaded in
    # bulk may have no history at all.
    deltas = deltas_of(records, excluded=HISTORY_NOT_SHOWN)
    worded = worded_changes(Widget, deltas, formats=history_formats())
    return [
        {"record": record, "changes": changes}
        for record, changes in zip(records, worded, strict=True)
    ]


HISTORY_NOT_SHOWN = ["version", "updated_at", "quality_score", "problem_count"]


def history_formats():
    """How the widget's history words the fields whose type does not say it."""
    channels = dict(Channel.choices)
    return {
        "fee": numbers.money,
        "standard_share": lambda share: numbers.percent(share, 100),
        "standard_days": numbers.days,
        "channels": lambda codes: ", ".join(str(channels.get(c, c)) for c in codes),
    }


def _names(names, limit=5):
    return ", ".join(names[:limit]) + ("…" if len(names) > limit else "")


def _plural(n, word):
    return f"{n} {word}{'' if n == 1 else 's'}"


def attention(user, today=None):
    """What needs this user now, in the order of `widgets.attention.KINDS`.

    Here: late counts and unexplained balance gaps (members of the agency),
    definitions waiting for review (managers), data-quality errors (the hook in
    widgets.attention), definitions returned to their owner. The kinds of higher
    apps (off-track outcomes, countermeasures past due, concerning signals) come
    from the providers they register (widgets.attention). A few queries whatever
    the number of widgets: each kind is one query, grouped by agency in Python.
    """
    today = today or timezone.localdate()
    roles = agency_roles(user)
    agency_ids = list(roles)
    mine = Widget.objects.filter(agency_id__in=agency_ids)
    items = _late(user, mine, today) + _balance_gaps(mine, today)
    waiting = review_queue(user).count() if changeable_agency_ids(user, MANAGER) else 0
    if waiting:
        items.append(
            AttentionItem(
                text=f"{_plural(waiting, 'widget definition')} waiting for your review.",
                url=reverse("widgets:review-queue"),
                link_text="Open the review queue",
                kind="reviews",
            )
        )
    for error in kinds.data_quality_errors(mine, today=today):
        items.append(
            AttentionItem(
                text=f"{error.widget.name}, {error.period_label}: {error.message}",
                url=reverse("widgets:count-history", args=[error.widget.pk]),
                link_text="See the counts",
                kind="quality",
            )
        )
    returned = Widget.objects.filter(
        status=WidgetStatus.RETURNED, agency_id__in=agency_ids, owner=user
    ).count()
    if returned:
        items.append(
            AttentionItem(
                text=f"{returned} of your widget definitions came back with comments.",
                url=reverse("widgets:list") + "?agency=&status=returned",
                link_text="See them",
                kind="returned",
            )
        )
    items += from_providers(user, roles=roles, today=today)
    return in_order(items)


def _late(user, widgets, today):
    """Late counts, one item per agency, period and frequency (one query)."""
    late = (
        flow.late_widgets(widgets, today)
        .select_related("agency")
        .order_by("agency__name", "due_period", "name")
    )
    groups = {}
    for widget in late:
        key = (widget.agency, widget.due_period, widget.reporting_frequency)
        groups.setdefault(key, []).append(widget)
    items = []
    for (agency, due, frequency), group in groups.items():
        yours = [w.name for w in group if w.owner_id == user.pk]
        text = (
            f"{agency.abbreviation}: {_plural(len(group), 'widget')} missing "
            f"{describe_period(due, frequency)} counts"
        )
        if yours:
            text += f", including yours: {_names(yours)}"
        items.append(
            AttentionItem(
                text=text + ".",
                url=reverse("widgets:overdue", args=[agency.slug]),
                link_text="See what is overdue",
                kind="late",
            )
        )
    return items


def _balance_gaps(widgets, today):
    """Counts of the last twelve months whose backlog does not balance and that say
    nothing about why, one item per agency (one query)."""
    since = today.replace(day=1) - dt.timedelta(days=366)
    counts = months.with_balance_gaps(
        WidgetCount.objects.filter(widget__in=widgets, period_start__gte=since), since
    )
    by_agency = {}
    for count in unexplained_gaps(counts.select_related("widget__agency")):
        by_agency.setdefault(count.widget.agency, []).append(count)
    items = []
    for agency, counts in sorted(by_agency.items(), key=lambda pair: pair[0].name):
        named = [f"{c.widget.name} ({c.period_label})" for c in counts]
        items.append(
            AttentionItem(
                text=(
                    f"{agency.abbreviation}: {_plural(len(counts), 'count')} whose backlog "
                    f"does not balance, with no note saying why: {_names(named)}."
                ),
                url=reverse("outcomes:dashboard", args=[agency.slug]),
                link_text="See them on the dashboard",
                kind="balance",
            )
        )
    return items
