"""Charts of the public page (docs/adr/0005-charts-vega-lite.md): each published
measure as a Vega-Lite spec with its words and its table, drawn from the very rows
the open data publishes (outcomes.open_data), so the chart, the table and the
download cannot disagree.

- A widget: its on-time share per period against its standard share.
- An outcome: its measurements against the target trajectory (the straight line
  from the baseline to the target), which is what on track is judged against.

The two lines of a chart differ by dash as well as colour, and each chart's table
holds every figure it draws.
"""

from agencies.charts import TARGET, Chart, Table, spec
from agencies.templatetags import numbers

from .open_data import DELIVERED, ON_TIME, WITHIN

MEASURED = "#1b1b1b"


def _x():
    return {
        "field": "date",
        "type": "temporal",
        "title": None,
        "axis": {"format": "%b %Y", "labelAngle": 0, "labelOverlap": "greedy", "tickCount": 4},
    }


def _two_lines(data, names, y_title):
    """A line per name, the first solid and dark, the second dashed green, with a legend."""
    return spec(
        data=data,
        height=180,
        transform=[{"fold": names, "as": ["line", "value"]}],
        layers=[
            {
                "mark": {"type": "line", "point": {"size": 30}, "strokeWidth": 2},
                "encoding": {
                    "x": _x(),
                    "y": {
                        "field": "value",
                        "type": "quantitative",
                        "title": y_title,
                        "scale": {"zero": False},
                    },
                    "color": {
                        "field": "line",
                        "type": "nominal",
                        "scale": {"domain": names, "range": [MEASURED, TARGET]},
                        "sort": names,
                    },
                    "strokeDash": {
                        "field": "line",
                        "type": "nominal",
                        "scale": {"domain": names, "range": [[1, 0], [8, 4]]},
                        "sort": names,
                    },
                },
            }
        ],
    )


def _text(value, suffix="", formats=None):
    """A published figure as the table shows it: 1,250 or 95.5%; unknown is a dash.
    `formats`: numbers.active_formats(), taken once by a chart for its rows (asking
    for the active language is most of the work of a cell)."""
    if value is None:
        return "—"
    if suffix == "%":
        return numbers.percent(value, 100, formats=formats)
    return numbers.number(value, formats=formats)


def widget_chart(widget, rows):
    """The on-time share of a widget (from public_widgets) per period, or None when
    it has no on-time share in the months shown."""
    shown = [r for r in rows if r[ON_TIME.name] is not None]
    if not shown:
        return None
    standard = widget.standard_share
    names = ["On time", "Standard"] if standard is not None else ["On time"]
    data = [
        {
            "date": r["period_start"].isoformat(),
            "On time": float(r[ON_TIME.name]),
            **({"Standard": float(standard)} if standard is not None else {}),
        }
        for r in shown
    ]
    formats = numbers.active_formats()
    last = shown[-1]
    summary = f"{last['period']}: {_text(last[ON_TIME.name], '%')} delivered on time"
    if standard is not None:
        summary += f" against a standard of {_text(standard.normalize(), '%')}"
    low = min(r[ON_TIME.name] for r in shown)
    high = max(r[ON_TIME.name] for r in shown)
    summary += (
        f"; from {_text(low, '%')} to {_text(high, '%')} over the "
        f"{len(shown)} period{'s' if len(shown) != 1 else ''} shown."
    )
    return Chart(
        id=f"public-widget-{widget.pk}",
        context=widget.name,
        title="Delivered on time, by period (%)",
        spec=_two_lines(data, names, "On time (%)"),
        summary=summary,
        table=Table(
            caption=f"{widget.name}: delivered and on time by period",
            columns=["Period", DELIVERED.label, WITHIN.label, "On time"],
            rows=[
                [
                    r["period"],
                    _text(r[DELIVERED.name], formats=formats),
                    _text(r[WITHIN.name], formats=formats),
                    _text(r[ON_TIME.name], "%", formats),
                ]
                for r in rows
            ],
        ),
    )


def outcome_chart(outcome, rows):
    """An outcome's measurements against its target trajectory, or None without any."""
    if not rows:
        return None
    data = [
        {
            "date": r["date"].isoformat(),
            "Measured": float(r["value"]),
            "Target trajectory": float(r["target_trajectory"]),
        }
        for r in rows
    ]
    formats = numbers.active_formats()
    last = rows[-1]
    better = "higher" if outcome.direction == "up" else "lower"
    summary = (
        f"{last['date']:%B %Y}: {_text(last['value'])} {outcome.unit}, where the line to the "
        f"target stands at {_text(round(last['target_trajectory'], 2).normalize())} "
        f"({better} is better); the target is {_text(last['target_value'])} by "
        f"{last['target_date']:%B %Y}. {len(rows)} measurement{'s' if len(rows) != 1 else ''}."
    )
    return Chart(
        id=f"public-outcome-{outcome.pk}",
        context=outcome.name,
        title=f"{outcome.measure} ({outcome.unit}) against the target trajectory",
        spec=_two_lines(data, ["Measured", "Target trajectory"], outcome.unit),
        summary=summary,
        table=Table(
            caption=f"{outcome.name}: measurements and the target trajectory",
            columns=["Date", f"Measured ({outcome.unit})", "Target trajectory"],
            rows=[
                [
                    f"{r['date']:%-d %B %Y}",
                    _text(r["value"], formats=formats),
                    _text(r["target_trajectory"], formats=formats),
                ]
                for r in rows
            ],
        ),
    )


def charts(widgets, outcomes, data):
    """Give each widget and outcome of the public page its `.public_chart` (or None)."""
    by_widget, by_outcome = {}, {}
    for row in data.widgets:
        by_widget.setdefault(row["widget_id"], []).append(row)
    for row in data.outcomes:
        by_outcome.setdefault(row["outcome_id"], []).append(row)
    for widget in widgets:
        widget.public_chart = widget_chart(widget, by_widget.get(widget.pk, []))
    for outcome in outcomes:
        outcome.public_chart = outcome_chart(outcome, by_outcome.get(outcome.pk, []))
