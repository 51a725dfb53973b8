"""Not applicable where numbers are read: a widget's own measures, roll-ups over
several widgets, the balance check, channels and every export (docs/domain.md,
"Unknown, zero and not applicable")."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from agencies.models import Agency
from agencies.templatetags.numbers import percent
from outcomes.dashboard import reference_month
from outcomes.status import Status, widget_status
from widgets import counting, flow, measures
from widgets.interop.gc_inventory import InventoryImport
from widgets.models import Widget, WidgetCount

from .. import factories as f
from .test_not_applicable import NOT_APPLICABLE, _widget

pytestmark = pytest.mark.django_db

AUGUST, SEPTEMBER = dt.date(2026, 8, 1), dt.date(2026, 9, 1)


def _count(widget, period=SEPTEMBER, **values):
    """A count with nothing stored in the fields that do not apply to the widget."""
    values.update(dict.fromkeys(widget.not_applicable, None))
    return f.WidgetCountFactory(widget=widget, period_start=period, **values)


# A widget's own measures


@pytest.mark.parametrize("name", NOT_APPLICABLE)
def test_history_shows_and_exports_not_applicable_apart_from_unknown(
    client, agency_a, staff_a, name
):
    widget = _widget(agency_a, name)
    _count(widget)
    client.force_login(staff_a)
    url = reverse("widgets:count-history", args=[widget.pk])
    row = client.get(url).context["rows"][0]
    assert row["values"].get(name, measures.NOT_APPLICABLE) is measures.NOT_APPLICABLE
    for spec in measures.MEASURES:
        if name in (spec.numerator, spec.denominator):
            assert row["measures"][spec.name] is measures.NOT_APPLICABLE
    if name in counting.VALUE_FIELDS:
        exported = next(csv.DictReader(io.StringIO(client.get(url + "?export=csv").text)))
        assert exported[name] == "not applicable"


def test_a_widget_without_a_cost_has_cost_per_widget_n_a_not_unknown(agency_a):
    widget = _widget(agency_a, "cost")
    count = _count(widget)
    found = flow.period_measures(count)
    assert found["cost_per_widget"] is measures.NOT_APPLICABLE
    assert found["on_time_share"] == Decimal(80) / Decimal(90)
    row = WidgetCount.objects.filter(widget=widget).aggregate(**flow.FLOW_AGGREGATES)
    one = flow.flow_from(row, not_applicable=widget.not_applicable_fields)
    assert one.cost is one.cost_per_widget is measures.NOT_APPLICABLE
    assert flow.flow_from(row).cost_per_widget is None  # a roll-up has no widget's n/a


def test_a_widget_without_within_standard_has_no_status_and_pages_say_n_a(agency_a):
    assert widget_status(on_time_share=measures.NOT_APPLICABLE, standard_share=90) == (
        Status.UNKNOWN
    )
    assert "n/a" in percent(measures.NOT_APPLICABLE)


# Roll-ups over several widgets


def test_the_dashboard_leaves_a_widget_out_of_a_measure_that_does_not_apply(
    client, agency_a, manager_a
):
    month = reference_month()
    timed = _widget(agency_a, name="Timed permit")
    untimed = _widget(agency_a, "within_standard", name="Untimed record")
    _count(timed, month, delivered=100, within_standard=90)
    _count(untimed, month, delivered=300)
    client.force_login(manager_a)
    response = client.get(reverse("outcomes:dashboard", args=[agency_a.slug]))
    trend = response.context["trend"][-1]["flow"]
    assert trend.delivered == 400
    assert trend.on_time_share == Decimal("0.9")  # 90 / 100: the record is in neither part
    html = response.content.decode()
    assert "on time is computed from the sums of the 1 widget it applies to" in html
    assert "(n/a to 1, left out)" in html
    flows = {w.name: w.flows["current"] for w in response.context["widgets"]}
    assert flows["Untimed record"].on_time_share is measures.NOT_APPLICABLE
    assert flows["Timed permit"].on_time_share == Decimal("0.9")


def test_the_public_page_says_n_a_for_a_widget_without_a_standard(client, agency_a):
    Agency.objects.filter(pk=agency_a.pk).update(publishes=True)
    widget = _widget(agency_a, "within_standard", name="Untimed record")
    _count(widget, reference_month())
    response = client.get(reverse("public:agency", args=[agency_a.slug]))
    assert "no service standard" in response.content.decode()


# Checks


def test_withdrawn_not_applicable_counts_as_zero_in_the_balance(agency_a):
    widget = _widget(agency_a, "withdrawn")
    _count(widget, AUGUST, backlog=20)
    balanced = _count(widget, SEPTEMBER, demand=100, delivered=90, backlog=30)
    assert flow.balance_failures(WidgetCount.objects.filter(widget=widget)) == []
    WidgetCount.objects.filter(pk=balanced.pk).update(backlog=25)
    (failure,) = flow.balance_failures(WidgetCount.objects.filter(widget=widget))
    assert failure.pk == balanced.pk
    values = counting.balance_values({"demand": 100, "delivered": 90, "backlog": 25}, widget)
    assert counting.balance_of(values, 20).difference == -5  # 25, not 20 + 100 - 90 - 0


def test_a_backlog_given_for_a_widget_without_one_is_not_balanced(agency_a):
    """balance_values reads the backlog of a widget whose backlog does not apply as
    unknown, whatever the values hold, and leaves the values it was given alone."""
    widget = _widget(agency_a, "backlog")
    given = {"demand": 100, "delivered": 90, "withdrawn": 0, "backlog": 25}
    values = counting.balance_values(given, widget)
    assert values == {**given, "backlog": None}
    assert given["backlog"] == 25
    assert counting.balance_of(values, 20) is None


def test_no_balance_check_without_a_backlog(client, agency_a, staff_a):
    widget = _widget(agency_a, "backlog")
    _count(widget, AUGUST)
    client.force_login(staff_a)
    url = reverse("widgets:count-entry", args=[agency_a.slug]) + "?period=2026-09-01"
    prefix = f"w{widget.pk}"
    data = {f"{prefix}-version": "", f"{prefix}-demand": "100", f"{prefix}-delivered": "1"}
    data[f"{prefix}-withdrawn"] = "0"
    assert client.post(url, data).status_code == 302  # no balance warning to confirm


def test_the_grid_balances_with_withdrawn_not_applicable_as_zero(client, agency_a, staff_a):
    widget = _widget(agency_a, "withdrawn")
    _count(widget, AUGUST, backlog=20)
    client.force_login(staff_a)
    url = reverse("widgets:count-entry", args=[agency_a.slug]) + "?period=2026-09-01"
    prefix = f"w{widget.pk}"
    cells = {"demand": "100", "delivered": "90", "backlog": "25"}
    data = {f"{prefix}-version": "", **{f"{prefix}-{n}": v for n, v in cells.items()}}
    response = client.post(url, data)
    assert response.status_code == 200
    # Withdrawn counts as 0: 20 + 100 - 90 - 0 = 30, and the backlog is 25.
    assert "(20 + 100 \u2212 90 \u2212 0 = 30; the backlog is 25)" in response.content.decode()
    data[f"{prefix}-backlog"] = "30"
    assert client.post(url, data).status_code == 302


# Channels


def test_digital_take_up_leaves_out_widgets_not_offered_online(agency_a):
    online = _widget(agency_a, name="Online permit")
    counter = _widget(agency_a, "channel_online", name="Counter permit")
    _count(online, channel_online=50, channel_in_person=50)
    _count(counter, channel_in_person=100)
    mix = Widget.objects.filter(agency=agency_a).channel_mix()
    assert mix.total == 200  # every request through a known channel
    assert mix.online_percent == 50  # 50 of the 100 made to the widget offered online
    assert mix.not_offered == ()
    alone = counter.counts.all().channel_mix()
    assert alone.online_not_applicable and alone.online_share is None
    page = render_to_string("widgets/includes/channels.html", {"channel_mix": alone})
    assert 'Not offered online: digital take-up is <span aria-hidden="true">n/a</span>' in page


# Exports


def test_open_data_writes_not_applicable_and_leaves_unknown_null(client, agency_a):
    Agency.objects.filter(pk=agency_a.pk).update(publishes=True)
    widget = _widget(agency_a, "within_standard", "channel_mail")
    _count(widget, channel_online=None)
    document = client.get(reverse("widgets:opendata-json", args=[agency_a.slug])).json()
    (entry,) = document["widgets"]
    assert entry["not_applicable"] == ["within_standard", "channel_mail"]
    (volume,) = entry["yearly_volumes"]
    assert volume["within_standard"] == volume["on_time_share"] == "not applicable"
    assert volume["channel_mail"] == "not applicable"
    assert volume["channel_online"] is None
    assert volume["delivered"] == 90
    text = client.get(reverse("widgets:opendata-csv", args=[agency_a.slug])).content
    row = next(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert (row["within_standard"], row["channel_online"]) == ("not applicable", "")


def test_the_inventory_export_writes_its_own_na(client, agency_a, staff_a):
    widget = _widget(agency_a, "within_standard", "channel_email", channels=["online", "phone"])
    _count(widget, dt.date(2025, 9, 1), channel_online=40)
    client.force_login(staff_a)
    services = client.get(reverse("widgets:inventory-export-services", args=[agency_a.slug]))
    (row,) = csv.DictReader(io.StringIO(services.content.decode("utf-8-sig")))
    assert (row["num_applications_by_email"], row["num_applications_online"]) == ("NA", "40")
    assert row["num_applications_by_phone"] == ""  # offered, unknown
    standards = client.get(reverse("widgets:inventory-export-standards", args=[agency_a.slug]))
    (row,) = csv.DictReader(io.StringIO(standards.content.decode("utf-8-sig")))
    assert (row["volume_meeting_target"], row["performance"], row["target_met"]) == (
        "NA",
        "NA",
        "NA",
    )
    assert row["total_volume"] == "90"


def test_the_inventory_import_keeps_a_number_for_a_field_that_does_not_apply_uncounted(
    agency_a, staff_a
):
    """Imported as published (issue 20): the number is a finding on its row, kept as
    published and not counted; the widget's declaration stands."""
    widget = _widget(agency_a, "channel_mail", external_id="S9", name="Mail permit")
    widget.reporting_frequency = "year"
    widget.save()
    services = (
        "fiscal_yr,service_id,service_name_en,owner_org,num_applications_by_mail,"
        "num_applications_total\n2024-2025,S9,Mail permit,DA,12,12\n"
    )
    preview = InventoryImport(user=staff_a, agency=agency_a).preview(
        (io.BytesIO(services.encode()), "services.csv")
    )
    assert not [issue for plan in preview.plans for issue in plan.errors]
    (plan,) = preview.plans
    flagged = [i for i in plan.flags if "Requests by mail does not apply" in i.message]
    assert flagged and flagged[0].grade == "error", plan.flags
    assert flagged[0].message.endswith("Kept as published, not counted.")


def test_the_widget_page_names_what_does_not_apply_and_shows_n_a(client, agency_a, staff_a):
    widget = _widget(agency_a, "cost")
    _count(widget)
    client.force_login(staff_a)
    response = client.get(reverse("widgets:detail", args=[widget.pk]))
    (recent,) = response.context["counts"]
    assert recent["cost"] is measures.NOT_APPLICABLE and recent["demand"] == 100
    html = response.content.decode()
    assert "Measures that do not apply</dt><dd>Cost</dd>" in html


def test_a_gap_of_a_widget_without_withdrawals_is_a_finding_not_an_error_page(agency_a):
    """Withdrawn does not apply (stored blank): the data-quality finding for its gap
    counts withdrawn as 0 in the expected backlog, as the balance check does."""
    from widgets import quality
    from widgets.models import Widget

    widget = _widget(agency_a, "withdrawn")
    widget.status = "approved"
    widget.save()
    _count(widget, AUGUST, backlog=20)
    _count(widget, SEPTEMBER, demand=100, delivered=90, backlog=25)
    found = quality.findings(Widget.objects.filter(pk=widget.pk), today=SEPTEMBER.replace(day=20))
    [gap] = [x for x in found if x.check == "unexplained-balance-gap"]
    assert "(30)" in gap.what  # 20 + 100 - 90 - 0
    # Shown as not applicable, not as blank (unknown) nor 0.
    assert dict(gap.values)["Withdrawn"] is measures.NOT_APPLICABLE
