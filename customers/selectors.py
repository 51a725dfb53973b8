"""Reads about customers: scoped, annotated querysets and the figures on their pages.

Widgets, counts and survey results are read through reverse relations
(`segment.widgets`, `widgets__counts`, `segment.survey_results`) with database
aggregates, so that the number of queries does not grow with rows.
"""

import datetime as dt

from django.db.models import Count, OuterRef, Q, Subquery, Sum

from agencies.charts import SERIES, Chart, spec

from .models import CustomerSegment, SegmentKind
from .satisfaction import SATISFACTION, SCALE, Csat, answer_fields

ON_TIME_MONTHS = 12


def segments_for(user):
    """Segments the user may read, each with the number of widgets the user may see."""
    readable = _readable_widgets(user).values("pk")
    return (
        CustomerSegment.objects.for_user(user)
        .select_related("agency")
        .annotate(widget_count=Count("widgets", filter=Q(widgets__pk__in=readable), distinct=True))
    )


def _readable_widgets(user):
    widget = CustomerSegment._meta.get_field("widgets").related_model
    return widget.objects.for_user(user)


def months_ago(today, months):
    """The first day of the month `months` before today's month."""
    index = today.year * 12 + today.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def received_widgets(segment, user, *, today=None):
    """The widgets the segment receives, with on-time share and satisfaction.

    On-time share: sum of within_standard / sum of delivered over the counts of
    the last 12 months in which both are known. Satisfaction: CSAT over this
    segment's survey results of the same months. Two queries in all.
    """
    since = months_ago(today or dt.date.today(), ON_TIME_MONTHS)
    # Per-widget sums through the (widget, period_start) index, like
    # widgets.flow.window_totals (which this app may not import): a join over
    # all counts would read the whole table.
    widget_model = CustomerSegment._meta.get_field("widgets").related_model
    counts = (
        widget_model._meta.get_field("counts")
        .related_model.objects.filter(
            widget=OuterRef("pk"),
            period_start__gte=since,
            delivered__isnull=False,
            within_standard__isnull=False,
        )
        .order_by()
        .values("widget")
    )
    widgets = list(
        segment.widgets.filter(pk__in=_readable_widgets(user).values("pk"))
        .select_related("agency")
        .annotate(
            delivered_12m=Subquery(counts.annotate(t=Sum("delivered")).values("t")),
            within_standard_12m=Subquery(counts.annotate(t=Sum("within_standard")).values("t")),
        )
        .order_by("name")
    )
    sums = {
        row["widget_id"]: row
        for row in segment.survey_results.filter(
            period_start__gte=since, widget__in=[w.pk for w in widgets]
        )
        .values("widget_id")
        .annotate(
            **{f"s{p}": Sum(f"{SATISFACTION}_{p}") for p in SCALE},
        )
    }
    for w in widgets:
        w.on_time_share = w.within_standard_12m / w.delivered_12m if w.delivered_12m else None
        w.on_time_percent = None if w.on_time_share is None else round(w.on_time_share * 100, 1)
        row = sums.get(w.pk)
        w.csat = Csat([row[f"s{p}"] for p in SCALE]) if row else None
    return widgets


def survey_series(segment, user):
    """This segment's survey results, summed over widgets, period by period (one query)."""
    rows = (
        segment.survey_results.filter(widget__in=_readable_widgets(user).values("pk"))
        .values("period_start")
        .annotate(
            widget_count=Count("widget", distinct=True),
            respondents=Sum("respondents"),
            offered=Sum("offered"),
            **{
                f"s{p}": Sum(field)
                for p, field in zip(SCALE, answer_fields(SATISFACTION), strict=True)
            },
        )
        .order_by("period_start")
    )
    series = []
    for row in rows:
        csat = Csat([row[f"s{p}"] for p in SCALE])
        series.append({**row, "csat": csat})
    return series


def satisfaction_chart(series, segment):
    """CSAT by period as a Vega-Lite spec (docs/adr/0005): the line of percent
    satisfied (None is a gap), low samples as hollow points (the table says so too)."""
    colour = SERIES["Demand"]["color"]
    data = [
        {
            "period": row["period_start"].isoformat(),
            "csat": row["csat"].percent,
            "low": row["csat"].low_sample,
        }
        for row in series
    ]
    x = {
        "field": "period",
        "type": "temporal",
        "title": None,
        "axis": {"format": "%b %Y", "labelAngle": 0, "labelOverlap": "greedy"},
    }
    y = {
        "field": "csat",
        "type": "quantitative",
        "title": "Percent satisfied",
        "scale": {"domain": [0, 100]},
    }
    return Chart(
        id="segment-chart",
        title=f"Customer satisfaction (CSAT) of {segment.name}, percent satisfied, by period",
        spec=spec(
            data=data,
            height=240,
            layers=[
                {
                    "mark": {"type": "line", "color": colour, "strokeWidth": 2},
                    "encoding": {"x": x, "y": y},
                },
                {
                    "mark": {"type": "point", "shape": "circle", "size": 70, "strokeWidth": 2},
                    "encoding": {
                        "x": x,
                        "y": y,
                        "stroke": {"value": colour},
                        "fill": {
                            "condition": {"test": "datum.low", "value": "#ffffff"},
                            "value": colour,
                        },
                        "fillOpacity": {"value": 1},
                    },
                },
            ],
        ),
        summary="CSAT: share of respondents answering 4 or 5 to the satisfaction question. "
        "Hollow points are low samples.",
    )


def statewide(user):
    """Every segment kind, the agencies that serve it and the widgets it receives."""
    readable = _readable_widgets(user).values("pk")
    segments = CustomerSegment.objects.for_user(user).active()
    per_kind = {
        row["kind"]: row
        for row in segments.values("kind").annotate(
            segment_count=Count("pk", distinct=True),
            estimated_size=Sum("estimated_size"),
        )
    }
    per_agency = (
        segments.filter(widgets__in=readable)
        .values("kind", "widgets__agency__name", "widgets__agency__abbreviation")
        .annotate(widget_count=Count("widgets", distinct=True))
        .order_by("kind", "widgets__agency__name")
    )
    agencies = {}
    for row in per_agency:
        agencies.setdefault(row["kind"], []).append(
            {
                "name": row["widgets__agency__name"],
                "abbreviation": row["widgets__agency__abbreviation"],
                "widget_count": row["widget_count"],
            }
        )
    kinds = []
    for kind in SegmentKind:
        served_by = agencies.get(kind.value, [])
        row = per_kind.get(kind.value, {})
        kinds.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "segment_count": row.get("segment_count", 0),
                "estimated_size": row.get("estimated_size"),
                "widget_count": sum(a["widget_count"] for a in served_by),
                "agency_count": len(served_by),
                "agencies": served_by,
            }
        )
    return kinds
