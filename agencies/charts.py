"""Charts: a Vega-Lite spec with the words and the table that say the same.

One definition serves every place a chart appears (docs/adr/0005-charts-vega-lite.md):
pages draw `Chart.spec` in the browser with vega-embed
(templates/includes/chart.html); the server can draw the same spec with
vl-convert. A chart never stands alone: it has a title, a summary in words and
its figures as a table, so a screen reader (or a printout without colour) loses
nothing. Status and signals are shown by shape as well as colour.

The apps build their specs (e.g. outcomes.pictures); this module holds what all
charts share: the figure, the look, and the shapes and colours of the marks.
"""

from dataclasses import dataclass, field

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

INK = "#1b1b1b"
GRID = "#dfe1e2"
LIMIT = "#71767a"
TARGET = "#008817"

# Series of a chart: colour and dash, so that no two differ by colour alone.
SERIES = {
    "Demand": {"color": "#005ea2", "dash": [1, 0]},
    "Delivered": {"color": "#1b1b1b", "dash": [6, 3]},
    "Backlog": {"color": "#c05600", "dash": [2, 2]},
}

# A point's signal (widgets.spc judgements): shape and colour, as on the
# outcome's own chart and the marks beside it.
SIGNAL_SHAPES = {
    "improving": ("triangle-up", "#005ea2"),
    "concerning": ("diamond", "#c05600"),
    "neutral": ("square", "#54278f"),
    "none": ("circle", "#3d4551"),
}

CONFIG = {
    "font": "Source Sans Pro Web, Helvetica Neue, Helvetica, Roboto, Arial, sans-serif",
    "view": {"stroke": None},
    "axis": {
        "labelColor": INK,
        "titleColor": INK,
        "labelFontSize": 12,
        "titleFontSize": 12,
        "titleFontWeight": "normal",
        "gridColor": GRID,
        "domainColor": LIMIT,
        "tickColor": LIMIT,
    },
    # Legend symbols are short strokes in the line's own dash, not dots.
    "legend": {
        "labelColor": INK,
        "labelFontSize": 12,
        "orient": "bottom",
        "title": None,
        "symbolType": "stroke",
        "symbolStrokeWidth": 2,
        "symbolSize": 300,
    },
}


@dataclass
class Table:
    caption: str
    columns: list
    rows: list = field(default_factory=list)  # lists of display strings


@dataclass
class Chart:
    id: str  # unique on its page: the ids of the title and the spec derive from it
    title: str
    spec: dict
    summary: str = ""
    # Said before the title to screen readers only, where the page around the chart
    # already shows it (e.g. the widget's name as the card's heading).
    context: str = ""
    table: Table | None = None


# What every chart's spec shares: the schema, fitting the container and the house
# look. Written once on a page (templates/includes/chart_scripts.html, as JSON) and
# given to each chart there by static/js/vega-charts.js, and by `whole` on the
# server; not repeated in each of the dozens of specs a dashboard holds.
SHARED = {
    "$schema": SCHEMA,
    "autosize": {"type": "fit-x", "contains": "padding"},
    "config": CONFIG,
}


def spec(*, layers, data, height=140, y_title=None, **more):
    """A layered Vega-Lite spec as wide as its container (the house look and the rest
    of SHARED are added where it is drawn: `whole`)."""
    return {
        "width": "container",
        "height": height,
        "data": {"values": data},
        "layer": layers,
        **({"usermeta": {"yTitle": y_title}} if y_title else {}),
        **more,
    }


# How the x axis names a date, by the series' frequency (d3-time-format): a series
# of days or weeks spans a month or two, where "Nov 2026" under every label would
# not tell one tick from the next.
AXIS_FORMATS = {"day": "%-d %b", "week": "%-d %b"}


def time_axis(field, frequency=None):
    """The x encoding of a series by date: month and year (day and month for a series
    of days or weeks), a few labels kept apart so that a narrow chart does not run
    them together."""
    return {
        "field": field,
        "type": "temporal",
        "title": None,
        "axis": {
            "format": AXIS_FORMATS.get(frequency, "%b %Y"),
            "labelAngle": 0,
            "labelOverlap": "greedy",
            "labelSeparation": 10,
            "tickCount": 4,
        },
    }


def signal_scales():
    """Shape and colour scales for a field of signal judgements."""
    names = list(SIGNAL_SHAPES)
    return {
        "shape": {"domain": names, "range": [SIGNAL_SHAPES[n][0] for n in names]},
        "color": {"domain": names, "range": [SIGNAL_SHAPES[n][1] for n in names]},
    }


def to_svg(chart_spec, *, width=640):
    """Draw a spec on the server with vl-convert (the same Vega-Lite as vega-embed),
    as SVG `width` pixels wide: a printed page has no container to fit."""
    # vl_convert loads a 30 MB library with its own JavaScript runtime: only what
    # prints charts (the review pack) pays for it, not every process at start-up.
    import vl_convert

    return vl_convert.vegalite_to_svg({**whole(chart_spec), "width": width})


def whole(chart_spec):
    """`chart_spec` (from `spec`) as Vega-Lite reads it: with SHARED, as the page's
    script gives it (its own keys win)."""
    return {**SHARED, **chart_spec}
