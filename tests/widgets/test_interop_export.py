"""Exports in published layouts: GC Service Inventory (round trip), A-11 CX, open data."""

import csv
import io
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from agencies.models import Agency
from widgets.interop.gc_commit import commit
from widgets.interop.gc_inventory import InventoryImport
from widgets.models import Widget, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data" / "interop"
COUNT_FIELDS = [
    "period_start",
    "demand",
    "channel_online",
    "channel_in_person",
    "channel_mail",
    "channel_phone",
    "channel_email",
    "channel_other",
    "delivered",
    "within_standard",
]


def _import(user, agency, services, standards):
    preview = InventoryImport(user=user, agency=agency).preview(services, standards)
    assert preview.error_count == 0, [str(e) for p in preview.plans for e in p.errors]
    return commit(preview, by=user)


def _fixture(name):
    return io.BytesIO((DATA / name).read_bytes()), name


def _rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _catalogue(agency):
    result = []
    for w in Widget.objects.filter(agency=agency).order_by("external_id"):
        result.append(
            {
                "external_id": w.external_id,
                "definition": [
                    w.name,
                    w.kind,
                    w.description.replace("\r\n", "\n"),
                    w.fee,
                    w.standard_days,
                    w.standard_share,
                    w.channels,
                    w.reporting_frequency,
                    w.program.name,
                ],
                "segments": sorted(s.kind for s in w.customer_segments.all()),
                "counts": list(w.counts.order_by("period_start").values_list(*COUNT_FIELDS)),
            }
        )
    return result


def test_export_then_import_into_a_fresh_agency_gives_the_same_data(
    client, agency_a, staff_a, agency_b, staff_b
):
    _import(staff_a, agency_a, _fixture("services.csv"), _fixture("standards.csv"))
    client.force_login(staff_a)
    services = client.get("/widgets/inventory/da/services.csv")
    standards = client.get("/widgets/inventory/da/standards.csv")
    assert services.status_code == standards.status_code == 200
    rows = _rows(services)
    assert [r["fiscal_yr"] for r in rows if r["service_id"] == "S1"] == ["2023-2024", "2024-2025"]
    s1 = next(r for r in rows if r["fiscal_yr"] == "2023-2024")
    # Unchanged imported rows come back as published: ND stays ND, fax and other apart.
    assert (s1["num_applications_in_person"], s1["num_applications_by_email"]) == ("NA", "ND")
    assert (s1["num_applications_by_phone"], s1["num_applications_by_other"]) == ("0", "10")
    assert s1["num_applications_by_fax"] == "5"
    assert (s1["client_target_groups"], s1["service_type"], s1["owner_org"]) == (
        "PP,ES",
        "HVRT",
        "DA",
    )
    standard = next(r for r in _rows(standards) if r["fiscal_yr"] == "2024-2025")
    assert standard["service_standard_en"] == (
        "Licence issued within 10 business days of a complete application"
    )
    assert (standard["target"], standard["total_volume"], standard["target_met"]) == (
        "0.8",
        "950",
        "Y",
    )

    _import(
        staff_b,
        agency_b,
        (io.BytesIO(services.content), "services.csv"),
        (io.BytesIO(standards.content), "standards.csv"),
    )
    assert _catalogue(agency_b) == _catalogue(agency_a)
    assert len(_catalogue(agency_b)) == 2


def test_exports_need_a_signed_in_reader(client, agency_a):
    assert client.get("/widgets/inventory/da/services.csv").status_code == 302
    assert client.get("/widgets/inventory/da/a11-cx.csv").status_code == 302


def test_a11_export_columns_and_values(client, agency_a, staff_a):
    widget = f.WidgetFactory(agency=agency_a, name="Benefit decision", channels=["online", "phone"])
    f.SurveyResultFactory(
        widget=widget,
        period_start="2026-07-01",
        customers_served=100,
        offered=50,
        respondents=10,
        satisfaction_4=6,
        satisfaction_5=4,
    )
    f.SurveyResultFactory(
        widget=widget,
        period_start="2026-08-01",
        customers_served=200,
        offered=80,
        respondents=20,
        satisfaction_5=5,
    )
    client.force_login(staff_a)
    response = client.get("/widgets/inventory/da/a11-cx.csv")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:10] == [
        "organization",
        "service_provider",
        "service",
        "service_id",
        "fiscal_year",
        "quarter",
        "channel",
        "customers_served",
        "surveys_offered",
        "respondents",
    ]
    assert header[10:15] == [f"satisfaction_{p}" for p in range(1, 6)]
    assert header[-2:] == ["helpfulness_5", "source"]  # entered or collected
    (row,) = _rows(response)
    assert (row["organization"], row["service"], row["channel"]) == (
        "Department of A",
        "Benefit decision",
        "Online; Phone",
    )
    assert (row["fiscal_year"], row["quarter"]) == ("2027", "1")  # July start
    assert (row["customers_served"], row["surveys_offered"], row["respondents"]) == (
        "300",
        "130",
        "30",
    )
    assert (row["satisfaction_1"], row["satisfaction_4"], row["satisfaction_5"]) == ("", "6", "9")


def test_open_data_is_public_only_for_publishing_agencies(client, agency_a):
    approved = f.WidgetFactory(
        agency=agency_a, name="Fishing licence", status=WidgetStatus.APPROVED
    )
    f.WidgetFactory(agency=agency_a, name="Secret draft", review_comment="internal note")
    f.WidgetCountFactory(widget=approved, period_start="2026-01-01", cost=123)
    for url in ("/widgets/open-data/da.csv", "/widgets/open-data/da.json"):
        assert client.get(url).status_code == 404
    Agency.objects.filter(pk=agency_a.pk).update(publishes=True)
    document = client.get("/widgets/open-data/da.json").json()
    assert [w["name"] for w in document["widgets"]] == ["Fishing licence"]
    (volume,) = document["widgets"][0]["yearly_volumes"]
    assert (volume["fiscal_year"], volume["delivered"], volume["within_standard"]) == (2026, 90, 80)
    assert "cost" not in volume
    response = client.get("/widgets/open-data/da.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "Fishing licence" in text
    assert "Secret draft" not in text
    assert "internal note" not in text


def test_digital_take_up_for_a_widget_and_an_agency(agency_a, staff_a):
    _import(staff_a, agency_a, _fixture("services.csv"), _fixture("standards.csv"))
    widget = Widget.objects.get(external_id="S1")
    mix = widget.counts.all().channel_mix()
    assert mix.fiscal_year == 2025  # the latest fiscal year with channel counts
    assert mix.total == 900  # online 900 + phone 0; unknown channels left out
    assert mix.online_percent == 100
    agency_mix = agency_a.widgets.all().channel_mix()
    assert agency_mix == mix
    page = render_to_string("widgets/includes/channels.html", {"channel_mix": mix})
    assert "Digital take-up: 100" in page
    assert "No counts by channel yet" in render_to_string(
        "widgets/includes/channels.html", {"channel_mix": None}
    )
    assert WidgetCount.objects.filter(widget__agency=agency_a).channel_mix() == mix
