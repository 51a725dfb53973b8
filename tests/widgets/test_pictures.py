"""A widget's charts (widgets.pictures): each measure per period from that period's
counts by the registry's rules, on a process behaviour chart; what customers said
as shares of the scale with the number of answers and the low-sample warning."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from agencies.charts import to_svg
from tests import factories as f
from widgets import measures, pictures
from widgets.models import WidgetStatus
from widgets.surveys.results import SurveySummary

pytestmark = pytest.mark.django_db

MEASURE = {m.name: m for m in measures.MEASURES}


def rows(*counts):
    """Monthly count rows from 2026-01, as pictures.series reads them."""
    base = {"within_standard": None, "withdrawn": 0, "rework": None, "cost": None}
    return [{**base, "period_start": dt.date(2026, 1 + n, 1), **c} for n, c in enumerate(counts)]


def test_on_time_share_is_within_standard_over_delivered_per_period_unknown_left_out():
    series = rows(
        {"demand": 10, "delivered": 8, "within_standard": 6, "backlog": 5},
        {"demand": 10, "delivered": 0, "within_standard": 0, "backlog": 15},
        {"demand": 10, "delivered": 4, "within_standard": None, "backlog": 21},
        {"demand": 10, "delivered": 3, "within_standard": 3, "backlog": 28},
    )
    points = pictures.measure_points(series, MEASURE["on_time_share"], "month")
    assert points == [(dt.date(2026, 1, 1), Decimal("75.00")), (dt.date(2026, 4, 1), 100)]


def test_lead_time_averages_opening_and_closing_backlog_only_after_the_period_just_before():
    series = rows(
        {"demand": 31, "delivered": 31, "backlog": 62},  # January: 31 days
        {"demand": 28, "delivered": 28, "backlog": 28},  # February: opening 62
    )
    series.append({**series[1], "period_start": dt.date(2026, 4, 1), "backlog": 60})
    points = dict(pictures.measure_points(series, MEASURE["lead_time_days"], "month"))
    assert points[dt.date(2026, 1, 1)] == Decimal("62.00")  # no opening: closing only
    assert points[dt.date(2026, 2, 1)] == Decimal("45.00")  # (62 + 28) / 2 / (28 / 28)
    # March is missing: April's opening backlog is unknown, so its closing one is used.
    assert points[dt.date(2026, 4, 1)] == Decimal("64.29")  # 60 / (28 / 30)


def test_every_measure_of_the_registry_is_charted_and_on_time_meets_the_standard(agency_a):
    widget = f.WidgetFactory(agency=agency_a, standard_share=Decimal("85.00"))
    series = rows(
        *[
            {"demand": 10, "delivered": 10, "within_standard": 9, "backlog": 4, "rework": 1}
            | {"cost": Decimal("250.00")}
            for _ in range(8)
        ]
    )
    charts = pictures.measure_charts(widget, series)
    assert [c.label for c in charts] == [m.label for m in measures.MEASURES]
    on_time = charts[0]
    targets = [layer["data"]["values"] for layer in on_time.chart.spec["layer"] if "data" in layer]
    assert targets == [[{"target": 85.0}]]
    assert on_time.analysis.assurance is not None
    cost = next(c for c in charts if c.label == "Cost per widget")
    assert cost.chart.table.rows[0][1] == "$25.00"
    assert cost.chart.spec["layer"][3]["encoding"]["y"]["title"] == "Cost per widget ($)"
    assert all(c.analysis.assurance is None for c in charts[1:])  # no target but the standard


def test_what_customers_said_is_each_questions_shares_with_its_answers_and_low_samples(
    agency_a, settings
):
    settings.SURVEY_MIN_RESPONSES = 30
    widget = f.WidgetFactory(agency=agency_a)
    answers = {f"satisfaction_{p}": n for p, n in zip(range(1, 6), (1, 2, 3, 10, 24), strict=True)}
    answers |= {f"trust_{p}": n for p, n in zip(range(1, 6), (0, 1, 2, 3, 4), strict=True)}
    result = f.SurveyResultFactory(widget=widget, **answers)
    chart = pictures.satisfaction_chart(widget, SurveySummary(result))
    values = chart.spec["data"]["values"]
    questions = sorted({v["question"] for v in values})
    assert questions == ["Overall satisfaction (n=40)", "Trust (n=10, low sample)"]
    overall = [v for v in values if v["question"].startswith("Overall")]
    assert sum(v["share"] for v in overall) == pytest.approx(1)
    assert [v["share"] for v in overall][-1] == pytest.approx(24 / 40)
    assert chart.table.rows[0] == [
        "Overall satisfaction",
        "1",
        "2",
        "3",
        "10",
        "24",
        "40",
        "85.0%",
        "No",
    ]
    assert chart.table.rows[1][-1] == "Yes"


def test_the_widget_page_shows_its_charts_with_words_and_tables(client, staff_a, agency_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED, name="Air permit")
    today = dt.date.today().replace(day=1)
    for back in range(1, 4):
        month = (today - dt.timedelta(days=28 * back)).replace(day=1)
        f.WidgetCountFactory(widget=widget, period_start=month)
    client.force_login(staff_a)
    html = client.get(reverse("widgets:detail", args=[widget.pk])).content.decode()
    assert "How it is doing" in html
    for key in ("flow", "on-time-share", "lead-time-days", "cost-per-widget", "rework-rate"):
        assert f'data-vega-spec="{key}-{widget.pk}-spec"' in html, key
    assert "Air permit: counts by period" in html
    assert "vega-embed.min.js" in html


@pytest.mark.parametrize(
    ("frequency", "shown"), [("day", "%-d %b"), ("week", "%-d %b"), ("month", "%b %Y")]
)
def test_the_time_axis_names_days_and_weeks_by_day(agency_a, frequency, shown):
    """24 days span a month: labelled by month and year, every tick read "Nov 2026"."""
    widget = f.WidgetFactory(agency=agency_a, reporting_frequency=frequency)
    series = rows(*[{"demand": 10, "delivered": 8, "backlog": 5} for _ in range(8)])
    flow = pictures.flow_chart(widget, series)
    measured = pictures.measure_charts(widget, series)[0].chart
    for chart in (flow, measured):
        axes = {
            layer["encoding"]["x"]["axis"]["format"]
            for layer in chart.spec["layer"]
            if "x" in layer.get("encoding", {})
        }
        assert axes == {shown}


def _axis_labels(chart):
    """The y axis's tick labels of a chart as drawn (vl-convert, as the review pack)."""
    svg = to_svg(chart.spec)
    axis = svg[svg.index('aria-label="Y-axis') :]
    axis = axis[: axis.index('aria-label="X-axis') if 'aria-label="X-axis' in axis else None]
    return [float(t.replace(",", "")) for t in re.findall(r">(-?[\d,.]+)</text>", axis)]


def test_a_shares_limits_past_0_and_100_are_drawn_at_the_edge_and_given_as_computed(agency_a):
    """A share of one delivery a period is 0% or 100%: its limits (centre ± 2.66 times the
    average moving range) run to about -130% and 230%, which squeezed every point into
    the middle of a -150..250 axis. The axis stops at what a share can be."""
    widget = f.WidgetFactory(agency=agency_a, standard_share=Decimal("80.00"))
    shares = [1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1]
    series = rows(
        *[{"demand": 1, "delivered": 1, "within_standard": s, "backlog": 0} for s in shares]
    )
    on_time = pictures.measure_charts(widget, series)[0]
    lower, upper = on_time.analysis.limits.lower, on_time.analysis.limits.upper
    assert lower < -100 and upper > 200  # as computed
    assert "Process limits past 0% or 100%" in on_time.chart.summary
    assert on_time.chart.table.rows[0][2].startswith("-")  # the table gives them as computed
    labels = _axis_labels(on_time.chart)
    assert min(labels) >= 0 and max(labels) <= 100


def test_limits_inside_what_a_measure_can_be_leave_its_scale_alone(agency_a):
    widget = f.WidgetFactory(agency=agency_a, standard_share=Decimal("80.00"))
    shares = [90, 92, 88, 91, 89, 90, 93, 87, 90, 91]
    series = rows(
        *[{"demand": 100, "delivered": 100, "within_standard": s, "backlog": 0} for s in shares]
    )
    on_time = pictures.measure_charts(widget, series)[0]
    assert "Process limits past" not in on_time.chart.summary
    assert on_time.chart.spec["layer"][3]["encoding"]["y"]["scale"] == {"zero": False}


def test_a_share_above_its_whole_is_never_cut_from_the_chart(agency_a):
    """A value past the bound (within standard above delivered: a data-quality error)
    is drawn where it is: only the limits stop at the edge."""
    widget = f.WidgetFactory(agency=agency_a, standard_share=Decimal("80.00"))
    shares = [1, 0, 1, 1, 0, 1, 0, 0, 1, 2]
    series = rows(
        *[{"demand": 1, "delivered": 1, "within_standard": s, "backlog": 0} for s in shares]
    )
    on_time = pictures.measure_charts(widget, series)[0]
    assert max(_axis_labels(on_time.chart)) >= 200


def test_the_backlog_has_its_own_axis_so_that_demand_and_delivered_are_not_flat(agency_a):
    """A backlog of 1,000 against 5 a day: on one axis, demand and delivered were a
    flat line along the bottom. Drawn, the left axis now reaches only their values."""
    widget = f.WidgetFactory(agency=agency_a)
    series = rows(
        *[{"demand": 5 + n % 3, "delivered": 4 + n % 2, "backlog": 1000} for n in range(8)]
    )
    flow = pictures.flow_chart(widget, series)
    assert flow.spec["resolve"] == {"scale": {"y": "independent"}}
    assert [layer["transform"][0]["filter"]["oneOf"] for layer in flow.spec["layer"]] == [
        ["Demand", "Delivered"],
        ["Backlog"],
    ]
    assert "the backlog on the right" in flow.summary
    svg = to_svg(flow.spec)
    assert "aria-label=\"Y-axis titled 'Demand and delivered per period'" in svg
    left = svg[svg.index("Y-axis titled 'Demand and delivered") :]
    left = left[: left.index("Y-axis titled 'Backlog")]
    assert max(float(t.replace(",", "")) for t in re.findall(r">(-?[\d,.]+)</text>", left)) < 20
