"""The published Government of Canada Service Inventory, imported as published.

On a real sample of it (tests/data/interop/gc_sample: 283 service rows of 14
departments and their 488 standards, Open Government Licence - Canada): it
imports without editing, the departments' own data errors are findings on the
rows, a re-import changes nothing, and the export gives back every cell.
"""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from agencies.models import Agency
from customers.models import SegmentKind
from widgets.interop import gc_layout as gc
from widgets.interop.gc_commit import commit
from widgets.interop.gc_inventory import InventoryImport
from widgets.models import (
    InventoryFinding,
    PublishedRow,
    Widget,
    WidgetCount,
)
from widgets.models import (
    InventoryImport as ImportRecord,
)

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "interop" / "gc_sample"
SERVICES, STANDARDS = SAMPLE / "si_2024_sample.csv", SAMPLE / "ss_2024_sample.csv"


def _source(path):
    """The published rows as a reader of the file sees them (cells stripped)."""
    with path.open(encoding="utf-8-sig", newline="") as fileobj:
        reader = csv.reader(fileobj)
        header = next(reader)
        return header, [[cell.strip() for cell in row] for row in reader]


def _import_sample():
    call_command("import_service_inventory", str(SERVICES), str(STANDARDS), stdout=io.StringIO())


def _snapshot():
    return {
        "widgets": Widget.objects.count(),
        "widget_history": Widget.history.count(),
        "counts": WidgetCount.objects.count(),
        "count_history": WidgetCount.history.count(),
        "rows": list(PublishedRow.objects.values_list("pk", "updated_at").order_by("pk")),
        "findings": list(InventoryFinding.objects.values_list("pk").order_by("pk")),
        "imports": ImportRecord.objects.count(),
    }


def _export(client, agency):
    def rows(name):
        response = client.get(f"/widgets/inventory/{agency.slug}/{name}.csv")
        assert response.status_code == 200
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        return table[0], table[1:]

    return rows("services"), rows("standards")


def test_the_published_sample_imports_without_editing():
    preview = InventoryImport().preview(
        (io.BytesIO(SERVICES.read_bytes()), SERVICES.name),
        (io.BytesIO(STANDARDS.read_bytes()), STANDARDS.name),
    )
    assert preview.error_count == 0, [str(e) for p in preview.plans for e in p.errors]
    assert len(preview.plans) == 283 - 4  # four services are published for two years
    findings = [i for p in preview.plans for i in p.warnings]
    # The three standards met more often than delivered are errors on their rows.
    within = [i for i in findings if i.column == "volume_meeting_target"]
    assert len(within) == 3 and {i.grade for i in within} == {"error"}
    # Every code the departments used is in the data dictionary: no unknown code.
    assert not [i for i in findings if "Unknown code" in i.message]

    summary = commit(preview)
    assert summary.widgets_created == 279
    assert Agency.objects.count() == 14
    assert PublishedRow.objects.filter(file="services").count() == 283
    assert PublishedRow.objects.filter(file="standards").count() == 488
    # Comma-joined types are split and mapped: few services stay "other".
    kinds = Widget.objects.values_list("kind", flat=True)
    assert sum(1 for k in kinds if k == "other") < 30
    # Every client group is a customer segment (foreign entities too).
    assert Widget.objects.filter(customer_segments=None).count() == 0
    assert Widget.objects.filter(customer_segments__kind=SegmentKind.FOREIGN).exists()


def test_a_standard_met_more_often_than_delivered_stays_as_published_with_an_error():
    _import_sample()
    row = PublishedRow.objects.get(file="standards", standard_id="4001")
    assert (row.values["volume_meeting_target"], row.values["total_volume"]) == ("2500", "2100")
    assert not row.counted
    finding = InventoryFinding.objects.get(widget=row.widget, column="volume_meeting_target")
    assert finding.grade == "error"
    assert "2,500" in finding.message and "2,100" in finding.message
    # The rules of counts hold: no count has more within standard than delivered.
    assert not WidgetCount.objects.filter(within_standard__gt=0, delivered=None).exists()
    for count in WidgetCount.objects.exclude(within_standard=None):
        assert count.within_standard <= count.delivered


def test_reimport_of_the_sample_changes_nothing():
    _import_sample()
    before = _snapshot()
    out = io.StringIO()
    call_command("import_service_inventory", str(SERVICES), str(STANDARDS), stdout=out)
    assert "0 new, 0 with changes, 279 unchanged" in out.getvalue()
    assert _snapshot() == before


def test_export_equals_the_published_sample_cell_by_cell(client, admin_user):
    _import_sample()
    client.force_login(admin_user)
    service_header, service_rows = _source(SERVICES)
    standard_header, standard_rows = _source(STANDARDS)
    assert service_header == gc.SERVICE_COLUMNS and standard_header == gc.STANDARD_COLUMNS
    org_s, org_ss = service_header.index("owner_org"), standard_header.index("owner_org")
    compared = 0
    for agency in Agency.objects.order_by("abbreviation"):
        (header, services), (std_header, standards) = _export(client, agency)
        assert header == service_header and std_header == standard_header
        expected = [r for r in service_rows if r[org_s] == agency.abbreviation]
        expected_standards = [r for r in standard_rows if r[org_ss] == agency.abbreviation]
        assert len(services) == len(expected) and len(standards) == len(expected_standards)
        for got, want in zip(
            [*services, *standards], [*expected, *expected_standards], strict=True
        ):
            for column, (a, b) in enumerate(zip(got, want, strict=True)):
                assert a == b, (agency.abbreviation, (header + std_header)[column], a, b)
                compared += 1
    assert compared == 283 * 46 + 488 * 24


def test_a_change_made_here_is_what_the_export_says(client, admin_user):
    _import_sample()
    client.force_login(admin_user)
    row = PublishedRow.objects.filter(file="services", values__num_applications_by_fax="NA")
    row = row.exclude(values__num_applications_total="0").first()
    widget = row.widget
    count = widget.counts.get()
    WidgetCount.objects.filter(pk=count.pk).update(demand=count.demand + 1)
    (header, services), _ = _export(client, widget.agency)
    exported = next(
        r
        for r in services
        if r[header.index("service_id")] == widget.external_id
        and r[header.index("fiscal_yr")] == row.values["fiscal_yr"]
    )
    assert exported[header.index("num_applications_total")] == str(count.demand + 1)
    # What was not changed stays as published.
    for column in ("num_applications_by_fax", "service_name_fr", "os_application"):
        assert exported[header.index(column)] == row.values[column]


def test_duplicates_long_texts_and_unknown_codes_are_findings_not_refusals(
    client, agency_a, staff_a
):
    path = SAMPLE.parent / "services_findings.csv"
    preview = InventoryImport(user=staff_a, agency=agency_a).preview(
        (io.BytesIO(path.read_bytes()), path.name)
    )
    assert preview.error_count == 0
    d1, d2, d3 = preview.plans
    assert [p.status for p in preview.plans] == ["new", "new", "new"]
    # Two identifiers with one name: both imported, the second flagged.
    assert d2.name == "Passport renewal (D2)"
    assert any(
        w.grade == "warning" and "Possible duplicate: service D1 of this file" in w.message
        for w in d2.warnings
    )
    # Comma-joined lists are split; the first type with a kind decides; an unknown
    # code is a warning on its row that names it.
    assert (d1.widget.kind, d2.widget.kind, d3.widget.kind) == ("report", "grant", "permit")
    assert d1.segment_kinds == {SegmentKind.INDIVIDUAL, SegmentKind.FOREIGN}
    assert d1.program_name == "Passports"
    assert [str(w) for w in d2.warnings if "XYZ" in w.message] == [
        "Warning: services file, row 3, column service_type: Unknown code “XYZ”: not in the "
        "inventory's data dictionary; it gives a new widget no kind."
    ]
    # Nothing is cut silently: a name longer than a widget's is an error finding.
    assert len(d3.name) == 350 and d3.name.endswith("…")
    assert {(w.grade, w.column) for w in d3.warnings} == {
        ("error", "service_name_en"),
        ("suggestion", "service_name_en"),
        ("suggestion", "service_description_en"),
    }
    commit(preview, by=staff_a)
    assert len(Widget.objects.get(external_id="D3").description) == 1979  # kept whole
    client.force_login(staff_a)
    (header, services), _ = _export(client, agency_a)
    names = {r[header.index("service_id")]: r[header.index("service_name_en")] for r in services}
    assert names["D2"] == "Passport renewal"  # as published
    assert len(names["D3"]) == 400
