"""Reads for outcome pages: outcomes with their latest measurement and status,
and the run chart of one outcome. Query counts do not grow with the rows: the
latest measurement is a subquery, the status is arithmetic on it."""

from django.db.models import Exists, OuterRef, Subquery

from . import spc
from .models import Countermeasure, Measurement
from .status import Status, status_of_outcome, trajectory_value, trend

CHART_POINTS = 36


def with_latest(outcomes, *, until=None):
    """Annotate latest_date, latest_value, previous_value and has_open_countermeasure.

    `until` (a date) ignores later measurements: the review looks at its month.
    """
    measurements = Measurement.objects.filter(outcome=OuterRef("pk"))
    if until is not None:
        measurements = measurements.filter(date__lte=until)
    newest = measurements.order_by("-date")
    return outcomes.annotate(
        latest_date=Subquery(newest.values("date")[:1]),
        latest_value=Subquery(newest.values("value")[:1]),
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


def run_chart(outcome, measurements):
    """Everything the run chart and its table need, for measurements oldest first.

    Returns a dict with `data` (for json_script), `rows` (for the table beside the
    chart), `limits` and `signals` (listed in text under the chart).
    """
    measurements = list(measurements)[-CHART_POINTS:]
    values = [m.value for m in measurements]
    limits = spc.process_limits(values)
    signals = spc.signals(values, limits)
    by_index = {s.index: s for s in signals}
    rows = []
    for index, m in enumerate(measurements):
        expected = trajectory_value(
            baseline_value=outcome.baseline_value,
            baseline_date=outcome.baseline_date,
            target_value=outcome.target_value,
            target_date=outcome.target_date,
            on=m.date,
        )
        rows.append(
            {
                "measurement": m,
                "trajectory": expected,
                "status": status_of_outcome(outcome, on=m.date, value=m.value),
                "signal": by_index.get(index),
            }
        )

    def number(value):
        return None if value is None else float(round(value, 4))

    data = {
        "title": f"{outcome.measure} ({outcome.unit})",
        "unit": outcome.unit,
        "labels": [m.date.isoformat() for m in measurements],
        "values": [number(v) for v in values],
        "target": [number(r["trajectory"]) for r in rows],
        "signals": [index in by_index for index in range(len(values))],
        "mean": number(limits.mean) if limits else None,
        "upper": number(limits.upper) if limits else None,
        "lower": number(limits.lower) if limits else None,
    }
    return {"data": data, "rows": rows, "limits": limits, "signals": signals}
