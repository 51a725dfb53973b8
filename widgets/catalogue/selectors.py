"""Reads for widget pages: scoped, annotated querysets whose query count does
not grow with the number of rows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from agencies.scoping import MANAGER, agency_roles, changeable_agency_ids

from .. import flow
from ..models import Widget, WidgetCount, WidgetStatus
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


def _recent_counts(today=None):
    today = today or timezone.localdate()
    window = Q()
    for frequency, days in SPARKLINE_REACH.items():
        window |= Q(
            widget__reporting_frequency=frequency,
            period_start__gte=today - dt.timedelta(days=days),
        )
    return (
        WidgetCount.objects.filter(window)
        .order_by("-period_start")
        .only("widget_id", "period_start", "delivered")[:SPARKLINE_PERIODS]
    )


def catalogue(user):
    """Every widget the user may read, with what the list shows."""
    recent = _recent_counts()
    return (
        Widget.objects.for_user(user)
        .select_related("agency", "program", "owner")
        .annotate(segment_count=Count("customer_segments", distinct=True))
        .prefetch_related(Prefetch("counts", queryset=recent, to_attr="recent_counts"))
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
    entries = []
    # Each record with the one before it (the oldest has none). Rows loaded in
    # bulk may have no history at all.
    for newer, older in zip(records, [*records[1:], None][: len(records)], strict=True):
        changes = []
        if older is not None:
            delta = newer.diff_against(
                older, excluded_fields=["version", "updated_at", "quality_score", "problem_count"]
            )
            changes = [
                (Widget._meta.get_field(c.field).verbose_name, c.old, c.new) for c in delta.changes
            ]
        entries.append({"record": newer, "changes": changes})
    return entries


@dataclass
class AttentionItem:
    text: str
    url: str
    link_text: str


def attention(user, today=None):
    """What needs this user now: late counts, reviews waiting, returned drafts.

    A few queries whatever the number of widgets: late widgets are grouped by
    agency and period in Python from one query.
    """
    agency_ids = list(agency_roles(user))
    items = []
    late = (
        flow.late_widgets(Widget.objects.filter(agency_id__in=agency_ids), today)
        .select_related("agency")
        .order_by("agency__name", "due_period", "name")
    )
    groups = {}
    for widget in late:
        key = (widget.agency, widget.due_period, widget.reporting_frequency)
        groups.setdefault(key, []).append(widget)
    for (agency, due, frequency), widgets in groups.items():
        mine = [w.name for w in widgets if w.owner_id == user.pk]
        n = len(widgets)
        text = (
            f"{agency.abbreviation}: {n} widget{'s' if n > 1 else ''} missing "
            f"{describe_period(due, frequency)} counts"
        )
        if mine:
            text += f", including yours: {', '.join(mine[:5])}{'…' if len(mine) > 5 else ''}"
        items.append(
            AttentionItem(
                text=text + ".",
                url=reverse("widgets:overdue", args=[agency.slug]),
                link_text="See what is overdue",
            )
        )
    waiting = review_queue(user).count() if changeable_agency_ids(user, MANAGER) else 0
    if waiting:
        items.append(
            AttentionItem(
                text=f"{waiting} widget definition{'s' if waiting > 1 else ''} "
                "waiting for your review.",
                url=reverse("widgets:review-queue"),
                link_text="Open the review queue",
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
            )
        )
    return items
