"""Charts of a widget's flow, its measures and what its customers said
(agencies.charts): the widget page draws them all, the agency dashboard
(outcomes.pictures) a flow chart and the measure that matters most per widget.

- `series`: each widget's counts over its last PERIODS periods at its own
  frequency, in one query whatever the number of widgets;
- `flow_chart`: demand, delivered and backlog per period;
- `measure_chart`: one measure per period on a process behaviour chart
  (widgets.spc, the same rules as every outcome's chart), with its limits, its
  signals by shape and colour, the target line where there is one, and its marks;
- `satisfaction_chart`: the answers to overall satisfaction and the six drivers,
  each as shares of the 1-5 scale, with the number of answers and the low-sample
  warning.

A measure's value for one period comes from that period's counts by the
registry (widgets.measures), as the count history shows it: Little's law takes
the average of the opening and closing backlog when the period before is known.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from agencies.charts import LIMIT, SERIES, TARGET, Chart, Table, signal_scales, spec, time_axis
from agencies.templatetags import numbers
from customers.satisfaction import is_low_sample, min_responses, share_agreeing

from . import measures, spc
from .models import Question, WidgetCount
from .periods import describe_period, period_end, period_start, previous_period_start

PERIODS = 24
FLOWS = ("Demand", "Delivered", "Backlog")
_READ = ("period_start", *measures.typed_names())


@dataclass
class Measured:
    """A chart of one measure with the analysis behind its marks."""

    chart: Chart
    analysis: spc.Analysis
    label: str


def first_period(end, frequency, periods=PERIODS):
    """The start of the first of the `periods` periods at `frequency` before `end`."""
    start = period_start(end, frequency)
    for _ in range(periods):
        start = previous_period_start(start, frequency)
    return start


def series(widgets, end, periods=PERIODS, fields=None):
    """{widget_id: [count rows (dicts), oldest first]} of each widget's last
    `periods` periods before `end`, at its own frequency (one query). A row holds
    `fields` (its period and every count, unless told fewer)."""
    if not widgets:
        return {}
    starts = {}
    for w in widgets:
        starts.setdefault(w.reporting_frequency, first_period(end, w.reporting_frequency, periods))
    span = Q(
        *[Q(widget__reporting_frequency=f, period_start__gte=s) for f, s in starts.items()],
        _connector=Q.OR,
    )
    rows = (
        WidgetCount.objects.filter(span, period_start__lt=end)
        .filter(widget_id__in=[w.pk for w in widgets])
        .order_by("widget_id", "period_start")
        .values("widget_id", *(fields or _READ))
    )
    found = {w.pk: [] for w in widgets}
    for row in rows:
        found[row["widget_id"]].append(row)
    return found


def measure_points(rows, measure, frequency):
    """[(period_start, value)] of one measure (widgets.measures.Measure) per period,
    periods where it is unknown left out. Percentages as 0-100."""
    points, previous = [], None
    for row in rows:
        numerator = row[measure.numerator]
        opening = previous["backlog"] if previous else None
        if (
            previous
            and previous_period_start(row["period_start"], frequency) != (previous["period_start"])
        ):
            opening = None
        if measure.per_day and numerator is not None and opening is not None:
            numerator = Decimal(opening + numerator) / 2
        days = (period_end(row["period_start"], frequency) - row["period_start"]).days + 1
        value = measures.value_of(measure, numerator, row[measure.denominator], days=days)
        if value is not None:
            if measure.format == measures.PERCENT:
                value *= 100
            points.append((row["period_start"], value.quantize(Decimal("0.01"))))
        previous = row
    return points


# Said in the axis title, as the values on the axis have no unit.
_UNITS = {measures.PERCENT: " (%)", measures.DOLLARS: " ($)"}


def count_text(value, formats=None):
    return numbers.whole(value, formats=formats)


def value_text(value, fmt, formats=None):
    """A measure's value as every page shows it (agencies/templatetags/numbers.py);
    percentages here are out of 100. `formats`: numbers.active_formats(), when a
    loop takes it once for its rows."""
    if fmt == measures.PERCENT:
        return numbers.percent(value, 100, formats=formats)
    if fmt == measures.DOLLARS:
        return numbers.money(value, "cents", formats=formats)
    if fmt == measures.DAYS:
        return numbers.days(value, formats=formats)
    return numbers.whole(value, formats=formats)


def _x(frequency):
    return time_axis("period", frequency)


def _flow_layer(frequency, names, shown, title, orient):
    """The lines of `shown` (of the folded `names`) on a y axis of their own."""
    return {
        "transform": [{"filter": {"field": "measure", "oneOf": shown}}],
        "mark": {"type": "line", "point": {"size": 18}, "strokeWidth": 2},
        "encoding": {
            "x": _x(frequency),
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": title,
                "axis": {"orient": orient, "titleFontWeight": "normal"},
            },
            **{
                channel: {
                    "field": "measure",
                    "type": "nominal",
                    "sort": names,
                    "scale": {"domain": names, "range": [SERIES[n][key] for n in names]},
                }
                for channel, key in (("color", "color"), ("strokeDash", "dash"))
            },
        },
    }


def flow_chart(widget, rows):
    """Demand, delivered and backlog per period (None without counts)."""
    if not rows:
        return None
    frequency = widget.reporting_frequency
    labels = [describe_period(r["period_start"], frequency) for r in rows]
    names = list(FLOWS)
    last = rows[-1]
    formats = numbers.active_formats()
    parts = ", ".join(f"{f.lower()} {count_text(last[f.lower()], formats)}" for f in FLOWS)
    return Chart(
        id=f"flow-{widget.pk}",
        context=widget.name,
        title="Demand, delivered and backlog",
        summary=(
            f"{labels[-1]}: {parts}; {len(rows)} period{'s' if len(rows) != 1 else ''} "
            "shown. Demand and delivered on the left axis, the backlog on the right."
        ),
        spec=spec(
            data=[
                {"period": r["period_start"].isoformat(), **{f: r[f.lower()] for f in FLOWS}}
                for r in rows
            ],
            transform=[{"fold": names, "as": ["measure", "value"]}],
            layers=[
                _flow_layer(frequency, names, flows, title, orient)
                for flows, title, orient in (
                    (names[:2], "Demand and delivered per period", "left"),
                    (names[2:], "Backlog at the end", "right"),
                )
            ],
            # Flows and the stock each on their own axis: a backlog of 1,000 against
            # 5 a day drew demand and delivered as one flat line along the bottom.
            resolve={"scale": {"y": "independent"}},
        ),
        table=Table(
            caption=f"{widget.name}: counts by period",
            columns=["Period", *FLOWS],
            rows=[
                [label, *(count_text(r[f.lower()], formats) for f in FLOWS)]
                for r, label in zip(rows, labels, strict=True)
            ],
        ),
    )


def analyse_points(points, *, direction, target=None):
    """The process behaviour analysis of [(period_start, value)], oldest first (None
    without points): what measure_chart draws its marks from."""
    if not points:
        return None
    return spc.analyse(
        [d for d, _ in points], [v for _, v in points], direction=direction, target=target
    )


def measure_chart(
    widget, *, key, label, fmt, points, direction, target=None, how="", analysis=None
):
    """One measure per period on a process behaviour chart (None without points).

    points: [(period_start, value)], oldest first; fmt: widgets.measures PERCENT,
    DOLLARS, DAYS or None (a count); direction: "up", "down" or None; target: the
    value to meet (the standard share, for the on-time share), or None; analysis:
    analyse_points of the same points when the caller has it already.
    """
    if not points:
        return None
    if analysis is None:
        analysis = analyse_points(points, direction=direction, target=target)
    data, table = [], []
    formats = numbers.active_formats()
    for index, (day, value) in enumerate(points):
        period = analysis.period_of(index)
        limits, signal = period.limits, analysis.point_signals[index]
        data.append(
            {
                "period": day.isoformat(),
                "value": float(value),
                "segment": analysis.periods.index(period),
                **{
                    line: float(getattr(limits, line)) if limits else None
                    for line in ("centre", "upper", "lower")
                },
                "signal": signal.judgement if signal else "none",
            }
        )
        table.append(
            [
                describe_period(day, widget.reporting_frequency),
                value_text(value, fmt, formats),
                f"{value_text(limits.lower, fmt, formats)} to "
                f"{value_text(limits.upper, fmt, formats)}"
                if limits
                else "—",
                f"{signal.judgement.capitalize()}: {signal.describe}" if signal else "No",
            ]
        )
    scale, cut = _bounded_scale(fmt, data, target)
    layers = [
        *[
            {
                "mark": {"type": "line", "color": LIMIT, "strokeWidth": 1, "strokeDash": dash},
                "encoding": {
                    "x": _x(widget.reporting_frequency),
                    "y": {"field": line, "type": "quantitative"},
                    "detail": {"field": "segment", "type": "nominal"},
                },
            }
            for line, dash in (("centre", [1, 0]), ("upper", [4, 3]), ("lower", [4, 3]))
        ],
        {
            "mark": {"type": "line", "color": "#3d4551", "strokeWidth": 2},
            "encoding": {
                "x": _x(widget.reporting_frequency),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": f"{label}{_UNITS.get(fmt, '')}",
                    "scale": scale,
                },
                "detail": {"field": "segment", "type": "nominal"},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 60, "opacity": 1},
            "encoding": {
                "x": _x(widget.reporting_frequency),
                "y": {"field": "value", "type": "quantitative"},
                **{
                    channel: {
                        "field": "signal",
                        "type": "nominal",
                        "legend": None,
                        "scale": signal_scales()[channel],
                    }
                    for channel in ("shape", "color")
                },
            },
        },
    ]
    if target is not None:
        layers.append(
            {
                "data": {"values": [{"target": float(target)}]},
                "mark": {"type": "rule", "color": TARGET, "strokeDash": [8, 4], "strokeWidth": 2},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            }
        )
    if target is not None:
        what = f"{label} per period against the target of {value_text(target, fmt)}"
    elif direction:
        what = f"{label} per period ({'higher' if direction == 'up' else 'lower'} is better)"
    else:
        what = f"{label} per period"
    summary = f"{what}. {analysis.variation.label}"
    if analysis.assurance:
        summary += f"; {analysis.assurance.label.lower()}"
    if cut:
        summary += f". {cut}"
    return Measured(
        chart=Chart(
            id=f"{key}-{widget.pk}",
            context=widget.name,
            title=label,
            summary=f"{summary}. {how}".strip(),
            spec=spec(data=data, layers=layers),
            table=Table(
                caption=f"{widget.name}: {label.lower()} by period, with its process limits",
                columns=["Period", label, "Process limits", "Signal"],
                rows=table,
            ),
        ),
        analysis=analysis,
        label=label,
    )


# What a measure can be, by its format: a share is 0-100%, the others at least 0.
_BOUNDS = {measures.PERCENT: (0.0, 100.0)}


def _bounded_scale(fmt, data, target):
    """The y scale of a measure's chart, and what to say when it cuts a line.

    The limits are the centre ± 2.66 times the average moving range, which for a share
    of few deliveries (0% one period, 100% the next) runs far past what a share can
    be: limits at -130% and 260% would squeeze every point into the middle third.
    The scale then stops at the bound (the lines beyond are drawn at its edge, and
    the summary says so); the table gives the limits as computed. Values are never
    cut: a share above its whole (a data-quality error) is drawn where it is."""
    floor, ceiling = _BOUNDS.get(fmt, (0.0, None))
    values = [row["value"] for row in data]
    lines = [row[line] for row in data for line in ("upper", "lower") if row[line] is not None]
    if target is not None:
        values.append(float(target))
    past = [v for v in lines if v < floor or (ceiling is not None and v > ceiling)]
    if not past:
        return {"zero": False}, ""
    inside = [min(max(v, floor), ceiling if ceiling is not None else v) for v in lines]
    domain = [min(values + inside), max(values + inside)]
    where = "past 0% or 100% (which a share cannot pass)" if ceiling else "below 0"
    return (
        {"domain": domain, "clamp": True, "zero": False},
        f"Process limits {where} are drawn at the chart's edge; the table gives them as computed",
    )


def measure_charts(widget, rows):
    """Every measure of the registry (widgets.measures.MEASURES) for one widget;
    the on-time share judged against the widget's standard share."""
    charts = []
    for m in measures.MEASURES:
        on_time = m.name == "on_time_share"
        found = measure_chart(
            widget,
            key=m.name.replace("_", "-"),
            label=m.label,
            fmt=m.format,
            points=measure_points(rows, m, widget.reporting_frequency),
            direction=m.better,
            target=widget.standard_share if on_time else None,
            how=m.how,
        )
        if found:
            charts.append(found)
    return charts


# The 1-5 agreement scale, disagree to agree: a diverging palette, and the
# points named in the legend and the table (never colour alone).
_POINTS = {
    1: ("Strongly disagree", "#b50909"),
    2: ("Disagree", "#e59393"),
    3: ("Neither", "#c6cace"),
    4: ("Agree", "#73b3e7"),
    5: ("Strongly agree", "#005ea2"),
}


def satisfaction_chart(widget, summary):
    """Overall satisfaction and the six drivers of one survey result
    (widgets.surveys.results.SurveySummary): shares of each answer, with the number
    of answers and the low-sample warning in each question's label."""
    result = summary.result
    questions, data, table = [], [], []
    for question in Question:
        answers = result.answers(question.value)
        known = sum(a for a in answers if a is not None)
        if not known:
            continue
        low = is_low_sample(known)
        name = f"{question.label} (n={numbers.whole(known)}{', low sample' if low else ''})"
        questions.append(name)
        agree = share_agreeing(answers)
        for point, count in zip(range(1, 6), answers, strict=True):
            data.append(
                {
                    "question": name,
                    "point": point,
                    "answer": _POINTS[point][0],
                    "share": (count or 0) / known,
                }
            )
        table.append(
            [
                question.label,
                *[count_text(a) for a in answers],
                count_text(known),
                numbers.percent(agree),
                "Yes" if low else "No",
            ]
        )
    if not questions:
        return None
    period = describe_period(result.period_start, "quarter")
    answers = [_POINTS[p][0] for p in _POINTS]
    return Chart(
        id=f"satisfaction-{widget.pk}-{result.pk}",
        context=widget.name,
        title=f"What customers said, {period}",
        summary=(
            "Each bar is one question: the share of answers at each point of the scale, "
            "strongly disagree on the left to strongly agree on the right, with the "
            f"number of answers; fewer than {min_responses()} is a low sample."
        ),
        spec=spec(
            data=data,
            height=max(len(questions) * 34, 120),
            layers=[
                {
                    "mark": {"type": "bar", "stroke": "#ffffff", "strokeWidth": 1},
                    "encoding": {
                        "y": {
                            "field": "question",
                            "type": "nominal",
                            "sort": questions,
                            "title": None,
                            "axis": {"labelLimit": 320},
                        },
                        "x": {
                            "field": "share",
                            "type": "quantitative",
                            "stack": "normalize",
                            "title": "Share of answers",
                            "axis": {"format": "%"},
                        },
                        "color": {
                            "field": "answer",
                            "type": "nominal",
                            "sort": answers,
                            "scale": {"domain": answers, "range": [c for _, c in _POINTS.values()]},
                            "legend": {"symbolType": "square"},
                        },
                        "order": {"field": "point", "type": "quantitative"},
                    },
                }
            ],
        ),
        table=Table(
            caption=f"{widget.name}: answers by question, {period}",
            columns=[
                "Question",
                *[f"{p} ({n})" for p, (n, _) in _POINTS.items()],
                "Answers",
                "Agree",
                "Low sample",
            ],
            rows=table,
        ),
    )
