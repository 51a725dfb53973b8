"""The dashboard's table of every widget's flow this period, one row each, and the
page of every widget's flow against the period before and the same period last
year (outcomes.dashboard_views.widget_flows)."""

import re

import pytest
from django.urls import reverse

from tests import factories as f
from widgets.models import WidgetStatus

pytestmark = pytest.mark.django_db


def _rows(html):
    """{widget name: [its cells' text]} of the dashboard's table of every widget."""
    table = html[html.index('class="usa-table usa-table--borderless usa-table--compact '
                            'usa-table--striped flow-summary"'):]  # fmt: skip
    table = table[: table.index("</table>")]
    found = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        name = re.search(r'<a class="usa-link" href="[^"]+">([^<]+)</a>', row).group(1)
        found[name] = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
    return found


def test_the_dashboard_has_a_row_of_this_periods_figures_for_every_widget(
    client, world, manager_a, agency_a
):
    client.force_login(manager_a)
    response = client.get(reverse("outcomes:dashboard", args=[agency_a.slug]))
    rows = _rows(response.text)
    assert list(rows) == ["Air permit", "Water permit"]  # by program, then name
    status, _standard, demand, delivered, backlog, on_time, *_rest = rows["Air permit"]
    assert "On track" in status
    assert (demand, delivered, backlog, on_time) == ("100", "100", "20", "95.0%")
    assert "Off track" in rows["Water permit"][0]
    assert rows["Water permit"][5] == "50.0%"
    # What the row shows is the widget's flow for the period shown, nothing else.
    widgets = {w.name: w for w in response.context["widgets"]}
    assert widgets["Air permit"].flows["current"].delivered == 100
    # One table, not a table per widget.
    assert response.text.count('flow-summary"') == 1
    assert 'class="usa-table usa-table--borderless usa-table--compact flow-table"' not in (
        response.text
    )


def test_the_dashboards_link_to_every_widgets_flow_keeps_the_program_and_period(
    client, world, manager_a, agency_a
):
    client.force_login(manager_a)
    url = reverse("outcomes:dashboard", args=[agency_a.slug])
    flows = reverse("outcomes:flows", args=[agency_a.slug])
    program = world["program"].pk
    assert f'href="{flows}"' in client.get(url).text
    html = client.get(url, {"program": program, "grain": "quarter", "pictures": "all"}).text
    assert f'href="{flows}?program={program}&amp;grain=quarter"' in html


def test_every_widgets_flow_compares_three_periods_for_the_program_asked(
    client, world, manager_a, agency_a
):
    other = f.ProgramFactory(agency=agency_a, name="Water")
    f.WidgetFactory(agency=agency_a, program=other, name="Well permit", status="approved")
    client.force_login(manager_a)
    url = reverse("outcomes:flows", args=[agency_a.slug])
    response = client.get(url)
    assert response.status_code == 200
    windows = response.context["windows"]
    for name in ("Air permit", "Water permit", "Well permit"):
        assert f"Flow of {name}: {windows['current'].label} compared with" in response.text
    assert [w.name for w in response.context["widgets"]] == [
        "Air permit",
        "Water permit",
        "Well permit",
    ]
    only = client.get(url, {"program": world["program"].pk})
    assert [w.name for w in only.context["widgets"]] == ["Air permit", "Water permit"]
    assert "Flow of Well permit" not in only.text


def test_every_widgets_flow_shows_another_agencys_reader_no_draft_and_each_change(
    client, world, staff_b, agency_a
):
    f.WidgetFactory(agency=agency_a, name="Secret draft", status=WidgetStatus.SUBMITTED)
    client.force_login(staff_b)
    url = reverse("outcomes:flows", args=[agency_a.slug])
    first = client.get(url)
    assert "Secret draft" not in first.text
    assert client.get(url).context["body"] == first.context["body"]
    f.WidgetFactory(agency=agency_a, program=world["program"], name="Boat permit",
                    status=WidgetStatus.APPROVED)  # fmt: skip
    assert "Flow of Boat permit" in client.get(url).text
