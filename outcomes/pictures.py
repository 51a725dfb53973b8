"""The agency dashboard as a picture first (issue 19, point 1): a card per widget
with its demand, delivered and backlog over its last periods, and the measure
that matters most for it on a process behaviour chart with its limits and marks
(widgets.pictures draws both), sorted so that what needs attention comes first.

The measure that matters most is the on-time share, judged against the widget's
standard share, when it has a standard; without one, the backlog (lower is
better, no target).
"""

from functools import cached_property

from widgets import measures
from widgets.pictures import (
    PERIODS,
    analyse_points,
    flow_chart,
    measure_chart,
    measure_points,
    series,
)

from .charts import outcome_chart
from .selectors import measurement_series, run_chart
from .status import Status

__all__ = [
    "PERIODS",
    "Picture",
    "in_attention_order",
    "make_pictures",
    "marks",
    "outcome_pictures",
    "widget_pictures",
]

ON_TIME = next(m for m in measures.MEASURES if m.name == "on_time_share")
# What `marks` reads of a widget's counts: the measure that matters most (_most),
# the on-time share or the backlog.
MARKED = ("period_start", ON_TIME.numerator, ON_TIME.denominator, "backlog")

# What needs attention first: off track, then a concerning signal, then at risk.
_RANK_OFF_TRACK, _RANK_CONCERNING, _RANK_AT_RISK, _RANK_OTHER, _RANK_NO_DATA = range(5)
_UNREAD = object()  # an outcome read without its marks


class Picture:
    """A widget's two small charts, drawn only when a page shows them: the dashboard
    ranks every widget by its marks but draws the first few (outcomes.dashboard_views
    PICTURES_SHOWN), and drawing (the Vega-Lite spec and its table) costs more than
    judging."""

    def __init__(self, widget, rows):
        self._widget, self.rows = widget, rows

    @cached_property
    def flow(self):
        """agencies.charts.Chart, or None: no counts in these periods."""
        return flow_chart(self._widget, self.rows)

    @cached_property
    def _most(self):
        """measure_chart's arguments for the measure that matters most: read once,
        for the marks (every widget) and for the drawing (the cards shown)."""
        return _most(self._widget, self.rows)

    @cached_property
    def measured(self):
        """The measure that matters most, drawn (widgets.pictures.Measured), or None."""
        return measure_chart(self._widget, **self._most, analysis=self.analysis)

    @property
    def measure(self):
        return self.measured.chart if self.measured else None

    @cached_property
    def analysis(self):
        """The marks of the measure that matters most (spc.Analysis), or None: what
        its chart draws, judged without drawing it (the order needs every widget's)."""
        most = self._most
        return analyse_points(
            most["points"], direction=most["direction"], target=most.get("target")
        )

    @property
    def measure_label(self):
        return self.measured.label if self.measured else ""


def make_pictures(widgets, window, *, fields=None):
    """{widget id: Picture} of each widget's last PERIODS periods before the
    window's end (one query). `fields`: the counts read (all unless told; MARKED
    for pictures that are only judged, not drawn)."""
    found = series(widgets, window.end, fields=fields)
    return {widget.pk: Picture(widget, found.get(widget.pk, [])) for widget in widgets}


def widget_pictures(widgets, window):
    """Give each widget (from dashboard.widget_flows) its `.picture`; return them
    sorted: what needs attention first, then in the order they came."""
    made = make_pictures(widgets, window)
    for widget in widgets:
        widget.picture = made[widget.pk]
    return in_attention_order(widgets, {w.pk: marks(w.picture) for w in widgets})


def marks(picture):
    """What the order of the pictures reads of one: (it has counts, its measure's
    latest point is part of a concerning signal)."""
    analysis = picture.analysis
    return bool(picture.rows), analysis is not None and analysis.concerning


def in_attention_order(widgets, marked):
    """`widgets` (with their .status) sorted by `marked` ({widget id: marks()}):
    off track, then a concerning signal, then at risk, then the rest, then those
    without counts; in the order they came within each."""
    ranked = [
        ((_rank(widget, *marked[widget.pk]), position), widget)
        for position, widget in enumerate(widgets)
    ]
    return [widget for _, widget in sorted(ranked, key=lambda pair: pair[0])]


def _most(widget, rows):
    """measure_chart's arguments for the measure that matters most: the on-time share
    against the standard share, or without a standard the backlog."""
    if widget.standard_share is not None:
        return {
            "key": "measure",
            "label": "On-time share",
            "fmt": measures.PERCENT,
            "points": measure_points(rows, ON_TIME, widget.reporting_frequency),
            "direction": "up",
            "target": widget.standard_share,
        }
    return {
        "key": "measure",
        "label": "Backlog",
        "fmt": None,
        "points": [(r["period_start"], r["backlog"]) for r in rows if r["backlog"] is not None],
        "direction": "down",
    }


def _rank(widget, counted, concerning):
    if not counted:
        return _RANK_NO_DATA
    if widget.status == Status.OFF_TRACK:
        return _RANK_OFF_TRACK
    if concerning:
        return _RANK_CONCERNING
    if widget.status == Status.AT_RISK:
        return _RANK_AT_RISK
    return _RANK_OTHER


def outcome_pictures(outcomes, *, until=None, shown=None):
    """Each outcome (from dashboard.dashboard_outcomes, with .status and .chart),
    sorted as the widgets are: off track, a concerning signal, at risk, the rest, no
    measurement; the first `shown` (all: None) with `.picture`, its process behaviour
    chart with the target trajectory (outcomes.charts), and the others with None.
    Ranking reads only what the marks were made from; drawing (the Vega-Lite spec and
    its table) costs more, so only what is shown is drawn. Two queries for any number
    of outcomes, none when they were read with their marks (selectors.with_marks) up
    to the same day."""
    if all(getattr(o, "marks_until", _UNREAD) == until for o in outcomes):
        # Read with their marks up to the same day (selectors.with_marks, as the
        # dashboard reads them): drawn from what the marks were made from.
        measurements = {o.pk: o.marked_points for o in outcomes}
        steps = {o.pk: o.marked_steps for o in outcomes}
        analyses = {o.pk: o.chart for o in outcomes}
    else:
        measurements, steps = measurement_series([o.pk for o in outcomes], until=until)
        analyses = {}
    ranked = []
    for position, outcome in enumerate(outcomes):
        if not measurements.get(outcome.pk):
            rank = _RANK_NO_DATA
        elif outcome.status == Status.OFF_TRACK:
            rank = _RANK_OFF_TRACK
        elif outcome.chart.concerning:
            rank = _RANK_CONCERNING
        elif outcome.status == Status.AT_RISK:
            rank = _RANK_AT_RISK
        else:
            rank = _RANK_OTHER
        ranked.append(((rank, position), outcome))
    ranked = [outcome for _, outcome in sorted(ranked, key=lambda pair: pair[0])]
    for place, outcome in enumerate(ranked):
        outcome.picture = None
        points = measurements.get(outcome.pk, [])
        if points and (shown is None or place < shown):
            run = run_chart(
                outcome,
                points,
                steps=steps.get(outcome.pk, []),
                analysis=analyses.get(outcome.pk),
            )
            outcome.picture = outcome_chart(outcome, run, id=f"outcome-{outcome.pk}", height=160)
    return ranked
