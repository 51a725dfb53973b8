"""Where a throwaway count field ("probe_flags") and measure ("probe flag rate") must
show once they are declared in widgets.measures (tests/measure_probe/plugin.py):
the grid, the edit page, the upload template, the API (schema and a write through
the one write), the history page and its export, and the dashboard.

Run by tests/widgets/test_measures.py in a process of its own; not collected with
the suite (its name is not test_*.py).
"""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from tests import factories as f
from widgets.api.tokens import issue_token
from widgets.models import WidgetCount, WidgetStatus

pytestmark = pytest.mark.django_db

PERIOD = dt.date(2026, 9, 1)


def test_the_throwaway_measure_shows_wherever_measures_do(client, staff_a, manager_a, agency_a):
    widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED)
    _token, plaintext = issue_token(agency=agency_a, name="Probe", by=manager_a)

    # The API's schema takes and gives it; a write through the one write keeps it.
    schema = client.get(reverse("api:openapi-json")).json()["components"]["schemas"]
    assert "probe_flags" in schema["CountValues"]["properties"]
    assert "probe_flags" in schema["CountOut"]["properties"]
    answer = client.put(
        reverse("api:widget-count", kwargs={"widget_id": widget.pk, "period": PERIOD}),
        data={"delivered": 80, "within_standard": 70, "probe_flags": 4},
        content_type="application/json",
        headers={"authorization": f"Bearer {plaintext}"},
    )
    assert answer.status_code in (200, 201), answer.content
    assert answer.json()["probe_flags"] == 4
    count = WidgetCount.objects.get(widget=widget, period_start=PERIOD)
    assert count.probe_flags == 4

    client.force_login(staff_a)
    # The grid and the edit page take it.
    grid = client.get(
        reverse("widgets:count-entry", args=[agency_a.slug]),
        {"frequency": widget.reporting_frequency, "period": PERIOD.isoformat()},
    ).content.decode()
    assert "-probe_flags" in grid and "Probe flags" in grid
    edit = client.get(reverse("widgets:count-edit", args=[count.pk])).content.decode()
    assert 'name="probe_flags"' in edit

    # The upload template has its column and an example.
    template = client.get(reverse("widgets:count-upload-template")).content.decode("utf-8-sig")
    header, example = list(csv.reader(io.StringIO(template)))[:2]
    assert example[header.index("probe_flags")] == "4"

    # The history page shows it and its rate (4 / 80), and so does its export.
    history = client.get(reverse("widgets:count-history", args=[widget.pk])).content.decode()
    assert "Probe flags" in history and "Probe flag rate" in history and "5.0%" in history
    exported = client.get(reverse("widgets:count-history", args=[widget.pk]), {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0]["probe_flags"] == "4"
    assert float(rows[0]["probe_flag_rate"]) == pytest.approx(0.05)

    # The dashboard has a row for the rate in every widget's flow.
    dashboard = client.get(reverse("outcomes:dashboard", args=[agency_a.slug])).content.decode()
    assert "Probe flag rate" in dashboard
