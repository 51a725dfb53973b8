"""What the agency dashboard works out widget by widget, kept between builds
(agencies.versions.per_widget) so that a build after a count is saved works out
that count's widget again and takes every other widget's parts as they were.

A state saves counts all day, one widget at a time, and every save gives the
agency a new data version, so the dashboard is built again after each (issue 22).
Each part here depends only on its widget's definition and counts, on its
agency's other data (its base version: a countermeasure, a definition, a survey
result changes them all) and on the key given with it (the windows, today);
never on another widget's counts nor on the reader, who decides only which
widgets are shown. What does depend on every widget (the agency's trend, the
order of the pictures, the attention list's other kinds) is worked out from
these parts, or read, at every build.

Each function reads the parts of the widgets it is given (two queries for the
versions, one cache read) and works out the missing ones in one batch with
the same queries as for all of them.
"""

from collections import Counter

from django.template.loader import render_to_string

from agencies.versions import per_widget
from widgets import measures, quality
from widgets.attention import balance_gaps
from widgets.models import Widget, WidgetCount

from . import dashboard, pictures

FLOW_TEMPLATE = "outcomes/includes/widget_flow.html"
CARD_TEMPLATE = "outcomes/includes/widget_card.html"


def flows(agency, widgets, windows):
    """Give each of `widgets` (the dashboard's, in page order) what
    dashboard.widget_flows gives it (.flows, .csat, .status, .needs_countermeasure)
    and `.flow_html`, its flow table as the dashboard shows it."""
    window_names = list(windows)
    shown = measures.flow_rows()

    def compute(ids):
        found = {}
        for widget in dashboard.widget_flows(Widget.objects.filter(pk__in=ids), windows):
            html = render_to_string(
                FLOW_TEMPLATE,
                {"w": widget, "windows": windows, "window_names": window_names, "measures": shown},
            )
            found[widget.pk] = (
                widget.flows,
                widget.csat,
                widget.status,
                widget.needs_countermeasure,
                html,
            )
        return found

    parts = per_widget("dashboard-flows", agency.pk, windows, [w.pk for w in widgets], compute)
    for widget in widgets:
        (
            widget.flows,
            widget.csat,
            widget.status,
            widget.needs_countermeasure,
            widget.flow_html,
        ) = parts[widget.pk]
    return widgets


def widget_pictures(agency, widgets, window, *, shown=None):
    """`widgets` (with their .status, from `flows`) in the order of the pictures
    (pictures.widget_pictures: what needs attention first), the first `shown` (all:
    None) with `.card_html`, their card drawn. Each widget's marks and each card
    drawn are kept: a card is drawn only for a widget shown."""

    def marked(ids):
        made = pictures.make_pictures(list(Widget.objects.filter(pk__in=ids)), window)
        return {pk: pictures.marks(picture) for pk, picture in made.items()}

    ids = [w.pk for w in widgets]
    ranked = pictures.in_attention_order(
        widgets, per_widget("dashboard-marks", agency.pk, window, ids, marked)
    )
    drawn = {w.pk: w for w in (ranked if shown is None else ranked[:shown])}

    def cards(ids):
        made = pictures.make_pictures([drawn[pk] for pk in ids], window)
        found = {}
        for pk in ids:
            widget = drawn[pk]
            widget.picture = made[pk]
            found[pk] = render_to_string(
                CARD_TEMPLATE, {"w": widget, "picture_periods": pictures.PERIODS}
            )
        return found

    # A card shows the widget's status, which is worked out from its counts and its
    # definition, as the card is: kept under the same versions.
    drawn_cards = per_widget("dashboard-cards", agency.pk, window, list(drawn), cards)
    for pk, widget in drawn.items():
        widget.card_html = drawn_cards[pk]
    return ranked


def quality_tally(agency, widgets, today):
    """quality.tally of the findings of `widgets` (a queryset): each widget's
    findings counted by grade, kept."""

    def compute(ids):
        counted = {pk: Counter() for pk in ids}
        for finding in quality.findings(Widget.objects.filter(pk__in=ids), today=today):
            counted[finding.widget.pk][finding.grade] += 1
        return counted

    ids = list(widgets.order_by().values_list("pk", flat=True))
    total = dict.fromkeys(quality.GRADES, 0)
    for counted in per_widget("dashboard-quality", agency.pk, today, ids, compute).values():
        for grade, n in counted.items():
            total[grade] += n
    return total


def gaps(agency, widgets, since):
    """widgets.attention.balance_gaps of the counts of `widgets` (a queryset) from
    `since` on, (unexplained, explained), in widget and period order: each
    widget's kept."""

    def compute(ids):
        found = {pk: ([], []) for pk in ids}
        recent = WidgetCount.objects.filter(widget_id__in=ids, period_start__gte=since)
        unexplained, explained = balance_gaps(recent.select_related("widget"))
        for n, counts in enumerate((unexplained, explained)):
            for count in counts:
                found[count.widget_id][n].append(count)
        return found

    ids = sorted(widgets.order_by().values_list("pk", flat=True))
    parts = per_widget("dashboard-gaps", agency.pk, since, ids, compute)
    return (
        [count for pk in ids for count in parts[pk][0]],
        [count for pk in ids for count in parts[pk][1]],
    )
