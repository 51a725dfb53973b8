"""The review pack as a briefing book: a PDF made by the server and kept with the
review (docs/adr/0006-review-pack-pdf.md, docs/outcomes.md).

`render_pack(review, by=)` gathers the pack (`pack_contents`) and prints
templates/outcomes/pack/review_pack.html with WeasyPrint: a cover (agency, month,
when it was held, who attended), the agenda built from the data
(outcomes.reviews.agenda), one page per agenda item with its chart (the same
Vega-Lite spec as the page, drawn by vl-convert) and its figures, every outcome
and widget at a glance, the countermeasures with owner and due date, and the
decisions, and each A3 of the agency's huddle boards worked in the month or since on a
landscape page of its own (outcomes.huddles.a3); "Page N of M" on every page.
`services.keep_review_pack` stores it.

The pack shows what every reader of the review may see, whoever made it: one
file is handed to all of them (outcomes.review_views.review_pack_pdf), so a
definition under review (seen only by its own agency) is left out, as other
agencies' catalogues leave it out.
"""

import base64
from dataclasses import dataclass, field

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from agencies.charts import Chart, to_svg
from agencies.templatetags.numbers import percent
from widgets.models import PUBLISHED_STATUSES, Widget

from .charts import outcome_chart
from .huddles import a3
from .models import Countermeasure, Depth, Measurement, Problem, ReviewStatus, StepChange
from .pictures import widget_pictures
from .reviews import agenda
from .selectors import run_chart
from .status import month_end

CHART_WIDTH = 660  # pixels of the drawing on a Letter page between its margins
CHART_HEIGHT = 200
TABLE_ROWS = 9  # the newest rows of an item's figures: one page per item


@dataclass
class Item:
    """One agenda item's page: why it is on the agenda, its chart and figures, and
    the countermeasures for it."""

    anchor: str
    kind: str  # "Outcome" or "Widget"
    subject: object  # the Outcome or Widget (with .status)
    reasons: list
    chart: Chart | None
    drawing: str = ""  # the chart as an SVG data: URL
    rows: list = field(default_factory=list)  # the newest TABLE_ROWS rows of its table
    older: int = 0  # rows of the chart left out of the table
    countermeasures: list = field(default_factory=list)


def pack_contents(review, *, by, made_at):
    """Everything the pack prints, as of the end of the review's month."""
    items = agenda(review, reader=by, for_every_reader=True)
    countermeasures = list(_countermeasures(review))
    pages = _outcome_items(review, items) + _widget_items(items)
    for item in pages:
        item.countermeasures = [
            c
            for c in countermeasures
            if (c.outcome_id if item.kind == "Outcome" else c.widget_id) == item.subject.pk
        ]
    left_out = (
        Widget.objects.filter(agency_id=review.agency_id)
        .live()
        .exclude(status__in=PUBLISHED_STATUSES)
        .count()
    )
    return {
        "review": review,
        "agenda": items,
        "items": pages,
        "countermeasures": countermeasures,
        "left_out": left_out,
        "made_at": made_at,
        "held": review.closed_at if review.status == ReviewStatus.CLOSED else None,
        "at_closing": review.status == ReviewStatus.CLOSED and made_at == review.closed_at,
        "attendees": [line.strip() for line in review.attendees.splitlines() if line.strip()],
        "a3s": [(problem, a3.sheet(problem, drawn=True)) for problem in review_a3s(review)],
    }


def review_a3s(review):
    """The A3s of the agency's huddle boards not solved before the review's month
    began: those still being worked when the pack is made, and those solved in the
    month or since. Only those every reader may see (none about a definition under
    review)."""
    return (
        Problem.objects.filter(board__agency_id=review.agency_id, depth=Depth.A3)
        .filter(Q(solved_at__isnull=True) | Q(solved_at__date__gte=review.month))
        .filter(Q(widget__isnull=True) | Q(widget__status__in=PUBLISHED_STATUSES))
        .select_related(
            "board__agency", "board__program", "board__team", "owner", "widget", "outcome"
        )
        .order_by("since", "pk")
    )


def render_pack(review, *, by, made_at=None):
    """The pack as PDF bytes."""
    # WeasyPrint loads Pango and its fonts on import: only the processes that
    # print a pack pay for it.
    import weasyprint

    made_at = made_at or timezone.now()
    html = render_to_string(
        "outcomes/pack/review_pack.html", pack_contents(review, by=by, made_at=made_at)
    )
    # The pack's only resources are its charts, inline as data: URLs; it fetches
    # nothing from the network or the disk, whatever a name or a decision says.
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def _countermeasures(review):
    """Closed: those recorded with the review when it closed. Open: every open one
    of the agency. Only those on what every reader may see."""
    if review.status == ReviewStatus.CLOSED:
        found = review.countermeasures.all()
    else:
        found = Countermeasure.objects.open().filter(agency_id=review.agency_id)
    return (
        found.filter(Q(widget__isnull=True) | Q(widget__status__in=PUBLISHED_STATUSES))
        .select_related("outcome", "widget", "owner", "huddle_problem__board__agency")
        .order_by("due_date", "pk")
    )


def _drawing(chart):
    svg = to_svg({**chart.spec, "height": CHART_HEIGHT}, width=CHART_WIDTH)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _item(anchor, kind, subject, reasons, chart):
    subject.pack_anchor = anchor  # the agenda links to the item's page
    rows = chart.table.rows if chart and chart.table else []
    return Item(
        anchor=anchor,
        kind=kind,
        subject=subject,
        reasons=reasons,
        chart=chart,
        drawing=_drawing(chart) if chart else "",
        rows=rows[-TABLE_ROWS:],
        older=max(0, len(rows) - TABLE_ROWS),
    )


def _outcome_items(review, items):
    """Off-track outcomes and outcomes with a concerning signal, each once, with its
    process behaviour chart as of the end of the month."""
    reasons = {}
    for outcome in items.off_track_outcomes:
        reasons.setdefault(outcome, []).append("Off track")
    for outcome, signal in items.signals:
        reasons.setdefault(outcome, []).append(
            f"Concerning signal: {signal.describe}, {signal.when}"
        )
    if not reasons:
        return []
    until = month_end(review.month)
    ids = [o.pk for o in reasons]
    measurements, steps = {}, {}
    for m in Measurement.objects.filter(outcome__in=ids, date__lte=until).order_by("date"):
        measurements.setdefault(m.outcome_id, []).append(m)
    for s in StepChange.objects.filter(outcome__in=ids, starts_on__lte=until):
        steps.setdefault(s.outcome_id, []).append(s)
    found = []
    for number, (outcome, why) in enumerate(reasons.items(), start=1):
        run = run_chart(outcome, measurements.get(outcome.pk, []), steps=steps.get(outcome.pk, []))
        chart = outcome_chart(outcome, run, id=f"outcome-{outcome.pk}") if run["rows"] else None
        found.append(_item(f"outcome-{number}", "Outcome", outcome, why, chart))
    return found


def _widget_items(items):
    """Off-track widgets, each with its on-time share on a process behaviour chart."""
    widgets = widget_pictures(list(items.off_track_widgets), items.window)
    return [
        _item(
            f"widget-{number}",
            "Widget",
            widget,
            [
                f"Off track: on time {_share(widget.flows['current'].on_time_share)}"
                f" over {items.window.label}, against a standard of"
                f" {percent(widget.standard_share, 100)}"
            ],
            widget.picture.measure,
        )
        for number, widget in enumerate(widgets, start=1)
    ]


def _share(share):
    return "unknown" if share is None else percent(share)
