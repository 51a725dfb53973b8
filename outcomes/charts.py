"""An outcome's process behaviour chart as a Vega-Lite spec (docs/adr/0005): the
same picture on the outcome page (vega-embed), in the review pack's PDF
(vl-convert) and wherever else an outcome is drawn.

`outcome_chart(outcome, run)` takes what `selectors.run_chart` worked out (the
measurements shown, their target trajectory, the limits of each period and the
points' signals) and returns an `agencies.charts.Chart`: the spec, a title, the
chart in words and its figures as a table. `run_chart_spec(outcome, run)` is
the spec alone.

The lines: the measurements (dark), the target trajectory (green, dashed), the
centre line (grey) and the process limits (grey, dashed) of each period; every
line breaks where a step change starts a new period. Signals are drawn by shape
and colour: a triangle improving, a diamond concerning, a square a change in a
measure with no better direction (widgets.spc judgements).
"""

from agencies.charts import LIMIT, TARGET, Chart, Table, signal_scales, spec, time_axis
from agencies.templatetags.numbers import active_formats, number

MEASUREMENT = "#3d4551"

# Each line of the chart: the data field, its name in the legend, colour and dash.
LINES = (
    ("value", "Measurements", MEASUREMENT, [1, 0]),
    ("target", "Target trajectory", TARGET, [8, 4]),
    ("centre", "Centre line", LIMIT, [1, 0]),
    ("upper", "Process limits", LIMIT, [4, 3]),
    ("lower", "Process limits", LIMIT, [4, 3]),
)

# The signals' marks in words, as agencies.charts.SIGNAL_SHAPES draws them.
SIGNAL_WORDS = {
    "improving": "blue triangles improving",
    "concerning": "orange diamonds concerning",
    "neutral": "purple squares a change",
}


def _number(value):
    return None if value is None else float(round(value, 4))


def _shown(value, formats=None):
    return "—" if value is None else number(value, formats=formats)


def chart_values(run):
    """One row per point shown: its date, value, target trajectory, the limits of
    its period (None before a period has enough points), the period's index (the
    lines break between periods) and its signal ("none" when it has none)."""
    analysis = run["analysis"]
    values = []
    for row in run["rows"]:
        limits = row["limits"]
        signal = row["signal"]
        values.append(
            {
                "date": row["measurement"].date.isoformat(),
                "value": _number(row["measurement"].value),
                "target": _number(row["trajectory"]),
                "segment": analysis.periods.index(analysis.period_of(row["index"])),
                "centre": _number(limits.centre) if limits else None,
                "upper": _number(limits.upper) if limits else None,
                "lower": _number(limits.lower) if limits else None,
                "signal": signal.judgement if signal else "none",
            }
        )
    return values


def _x():
    return time_axis("date")


def run_chart_spec(outcome, run, *, height=260):
    """The Vega-Lite spec of the process behaviour chart of `run`
    (selectors.run_chart) for `outcome`."""
    names = list(dict.fromkeys(name for _, name, _, _ in LINES))
    colours = {name: colour for _, name, colour, _ in LINES}
    dashes = {name: dash for _, name, _, dash in LINES}
    naming = " : ".join(f"datum.line === '{field}' ? '{name}'" for field, name, _, _ in LINES[:-1])
    lines = {
        "transform": [
            {"fold": [field for field, *_ in LINES], "as": ["line", "y"]},
            {"calculate": f"{naming} : '{LINES[-1][1]}'", "as": "series"},
            # The target trajectory runs on across a step change; the rest restart.
            {"calculate": "datum.line === 'target' ? -1 : datum.segment", "as": "piece"},
        ],
        "mark": {"type": "line", "strokeWidth": 1.5},
        "encoding": {
            "x": _x(),
            "y": {
                "field": "y",
                "type": "quantitative",
                "title": outcome.unit,
                "scale": {"zero": False},
            },
            # One legend in two columns, so that it fits a phone's width.
            "color": {
                "field": "series",
                "type": "nominal",
                "sort": names,
                "scale": {"domain": names, "range": [colours[n] for n in names]},
                "legend": {"columns": 2},
            },
            "strokeDash": {
                "field": "series",
                "type": "nominal",
                "sort": names,
                "scale": {"domain": names, "range": [dashes[n] for n in names]},
                "legend": {"columns": 2},
            },
            # A line per period and per line: no stroke across a step change.
            "detail": [{"field": "piece", "type": "nominal"}, {"field": "line"}],
        },
    }
    scales = signal_scales()
    signal = {"field": "signal", "type": "nominal", "legend": None}
    points = {
        "mark": {"type": "point", "filled": True, "opacity": 1},
        "encoding": {
            "x": _x(),
            "y": {"field": "value", "type": "quantitative"},
            "shape": {**signal, "scale": scales["shape"]},
            "fill": {**signal, "scale": scales["color"]},
            "size": {"condition": {"test": "datum.signal !== 'none'", "value": 110}, "value": 30},
        },
    }
    return spec(
        data=chart_values(run),
        layers=[lines, points],
        height=height,
    )


def describe(outcome, run):
    """The chart in words: what each line and mark is."""
    analysis = run["analysis"]
    words = "Dark line: measurements. Green dashed line: the target trajectory."
    if analysis.limits:
        shapes = [
            words
            for judgement, words in SIGNAL_WORDS.items()
            if judgement != "neutral" or not outcome.direction
        ]
        words += (
            " Grey lines: the centre line and the process limits (centre ± 2.66"
            " \N{MULTIPLICATION SIGN} average moving range); they restart at a step change."
            " Signals: " + ", ".join(shapes) + "."
        )
    else:
        words += " Process limits appear once there are 6 measurements."
    return words


def outcome_chart(outcome, run, *, id="outcome-chart", height=260):
    """The outcome's process behaviour chart with its words and table
    (agencies.charts.Chart), from selectors.run_chart."""
    rows = []
    formats = active_formats()  # once for the table's numbers
    for r in run["rows"]:
        limits, signal = r["limits"], r["signal"]
        when = f"{r['measurement'].date:%-d %b %Y}"
        rows.append(
            [
                f"{when} (step change)" if r["step"] else when,
                _shown(r["measurement"].value, formats),
                _shown(r["trajectory"], formats),
                str(r["status"].label),
                (
                    f"{_shown(limits.lower, formats)} to {_shown(limits.upper, formats)}"
                    + (" (trial)" if limits.trial else "")
                )
                if limits
                else "—",
                f"{signal.judgement.capitalize()}: {signal.describe}" if signal else "No",
            ]
        )
    caption = f"Measurements of {outcome.measure} ({outcome.unit})"
    return Chart(
        id=id,
        title=f"Process behaviour chart of {outcome.measure} ({outcome.unit})",
        spec=run_chart_spec(outcome, run, height=height),
        summary=describe(outcome, run),
        table=Table(
            caption=caption,
            columns=["Date", "Value", "Trajectory", "Status", "Limits", "Signal"],
            rows=rows,
        ),
    )
