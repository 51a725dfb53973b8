"""Reads for outcome pages: outcomes with their latest measurement and status,
and the run chart of one outcome. Query counts do not grow with the rows: the
latest measurement is a subquery, the status is arithmetic on it."""

from typing import NamedTuple

from django.db.models import Exists, OuterRef, Subquery

from widgets import spc

from .models import Countermeasure, Measurement, StepChange
from .status import Status, status_of_outcome, trajectory_value, trend

CHART_POINTS = 36


def _newest_first(until):
    measurements = Measurement.objects.filter(outcome=OuterRef("pk"))
    if until is not None:
        measurements = measurements.filter(date__lte=until)
    return measurements.order_by("-date")


def with_newest(outcomes, *, until=None):
    """Annotate latest_date and latest_value: what an outcome's status is judged on
    (status.status_of_outcome), and nothing more (the scorecard's tally)."""
    newest = _newest_first(until)
    return outcomes.annotate(
        latest_date=Subquery(newest.values("date")[:1]),
        latest_value=Subquery(newest.values("value")[:1]),
    )


def with_latest(outcomes, *, until=None):
    """Annotate latest_date, latest_value, previous_value and has_open_countermeasure.

    `until` (a date) ignores later measurements: the review looks at its month.
    """
    newest = _newest_first(until)
    return with_newest(outcomes, until=until).annotate(
        previous_value=Subquery(newest.values("value")[1:2]),
        has_open_countermeasure=Exists(
            Countermeasure.objects.open().filter(outcome=OuterRef("pk"))
        ),
    )


def with_status(outcomes):
    """The outcomes (annotated by `with_latest`) as a list, each with .status and .trend."""
    items = list(outcomes)
    for outcome in items:
        outcome.status = status_of_outcome(outcome)
        outcome.trend = trend(
            direction=outcome.direction,
            latest=outcome.latest_value,
            previous=outcome.previous_value,
        )
        outcome.needs_countermeasure = (
            outcome.status == Status.OFF_TRACK and not outcome.has_open_countermeasure
        )
    return items


def analyse_outcome(outcome, dates, values, steps=()):
    """The process behaviour chart of an outcome's series (widgets.spc): limits
    restarting at each step change, signals judged by the outcome's direction, and
    the assurance mark against the target trajectory on the latest date."""
    target = None
    if dates:
        target = trajectory_value(
            baseline_value=outcome.baseline_value,
            baseline_date=outcome.baseline_date,
            target_value=outcome.target_value,
            target_date=outcome.target_date,
            on=dates[-1],
        )
    return spc.analyse(
        dates,
        values,
        direction=outcome.direction,
        steps=[(s.starts_on, s.reason) for s in steps],
        target=target,
    )


class Point(NamedTuple):
    """A measurement as the charts read it."""

    date: object
    value: object


def measurement_series(ids, *, until=None):
    """({outcome id: [Point], oldest first}, {outcome id: [StepChange]}) of the
    outcomes `ids`, up to `until` (a date) when given: two queries for any number."""
    measurements = Measurement.objects.filter(outcome__in=ids).order_by("date")
    steps = StepChange.objects.filter(outcome__in=ids)
    if until is not None:
        measurements = measurements.filter(date__lte=until)
        steps = steps.filter(starts_on__lte=until)
    series, step_changes = {}, {}
    for outcome_id, date, value in measurements.values_list("outcome_id", "date", "value"):
        series.setdefault(outcome_id, []).append(Point(date, value))
    for step in steps.only("outcome_id", "starts_on", "reason"):
        step_changes.setdefault(step.outcome_id, []).append(step)
    return series, step_changes


def with_marks(outcomes, *, until=None):
    """Give each outcome (a list) .chart, its spc.Analysis: two queries for any number.

    Each also keeps what the analysis was made from (.marked_points, .marked_steps and
    .marks_until), so that its picture (outcomes.pictures.outcome_pictures) is drawn
    from them without reading or analysing the measurements again."""
    series, step_changes = measurement_series([o.pk for o in outcomes], until=until)
    for outcome in outcomes:
        outcome.marked_points = series.get(outcome.pk, [])
        outcome.marked_steps = step_changes.get(outcome.pk, [])
        outcome.marks_until = until
        outcome.chart = analyse_outcome(
            outcome,
            [p.date for p in outcome.marked_points],
            [p.value for p in outcome.marked_points],
            outcome.marked_steps,
        )
    return outcomes


def run_chart(outcome, measurements, *, steps=(), analysis=None):
    """Everything the run chart and its table need, for measurements oldest first.

    Limits and signals are judged on the whole series (the baseline is its first
    points; `analysis`: analyse_outcome of the same measurements and steps, when the
    caller has it); the chart and the table show the last CHART_POINTS. Returns a dict
    with `rows` (one per point shown: the chart's data and its table), `analysis`
    (spc.Analysis: periods, signals, marks), `signals` (those with a point on the
    chart, listed in words beside it) and `periods`; `outcomes.charts.outcome_chart`
    draws it.
    """
    measurements = list(measurements)
    if analysis is None:
        analysis = analyse_outcome(
            outcome, [m.date for m in measurements], [m.value for m in measurements], steps
        )
    first = max(0, len(measurements) - CHART_POINTS)
    shown = range(first, len(measurements))
    period_starts = {p.start: p for p in analysis.periods}
    rows = []
    for index in shown:
        m = measurements[index]
        period = analysis.period_of(index)
        rows.append(
            {
                "index": index,
                "measurement": m,
                "trajectory": trajectory_value(
                    baseline_value=outcome.baseline_value,
                    baseline_date=outcome.baseline_date,
                    target_value=outcome.target_value,
                    target_date=outcome.target_date,
                    on=m.date,
                ),
                "status": status_of_outcome(outcome, on=m.date, value=m.value),
                "signal": analysis.point_signals[index],
                "limits": period.limits,
                "step": period if index in period_starts and index > 0 else None,
            }
        )
    signals = [s for s in analysis.signals if s.indices[-1] >= first]
    return {
        "rows": rows,
        "analysis": analysis,
        "signals": signals,
        "periods": [
            {"first": measurements[p.start].date, "period": p, "reason": p.reason.rstrip(". ")}
            for p in analysis.periods
        ],
    }
