"""What the agency dashboard works out widget by widget, kept between builds
(agencies.versions.per_widget) so that a build after a count is saved works out
that count's widget again and takes every other widget's parts as they were.

A state saves counts all day, one widget at a time, and every save gives the
agency a new data version, so the dashboard is built again after each (issue 22).
Each part here depends only on its widget's definition and counts, on its
agency's other data (its base version: a countermeasure, a definition, a survey
result changes them all) and on the windows and today; never on another widget's
counts nor on the reader, who decides only which widgets are shown. What does
depend on every widget (the agency's trend, the order of the pictures) is worked
out from these parts, or read, at every build.

`Kept` reads the parts of every widget of the agency the reader may read once a
build (the widgets, their versions and one cache entry: four queries) and works
out the missing ones in one batch, with the same queries as for all of them.
"""

from collections import Counter
from dataclasses import dataclass, field

from django.template.loader import render_to_string

from agencies.versions import per_widget
from widgets import attention as widget_attention
from widgets import measures, months, quality
from widgets.attention import balance_gaps
from widgets.flow import late_widgets
from widgets.models import COUNTED_STATUSES, LIVE_STATUSES, Widget, WidgetCount

from . import dashboard, pictures
from .periods import add_months

ROW_TEMPLATE = "outcomes/includes/widget_flow_row.html"
CARD_TEMPLATE = "outcomes/includes/widget_card.html"


@dataclass
class Part:
    """One widget's part of the dashboard."""

    # Live widgets: what dashboard.widget_flows gives them, and their row in the
    # table of every widget's flow this period.
    flows: dict = field(default_factory=dict)
    csat: dict = field(default_factory=dict)
    status: str | None = None
    needs_countermeasure: bool = False
    row_html: str = ""
    # What the order of the pictures reads of it (pictures.marks).
    marks: tuple = (False, False)
    # Widgets that may hold counts: their data-quality findings by grade.
    tally: dict = field(default_factory=dict)
    # Every widget: counts whose backlog does not balance, without and with a note
    # (the last 13 months); the period whose count is late, if any; its errors.
    unexplained: list = field(default_factory=list)
    explained: list = field(default_factory=list)
    late: object = None
    errors: list = field(default_factory=list)


class Kept:
    """The parts of the widgets of `agency` that `reader` may read, for the dashboard's
    `windows` and `today`."""

    def __init__(self, agency, reader, windows, today):
        self.agency, self.windows, self.today = agency, windows, today
        self.window = windows["current"]
        readable = Widget.objects.for_user(reader).filter(agency=agency).order_by("name")
        self.widgets = {
            pk: (status, program_id)
            for pk, status, program_id in readable.values_list("pk", "status", "program_id")
        }
        # The database's order of their names (its collation, as `order_by("name")`).
        self.by_name = {pk: n for n, pk in enumerate(self.widgets)}
        self.parts = per_widget(
            "dashboard", agency.pk, (windows, today), sorted(self.widgets), self._compute
        )

    def ids(self, program=None, statuses=None):
        """The widgets' ids (of the program, of these statuses), in id order."""
        return [
            pk
            for pk, (status, program_id) in sorted(self.widgets.items())
            if (program is None or program_id == program.pk)
            and (statuses is None or status in statuses)
        ]

    def _compute(self, ids):
        parts = {pk: Part() for pk in ids}
        chosen = Widget.objects.filter(pk__in=ids)
        live = chosen.filter(status__in=LIVE_STATUSES)
        flowing = dashboard.widget_flows(live, self.windows)
        for widget in flowing:
            part = parts[widget.pk]
            part.flows, part.csat = widget.flows, widget.csat
            part.status, part.needs_countermeasure = widget.status, widget.needs_countermeasure
            part.row_html = render_to_string(
                ROW_TEMPLATE, {"w": widget, "measures": measures.flow_rows()}
            )
        judged = pictures.make_pictures(flowing, self.window, fields=pictures.MARKED)
        for pk, picture in judged.items():
            parts[pk].marks = pictures.marks(picture)
        counted = chosen.filter(status__in=COUNTED_STATUSES)
        tallies = {pk: Counter() for pk in ids}
        for finding in quality.findings(counted, today=self.today):
            tallies[finding.widget.pk][finding.grade] += 1
        since = add_months(self.window.start, -12)
        recent = months.with_balance_gaps(
            WidgetCount.objects.filter(widget_id__in=ids, period_start__gte=since), since, ids
        )
        unexplained, explained = balance_gaps(recent.select_related("widget"))
        for count in unexplained:
            parts[count.widget_id].unexplained.append(count)
        for count in explained:
            parts[count.widget_id].explained.append(count)
        for pk, due in late_widgets(chosen, self.today).values_list("pk", "due_period"):
            parts[pk].late = due
        # The errors the home page lists too (one function for both lists).
        for error in widget_attention.data_quality_errors(chosen, today=self.today):
            parts[error.widget.pk].errors.append(error)
        for pk, part in parts.items():
            part.tally = dict(tallies[pk])
        return parts

    # --- what the page reads ---------------------------------------------------------

    def flows(self, widgets):
        """Give each of `widgets` (the dashboard's) what dashboard.widget_flows gives
        it (.flows, .csat, .status, .needs_countermeasure) and `.row_html`."""
        for widget in widgets:
            part = self.parts[widget.pk]
            widget.flows, widget.csat, widget.row_html = part.flows, part.csat, part.row_html
            widget.status, widget.needs_countermeasure = part.status, part.needs_countermeasure
        return widgets

    def tally(self):
        """quality.tally of the findings of the widgets that may hold counts (every
        program's: the agency's data quality)."""
        total = dict.fromkeys(quality.GRADES, 0)
        for pk in self.ids(statuses=COUNTED_STATUSES):
            for grade, n in self.parts[pk].tally.items():
                total[grade] += n
        return total

    def gaps(self, program=None):
        """widgets.attention.balance_gaps of the last 13 months' counts of the
        program's widgets: (unexplained, explained), in widget and period order."""
        ids = self.ids(program)
        return (
            [count for pk in ids for count in self.parts[pk].unexplained],
            [count for pk in ids for count in self.parts[pk].explained],
        )

    def late(self, widgets):
        """Those of `widgets` (the dashboard's) whose latest due count is missing
        (widgets.flow.late_widgets), by name, each with `.due_period`."""
        found = []
        for widget in widgets:
            widget.due_period = self.parts[widget.pk].late
            if widget.due_period is not None:
                found.append(widget)
        return sorted(found, key=lambda w: self.by_name[w.pk])

    def errors(self, program=None):
        """The program's widgets' data-quality errors
        (widgets.attention.data_quality_errors), in its order."""
        found = [e for pk in self.ids(program) for e in self.parts[pk].errors]
        # Findings in quality's order; anything else a hook gives as it gave it.
        return quality.in_order(found) if all(hasattr(e, "grade") for e in found) else found

    def pictures(self, widgets, *, shown=None):
        """`widgets` (with their .status) in the order of the pictures
        (pictures.widget_pictures: what needs attention first), the first `shown`
        (all: None) with `.card_html`, their card drawn. Each card drawn is kept:
        a card is drawn only for a widget shown."""
        ranked = pictures.in_attention_order(
            widgets, {w.pk: self.parts[w.pk].marks for w in widgets}
        )
        drawn = {w.pk: w for w in (ranked if shown is None else ranked[:shown])}

        def cards(ids):
            made = pictures.make_pictures([drawn[pk] for pk in ids], self.window)
            found = {}
            for pk in ids:
                widget = drawn[pk]
                widget.picture = made[pk]
                found[pk] = render_to_string(
                    CARD_TEMPLATE, {"w": widget, "picture_periods": pictures.PERIODS}
                )
            return found

        # A card shows the widget's status, which is worked out from its counts and
        # its definition, as the card is: kept under the same versions.
        kept = per_widget("dashboard-cards", self.agency.pk, self.window, list(drawn), cards)
        for pk, widget in drawn.items():
            widget.card_html = kept[pk]
        return ranked
