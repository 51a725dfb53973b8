"""The A3: a problem solved on one sheet (docs/outcomes.md, "Three depths of problem
solving"). Its current condition is the chart of the problem's measure, the same
Vega-Lite spec as the pages draw (an outcome's process behaviour chart with its
target line; a widget's on-time share against its standard, or its backlog); its
plan is the problem's actions with their owners and dates; its follow-up ends
with the measure after, in the measure's own unit.

The page prints on one landscape page from the browser (its print CSS), and the
review pack prints each A3 of the agency on a landscape page of its own
(outcomes.packs), with the chart drawn on the server (vl-convert).
"""

import base64
from dataclasses import dataclass

from agencies.charts import Chart, to_svg
from agencies.templatetags import numbers
from widgets.models import Widget

from .. import dashboard, pictures
from ..models import Outcome
from ..periods import agency_month
from ..selectors import with_latest, with_marks, with_status

# The chart on a landscape Letter page beside the A3's left column.
CHART_WIDTH = 440
CHART_HEIGHT = 170


@dataclass
class Measure:
    """What the measure after is, in its own unit, and how to show it."""

    name: str  # "On-time share of Air quality permit"
    unit: str  # said beside the field: "percent (e.g. 93.5)", "days", "open"

    def show(self, value):
        raise NotImplementedError


@dataclass
class OutcomeMeasure(Measure):
    outcome_unit: str = ""

    def show(self, value):
        return numbers.quantity(value, self.outcome_unit)


@dataclass
class ShareMeasure(Measure):
    def show(self, value):
        return numbers.percent(value, 100)


@dataclass
class CountMeasure(Measure):
    def show(self, value):
        return numbers.whole(value)


def measure_of(problem):
    """The problem's measure with its unit (None without one)."""
    if problem.outcome_id:
        o = problem.outcome
        return OutcomeMeasure(name=o.measure, unit=o.unit, outcome_unit=o.unit)
    if problem.widget_id:
        w = problem.widget
        if w.standard_share is not None:
            return ShareMeasure(
                name=f"On-time share of {w.name}", unit="percent of delivered, e.g. 93.5"
            )
        return CountMeasure(name=f"Backlog of {w.name}", unit="open at the end of the period")
    return None


@dataclass
class Condition:
    chart: Chart | None
    latest: str  # the latest value in words, "" when none


def condition(problem):
    """The current condition: the measure's chart, and its latest value in words."""
    if problem.outcome_id:
        return _outcome_condition(problem.outcome_id)
    if problem.widget_id:
        return _widget_condition(problem.widget_id)
    return Condition(chart=None, latest="")


def _outcome_condition(outcome_id):
    outcomes = with_marks(with_status(with_latest(Outcome.objects.filter(pk=outcome_id))))
    outcome = pictures.outcome_pictures(outcomes)[0]
    latest = ""
    if outcome.latest_value is not None:
        latest = (
            f"{numbers.quantity(outcome.latest_value, outcome.unit)} in {outcome.latest_date:%B %Y}"
        )
    return Condition(chart=outcome.picture, latest=latest)


def _widget_condition(widget_id):
    widget = Widget.objects.select_related("agency").get(pk=widget_id)
    latest_month = agency_month(widget.agency)
    windows = dashboard.windows("month", latest_month, latest=latest_month)
    flows = dashboard.widget_flows(Widget.objects.filter(pk=widget_id), windows)
    (widget,) = pictures.widget_pictures(flows, windows["current"])
    current, label = widget.flows["current"], windows["current"].label
    if widget.standard_share is not None:
        value = current.on_time_share
        latest = "" if value is None else f"{numbers.percent(value)} on time in {label}"
    else:
        value = current.backlog
        latest = "" if value is None else f"{numbers.whole(value)} open at the end of {label}"
    return Condition(chart=widget.picture.measure, latest=latest)


@dataclass
class Sheet:
    condition: Condition
    measure: Measure | None
    actions: list
    after: str = ""  # the measure after, in its unit: "93.5%", "41 open", "30 days"
    drawing: str = ""  # the chart as an SVG data: URL (the review pack's)


def sheet(problem, *, drawn=False):
    """Everything the A3 shows; `drawn`: with its chart drawn on the server too."""
    found = Sheet(
        condition=condition(problem),
        measure=measure_of(problem),
        actions=list(problem.actions.select_related("owner")),
    )
    if found.measure is not None and problem.measure_after is not None:
        found.after = found.measure.show(problem.measure_after)
    if drawn and found.condition.chart is not None:
        spec = {**found.condition.chart.spec, "height": CHART_HEIGHT}
        svg = to_svg(spec, width=CHART_WIDTH)
        found.drawing = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    return found
