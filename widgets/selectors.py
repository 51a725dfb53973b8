"""Reads for widget pages: scoped, annotated querysets whose query count does
not grow with the number of rows."""

from django.db.models import Count, Prefetch

from agencies.scoping import MANAGER

from .models import Widget, WidgetCount, WidgetStatus

SPARKLINE_PERIODS = 12


def catalogue(user):
    """Every widget the user may read, with what the list shows."""
    recent = WidgetCount.objects.order_by("-period_start").only(
        "widget_id", "period_start", "delivered"
    )[:SPARKLINE_PERIODS]
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
    for newer, older in zip(records, [*records[1:], None], strict=True):
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
