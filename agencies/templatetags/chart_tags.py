"""A chart's figures as table rows, written in Python; and what every chart's spec
shares, once on a page.

    {% load chart_tags %}
    <tbody>{% chart_rows chart.table %}</tbody>
    {% shared_chart_spec %}  (templates/includes/chart_scripts.html)

Every chart carries its figures as a table (agencies.charts.Table) for screen
readers and print. A dashboard holds some forty charts of twenty-odd periods by
five or six columns: thousands of cells, each a few template nodes, were about a
fifth of the page's build. This writes the same rows, each cell as `{{ cell }}`
writes it (localized, escaped unless marked safe): the first cell of a row its
header.
"""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, json_script
from django.utils.safestring import mark_safe

from ..charts import SHARED

register = template.Library()


@register.simple_tag
def chart_rows(table):
    parts = []
    for row in table.rows:
        cells = [conditional_escape(localize(cell)) for cell in row]
        if not cells:
            parts.append("<tr></tr>")
            continue
        parts.append(
            f'<tr><th scope="row">{cells[0]}</th>'
            + "".join(f"<td>{cell}</td>" for cell in cells[1:])
            + "</tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every cell escaped above


@register.simple_tag
def shared_chart_spec():
    """What every chart's spec shares (agencies.charts.SHARED), once on the page, for
    static/js/vega-charts.js to give each chart."""
    return json_script(SHARED, "vega-shared")
