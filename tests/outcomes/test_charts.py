"""An outcome's process behaviour chart as a Vega-Lite spec (outcomes.charts): the
data the page, the review pack and other pages draw, and the server's drawing."""

import pytest

from agencies.charts import SIGNAL_SHAPES, to_svg
from outcomes.charts import outcome_chart, run_chart_spec
from outcomes.selectors import run_chart
from outcomes.services import record_step_change

from .conftest import months_back

pytestmark = pytest.mark.django_db


def run_of(outcome):
    return run_chart(
        outcome, outcome.measurements.order_by("date"), steps=list(outcome.step_changes.all())
    )


def test_each_point_carries_its_value_trajectory_limits_and_signal(world):
    outcome = world["outcome"]
    run = run_of(outcome)
    values = run_chart_spec(outcome, run)["data"]["values"]
    assert [v["date"] for v in values] == [months_back(7 - n).isoformat() for n in range(8)]
    assert [v["value"] for v in values] == [float(38 + n) for n in range(8)]
    assert [v["target"] for v in values] == [float(round(r["trajectory"], 4)) for r in run["rows"]]
    assert {(v["centre"], v["lower"], v["upper"]) for v in values} == {(41.5, 38.84, 44.16)}
    assert [v["signal"] for v in values] == ["improving"] * 2 + ["concerning"] * 6


def test_limits_and_measurements_break_at_a_step_change_the_target_runs_on(world, manager_a):
    outcome = world["outcome"]
    record_step_change(outcome=outcome, starts_on=months_back(3), reason="New rules", by=manager_a)
    spec = run_chart_spec(outcome, run_of(outcome))
    assert [v["segment"] for v in spec["data"]["values"]] == [0] * 4 + [1] * 4
    lines = spec["layer"][0]
    assert {"calculate": "datum.line === 'target' ? -1 : datum.segment", "as": "piece"} in (
        lines["transform"]
    )
    assert lines["encoding"]["detail"][0]["field"] == "piece"


def test_signals_are_shapes_as_well_as_colours(world):
    spec = run_chart_spec(world["outcome"], run_of(world["outcome"]))
    points = spec["layer"][1]["encoding"]
    scale = points["shape"]["scale"]
    shapes = dict(zip(scale["domain"], scale["range"], strict=True))
    assert shapes["improving"] == "triangle-up" and shapes["concerning"] == "diamond"
    assert shapes["neutral"] == "square"
    assert points["fill"]["scale"]["range"] == [SIGNAL_SHAPES[n][1] for n in SIGNAL_SHAPES]


def test_the_chart_has_its_words_and_table_and_the_server_draws_it(world):
    outcome = world["outcome"]
    chart = outcome_chart(outcome, run_of(outcome))
    assert chart.title == f"Process behaviour chart of {outcome.measure} ({outcome.unit})"
    assert "orange diamonds concerning" in chart.summary
    assert "purple squares" not in chart.summary  # the outcome has a better direction
    assert chart.table.columns == ["Date", "Value", "Trajectory", "Status", "Limits", "Signal"]
    last = chart.table.rows[-1]
    assert last[0] == f"{months_back(0):%-d %b %Y}" and last[1] == "45"
    assert last[4] == "38.84 to 44.16 (trial)"
    assert last[5] == "Concerning: above the upper process limit"
    svg = to_svg(chart.spec, width=500)
    assert svg.startswith("<svg") and 'width="' in svg
    for words in ("Measurements", "Target trajectory", "Centre line", "Process limits"):
        assert words in svg  # the legend


def test_without_measurements_the_spec_has_no_points(world, agency_a):
    outcome = world["outcome"]
    outcome.measurements.all().delete()
    run = run_of(outcome)
    assert run_chart_spec(outcome, run)["data"]["values"] == []
    assert (
        "Process limits appear once there are 6 measurements" in outcome_chart(outcome, run).summary
    )


def test_a_charts_table_rows_are_written_as_the_template_wrote_them():
    """agencies/templatetags/chart_tags.py writes the rows in Python: the first cell a
    row header, every cell escaped unless marked safe (the unknown marker is), numbers
    localized as {{ cell }} localizes them."""
    from decimal import Decimal

    from django.template import Context, Template

    from agencies.charts import Chart, Table
    from agencies.templatetags.numbers import UNKNOWN

    table = Table(
        caption="Figures",
        columns=["Month", "Value", "Note"],
        rows=[["Jan 2026", "1,204", "<b>bold</b> & co"], ["Feb 2026", UNKNOWN, Decimal("2.5")]],
    )
    chart = Chart(id="c", title="T", spec={}, table=table)
    html = Template('{% include "includes/chart.html" %}').render(Context({"chart": chart}))
    assert (
        '<tbody><tr><th scope="row">Jan 2026</th><td>1,204</td>'
        "<td>&lt;b&gt;bold&lt;/b&gt; &amp; co</td></tr>"
        f'<tr><th scope="row">Feb 2026</th><td>{UNKNOWN}</td><td>2.5</td></tr></tbody>'
    ) in html


def _flow_widget(satisfied, responses):
    """A widget's flows in two windows (a known value, an unknown one, money, a share)
    and its satisfaction this period from `satisfied` of `responses` answers."""
    from decimal import Decimal
    from types import SimpleNamespace

    csat = SimpleNamespace(
        responses=responses,
        satisfied=satisfied,
        share=None if not responses else Decimal(satisfied) / Decimal(responses),
        low_sample=bool(responses) and responses < 30,
    )
    flows = {
        "current": {"delivered": 1204, "cost_per_widget": Decimal("12.5"), "on_time_share": None},
        "previous": {"delivered": None, "cost_per_widget": None, "on_time_share": Decimal("0.8")},
    }
    return SimpleNamespace(flows=flows, csat={"current": csat, "previous": None})


@pytest.mark.parametrize(
    ("satisfied", "responses"), [(30, 40), (1, 1), (0, 3), (None, None), (1234, 2000)]
)
def test_a_widgets_flow_rows_are_written_as_the_templates_wrote_them(satisfied, responses):
    """widgets/templatetags/measure_tags.py flow_rows writes the dashboard's flow table
    body in Python: the same markup as {% measure_value %} and customers/csat.html, for
    a known value, an unknown one, money, a share, and satisfaction with many, one or no
    responses (and a low sample)."""
    from django.template import Context, Template

    widget = _flow_widget(satisfied, responses)
    rows = [
        ("delivered", "Delivered <all>"),
        ("cost_per_widget", "Cost"),
        ("on_time_share", "On time"),
    ]
    windows = ["current", "previous"]
    old = Template(
        "{% load numbers measure_tags %}"
        '{% for key, label in rows %}<tr><th scope="row">{{ label }}</th>'
        "{% for name in windows %}<td>{% measure_value w.flows|field:name|field:key key %}</td>"
        "{% endfor %}</tr>{% endfor %}\n"
        '      <tr><th scope="row">Satisfaction (CSAT)</th>{% for name in windows %}<td>'
        '{% include "customers/csat.html" with csat=w.csat|field:name %}</td>{% endfor %}</tr>'
    )
    new = Template("{% load measure_tags %}{% flow_rows w rows windows %}")
    context = {"w": widget, "rows": rows, "windows": windows}
    assert new.render(Context(context)) == old.render(Context(context))


@pytest.mark.parametrize(("satisfied", "responses"), [(30, 40), (1, 1), (None, None), (1234, 2000)])
def test_a_widgets_row_has_the_cells_of_its_flow_tables_column(satisfied, responses):
    """The dashboard's row of a widget (flow_cells) holds, cell for cell, what its flow
    table (flow_rows, on the page of every widget's flow) shows in that window's
    column: the same figures, formatted the same, wherever they are read."""
    import re

    from django.template import Context, Template

    widget = _flow_widget(satisfied, responses)
    rows = [("delivered", "Delivered"), ("cost_per_widget", "Cost"), ("on_time_share", "On time")]
    context = {"w": widget, "rows": rows, "windows": ["current", "previous"]}
    table = Template("{% load measure_tags %}{% flow_rows w rows windows %}").render(
        Context(context)
    )
    for position, name in enumerate(["current", "previous"]):
        column = [
            re.findall(r"<td>(.*?)\n?</td>", row, re.S)[position]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
        ]
        row = Template("{% load measure_tags %}{% flow_cells w rows name %}").render(
            Context({**context, "name": name})
        )
        assert re.findall(r"<td>(.*?)</td>", row, re.S) == column
        assert len(column) == len(rows) + 1  # and satisfaction
    assert column[0] != "1,204"  # the previous window's delivered is unknown
    assert "<td>1,204</td>" in Template(
        "{% load measure_tags %}{% flow_cells w rows 'current' %}"
    ).render(Context(context))


def test_what_every_spec_shares_is_written_once_a_page_and_drawn_with_each(
    world, client, manager_a
):
    """The house look (agencies.charts.SHARED) is not repeated in each spec: a page
    writes it once (its script gives it to every chart) and the server adds it when
    it draws a spec itself."""
    from agencies.charts import CONFIG, SHARED, whole

    outcome = world["outcome"]
    chart = outcome_chart(outcome, run_of(outcome))
    assert not set(SHARED) & set(chart.spec)
    assert whole(chart.spec)["config"] == CONFIG and whole(chart.spec)["layer"]
    client.force_login(manager_a)
    html = client.get(outcome.get_absolute_url()).content.decode()
    assert html.count('id="vega-shared"') == 1
    assert html.count('"config"') == 1
    assert 'data-vega-spec="' in html
