"""The agency dashboard as a picture first (issue 19, point 1): a small chart per
widget of its demand, delivered and backlog over its last PERIODS periods, and a
process behaviour chart of the measure that matters most for it, with its limits
and its variation and assurance marks, sorted so that what needs attention comes
first.

The measure that matters most is the on-time share (within standard / delivered,
per period), judged against the widget's standard share when it has a standard;
without one, the backlog (lower is better, no target). The marks come from
widgets.spc, the same rules as every outcome's chart (docs/outcomes.md).

One query reads every widget's series, whatever the number of widgets.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import Q

from agencies.charts import LIMIT, SERIES, TARGET, Chart, Table, signal_scales, spec
from widgets import spc
from widgets.models import WidgetCount
from widgets.periods import describe_period, period_start, previous_period_start

from .status import Status

PERIODS = 24
FLOWS = ("Demand", "Delivered", "Backlog")

# What needs attention first: off track, then a concerning signal, then at risk.
_RANK_OFF_TRACK, _RANK_CONCERNING, _RANK_AT_RISK, _RANK_OTHER, _RANK_NO_DATA = range(5)


@dataclass
class Picture:
    flow: Chart | None  # None: no counts in these periods
    measure: Chart | None  # the measure that matters most, with its limits
    analysis: object  # widgets.spc.Analysis of that measure, or None
    measure_label: str
    rank: int


def first_period(end, frequency, periods=PERIODS):
    """The start of the first of the `periods` periods at `frequency` before `end`."""
    start = period_start(end, frequency)
    for _ in range(periods):
        start = previous_period_start(start, frequency)
    return start


def series(widgets, end, periods=PERIODS):
    """{widget_id: [count rows, oldest first]} of each widget's last `periods`
    periods before `end`, at its own frequency (one query)."""
    starts = {}
    for w in widgets:
        starts.setdefault(w.reporting_frequency, first_period(end, w.reporting_frequency, periods))
    if not widgets:
        return {}
    span = Q(
        *[Q(widget__reporting_frequency=f, period_start__gte=start) for f, start in starts.items()],
        _connector=Q.OR,
    )
    rows = (
        WidgetCount.objects.filter(
            span, widget_id__in=[w.pk for w in widgets], period_start__lt=end
        )
        .order_by("widget_id", "period_start")
        .values("widget_id", "period_start", "demand", "delivered", "within_standard", "backlog")
    )
    found = {w.pk: [] for w in widgets}
    for row in rows:
        found[row["widget_id"]].append(row)
    return found


def on_time_percent(row):
    if row["within_standard"] is None or not row["delivered"]:
        return None
    return (Decimal(row["within_standard"]) * 100 / row["delivered"]).quantize(Decimal("0.1"))


def widget_pictures(widgets, window):
    """Give each widget (from dashboard.widget_flows) its `.picture`; return them
    sorted: what needs attention first, then as they came."""
    found = series(widgets, window.end)
    for position, widget in enumerate(widgets):
        widget.picture = _picture(widget, found.get(widget.pk, []))
        widget.picture_order = (widget.picture.rank, position)
    return sorted(widgets, key=lambda w: w.picture_order)


def _picture(widget, rows):
    frequency = widget.reporting_frequency
    labels = [describe_period(r["period_start"], frequency) for r in rows]
    data = [
        {
            "period": r["period_start"].isoformat(),
            "label": label,
            "Demand": r["demand"],
            "Delivered": r["delivered"],
            "Backlog": r["backlog"],
        }
        for r, label in zip(rows, labels, strict=True)
    ]
    flow = (
        None
        if not rows
        else Chart(
            id=f"flow-{widget.pk}",
            context=widget.name,
            title="Demand, delivered and backlog",
            spec=_flow_spec(data),
            summary=_flow_summary(rows, labels),
            table=Table(
                caption=f"{widget.name}: counts by period",
                columns=["Period", *FLOWS],
                rows=[
                    [label, *(_count(r[f.lower()]) for f in FLOWS)]
                    for r, label in zip(rows, labels, strict=True)
                ],
            ),
        )
    )
    if widget.standard_share is not None:
        label = "On-time share"
        points = [(r, lbl, on_time_percent(r)) for r, lbl in zip(rows, labels, strict=True)]
        direction, target, unit = "up", widget.standard_share, "%"
    else:
        label = "Backlog"
        points = [(r, lbl, r["backlog"]) for r, lbl in zip(rows, labels, strict=True)]
        direction, target, unit = "down", None, ""
    points = [p for p in points if p[2] is not None]
    analysis = None
    measure = None
    if points:
        analysis = spc.analyse(
            [r["period_start"] for r, _, _ in points],
            [v for _, _, v in points],
            direction=direction,
            target=target,
        )
        measure = _measure_chart(widget, label, unit, points, analysis, target)
    return Picture(
        flow=flow,
        measure=measure,
        analysis=analysis,
        measure_label=label,
        rank=_rank(widget, analysis, rows),
    )


def _rank(widget, analysis, rows):
    if not rows:
        return _RANK_NO_DATA
    if widget.status == Status.OFF_TRACK:
        return _RANK_OFF_TRACK
    if analysis is not None and analysis.concerning:
        return _RANK_CONCERNING
    if widget.status == Status.AT_RISK:
        return _RANK_AT_RISK
    return _RANK_OTHER


def _number(value):
    """A decimal without trailing zeros: 90.00 -> "90", 87.5 -> "87.5"."""
    return f"{Decimal(value).normalize():f}"


def _count(value):
    return "—" if value is None else intcomma(value)


def _flow_summary(rows, labels):
    last = rows[-1]
    parts = ", ".join(f"{f.lower()} {_count(last[f.lower()])}" for f in FLOWS)
    return f"{labels[-1]}: {parts}; {len(rows)} period{'s' if len(rows) != 1 else ''} shown."


def _x():
    return {
        "field": "period",
        "type": "temporal",
        "title": None,
        "axis": {
            "format": "%b %Y",
            "labelAngle": 0,
            "labelOverlap": "greedy",
            "labelSeparation": 10,
            "tickCount": 4,
        },
    }


def _flow_spec(data):
    names = list(FLOWS)
    return spec(
        data=data,
        transform=[{"fold": names, "as": ["measure", "value"]}],
        layers=[
            {
                "mark": {"type": "line", "point": {"size": 18}, "strokeWidth": 2},
                "encoding": {
                    "x": _x(),
                    "y": {"field": "value", "type": "quantitative", "title": None},
                    "color": {
                        "field": "measure",
                        "type": "nominal",
                        "scale": {"domain": names, "range": [SERIES[n]["color"] for n in names]},
                        "sort": names,
                    },
                    "strokeDash": {
                        "field": "measure",
                        "type": "nominal",
                        "scale": {"domain": names, "range": [SERIES[n]["dash"] for n in names]},
                        "sort": names,
                    },
                },
            }
        ],
    )


def _measure_chart(widget, label, unit, points, analysis, target):
    rows, table_rows = [], []
    for index, (r, period_label, value) in enumerate(points):
        limits = analysis.period_of(index).limits
        signal = analysis.point_signals[index]
        rows.append(
            {
                "period": r["period_start"].isoformat(),
                "value": float(value),
                "segment": analysis.periods.index(analysis.period_of(index)),
                "centre": float(limits.centre) if limits else None,
                "upper": float(limits.upper) if limits else None,
                "lower": float(limits.lower) if limits else None,
                "signal": signal.judgement if signal else "none",
            }
        )
        table_rows.append(
            [
                period_label,
                f"{value}{unit}" if unit else _count(value),
                f"{limits.lower:.1f} to {limits.upper:.1f}" if limits else "—",
                f"{signal.judgement.capitalize()}: {signal.describe}" if signal else "No",
            ]
        )
    layers = [
        *[
            {
                "mark": {"type": "line", "color": LIMIT, "strokeWidth": 1, "strokeDash": dash},
                "encoding": {
                    "x": _x(),
                    "y": {"field": line, "type": "quantitative"},
                    "detail": {"field": "segment", "type": "nominal"},
                },
            }
            for line, dash in (("centre", [1, 0]), ("upper", [4, 3]), ("lower", [4, 3]))
        ],
        {
            "mark": {"type": "line", "color": "#3d4551", "strokeWidth": 2},
            "encoding": {
                "x": _x(),
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": f"{label}{' (%)' if unit else ''}",
                    "scale": {"zero": False},
                },
                "detail": {"field": "segment", "type": "nominal"},
            },
        },
        {
            "mark": {"type": "point", "filled": True, "size": 60, "opacity": 1},
            "encoding": {
                "x": _x(),
                "y": {"field": "value", "type": "quantitative"},
                "shape": {"field": "signal", "type": "nominal", "legend": None, **_scale("shape")},
                "color": {"field": "signal", "type": "nominal", "legend": None, **_scale("color")},
            },
        },
    ]
    if target is not None:
        layers.append(
            {
                "data": {"values": [{"target": float(target)}]},
                "mark": {
                    "type": "rule",
                    "color": TARGET,
                    "strokeDash": [8, 4],
                    "strokeWidth": 2,
                },
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            }
        )
    what = (
        f"{label} per period against the standard of {_number(target)}%"
        if target is not None
        else f"{label} per period (lower is better)"
    )
    summary = f"{what}. {analysis.variation.label}"
    if analysis.assurance:
        summary += f"; {analysis.assurance.label.lower()}"
    summary += "."
    return Chart(
        id=f"measure-{widget.pk}",
        context=widget.name,
        title=label,
        spec=spec(data=rows, layers=layers),
        summary=summary,
        table=Table(
            caption=f"{widget.name}: {label.lower()} by period, with its process limits",
            columns=["Period", label, "Process limits", "Signal"],
            rows=table_rows,
        ),
    )


def _scale(channel):
    return {"scale": signal_scales()[channel]}
