"""Import of a Government of Canada Service Inventory: preview, commit, re-import, access."""

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency
from customers.models import CustomerSegment, SegmentKind
from widgets.interop import gc_commit
from widgets.interop.gc_commit import commit
from widgets.interop.gc_inventory import InventoryImport
from widgets.models import Widget, WidgetCount, WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent.parent / "data" / "interop"
URL = "/widgets/inventory/import/"


def _file(name):
    return io.BytesIO((DATA / name).read_bytes()), name


def _upload(name):
    upload = io.BytesIO((DATA / name).read_bytes())
    upload.name = name
    return upload


def _preview(user=None, agency=None, services="services.csv", standards="standards.csv"):
    return InventoryImport(user=user, agency=agency).preview(
        _file(services), _file(standards) if standards else None
    )


def _snapshot():
    return {
        "widgets": Widget.objects.count(),
        "counts": WidgetCount.objects.count(),
        "widget_history": Widget.history.count(),
        "count_history": WidgetCount.history.count(),
        "segments": CustomerSegment.objects.count(),
        "agencies": Agency.objects.count(),
    }


def test_preview_maps_services_standards_segments_and_volumes(agency_a, staff_a):
    preview = _preview(staff_a)
    assert preview.error_count == 0
    s1, s2 = preview.plans
    assert (s1.service_id, s1.status, s1.name) == ("S1", "new", "Fishing licence")
    assert s1.widget.kind == "permit"
    assert s1.widget.description.startswith("A licence to fish in public waters.")
    assert "Issued the same day" in s1.widget.description  # quoted multi-line text
    assert s1.widget.standard_days == 10  # "within 10 business days", latest year
    assert s1.widget.standard_share == Decimal("80.00")
    assert s1.widget.fee == Decimal("0.00")  # N in the latest year
    assert s1.widget.channels == ["online"]  # in person NA, mail blank, phone 0
    assert s1.segment_kinds == {SegmentKind.INDIVIDUAL, SegmentKind.BUSINESS}
    assert {f.code for f in s1.findings} >= {"no-definition-of-done"}
    first, second = s1.counts
    assert first.label == "2023-2024"
    assert first.values["demand"] == 900
    assert first.values["channel_in_person"] is None  # NA
    assert first.values["channel_mail"] is None  # blank
    assert first.values["channel_phone"] == 0  # 0 stays 0
    assert first.values["channel_email"] is None  # ND
    assert first.values["channel_other"] == 15  # fax 5 + other 10
    assert (first.values["delivered"], first.values["within_standard"]) == (850, 700)
    assert (second.values["delivered"], second.values["within_standard"]) == (950, 850)
    # Every standard is kept as published; the first timeliness one of a year is counted.
    assert [(s.standard_id, s.counted) for s in s1.published_standards] == [
        ("S1-1", True),
        ("S1-2", False),
        ("S1-1", True),
    ]
    # A service with no standards rows is imported without a standard.
    assert (s2.service_id, s2.status, s2.counts, s2.standard) == ("S2", "new", [], {})
    assert s2.widget.fee is None  # NA
    assert s2.segment_kinds == {SegmentKind.INDIVIDUAL}
    assert [str(w) for w in s2.warnings] == [
        "Warning: services file, row 4, column client_target_groups: Unknown code “XYZ”: "
        "not in the inventory's data dictionary; no customer segment is linked for it."
    ]
    assert "no-standard" in {f.code for f in s2.findings}
    assert _snapshot()["widgets"] == 0  # a preview writes nothing


def test_errors_are_named_by_file_row_and_column(agency_a, staff_a):
    f.WidgetFactory(agency=agency_a, name="Benefit decision")
    preview = _preview(staff_a, services="services_errors.csv", standards="standards_errors.csv")
    errors = {str(e) for p in preview.plans for e in p.errors} | {str(i) for i in preview.issues}
    # What cannot be placed at all blocks the import ...
    assert errors == {
        "services file, row 3, column service_id: Service S1 appears twice for fiscal year "
        "2024-2025 (rows 2 and 3).",
        "services file, row 4, column fiscal_yr: Write the fiscal year as two years, "
        "e.g. 2023-2024.",
        "standards file, row 2, column service_id: There is no service S9 in the services file.",
    }
    # ... the department's own data errors are findings on rows imported as published.
    findings = {str(w) for p in preview.plans for w in p.warnings}
    assert {
        "Error: services file, row 2, column num_applications_online: Cannot be negative. "
        "Kept as published, not counted.",
        "Error: services file, row 5, column num_applications_total: Write the number without "
        "thousands separators, e.g. 1234. Kept as published, not counted.",
        "Error: services file, row 5, column service_fee: Write Y, N, NA or an amount. "
        "The fee stays as it is.",
        "Error: standards file, row 3, column target: Enter the target as a share between 0 "
        "and 1, e.g. 0.8. The standard's share stays unknown.",
        "Error: standards file, row 3, column volume_meeting_target: The volume meeting the "
        "target (9) is more than the total volume (8). Kept as published on the standard, "
        "not counted: correct it at the source.",
    } <= findings
    assert any("Possible duplicate: the widget “Benefit decision”" in w for w in findings)
    assert {p.service_id: p.status for p in preview.plans} == {
        "S1": "error",
        "S3": "error",
        "S4": "new",
        "S5": "new",
    }
    with pytest.raises(ValueError):
        commit(preview, by=staff_a)


def test_commit_saves_drafts_counts_and_segments(agency_a, staff_a):
    summary = commit(_preview(staff_a), by=staff_a)
    assert (summary.widgets_created, summary.counts_created) == (2, 2)
    licence = Widget.objects.get(agency=agency_a, external_id="S1")
    assert licence.status == WidgetStatus.DRAFT
    assert licence.reporting_frequency == "year"
    assert licence.program.name == "Licensing"
    assert {s.kind for s in licence.customer_segments.all()} == {"individual", "business"}
    count = licence.counts.get(period_start="2023-07-01")  # FY2024 with a July start
    assert (count.demand, count.channel_online, count.channel_other) == (900, 800, 15)
    assert count.source == "import"
    assert count.history.first().history_user == staff_a


def test_one_blocking_row_saves_nothing(client, agency_a, staff_a):
    client.force_login(staff_a)
    response = client.post(
        URL,
        {
            "services": _upload("services_errors.csv"),
            "standards": _upload("standards_errors.csv"),
            "agency": "da",
        },
    )
    assert response.status_code == 200
    assert "appears twice for fiscal year" in response.content.decode()
    assert not response.context["can_commit"]
    assert Widget.objects.count() == 0


def test_a_standard_met_more_often_than_delivered_is_imported_flagged_not_counted(
    client, agency_a, staff_a
):
    client.force_login(staff_a)
    response = client.post(
        URL,
        {
            "services": _upload("services_one_bad.csv"),
            "standards": _upload("standards_one_bad.csv"),
            "agency": "da",
        },
    )
    page = response.content.decode()
    assert "is more than the total volume (10)" in page
    assert response.context["can_commit"]
    response = client.post(URL, {"token": response.context["token"]})
    assert response.status_code == 302
    grant = Widget.objects.get(agency=agency_a, external_id="S6")
    count = grant.counts.get()
    assert (count.demand, count.delivered, count.within_standard) == (5, None, None)
    standard = grant.published_rows.get(file="standards")
    assert (standard.values["volume_meeting_target"], standard.values["total_volume"]) == (
        "12",
        "10",
    )
    assert not standard.counted
    finding = grant.inventory_findings.get()
    assert (finding.grade, finding.column, finding.row_number) == (
        "error",
        "volume_meeting_target",
        5,
    )
    # The widget's page shows it, graded in words and a symbol.
    page = client.get(f"/widgets/{grant.pk}/").content.decode()
    assert "Findings on the published service inventory" in page
    where = "standards file, row 5, column <code>volume_meeting_target</code>"
    assert f"✗ Error</strong>:\n    {where}" in page


def test_a_failure_during_commit_rolls_everything_back(agency_a, staff_a, monkeypatch):
    preview = _preview(staff_a)
    calls = []

    def failing(plans, **kwargs):
        # The last step: widgets, segments and counts are written by now.
        calls.append(WidgetCount.objects.count())
        raise RuntimeError("disk full")

    monkeypatch.setattr(gc_commit.gc_keep, "keep", failing)
    with pytest.raises(RuntimeError):
        commit(preview, by=staff_a)
    assert calls == [2]
    assert _snapshot()["widgets"] == _snapshot()["counts"] == 0
    assert CustomerSegment.objects.count() == 0


def test_reimport_of_the_same_files_changes_nothing(agency_a, staff_a):
    commit(_preview(staff_a), by=staff_a)
    before = _snapshot()
    preview = _preview(staff_a)
    assert [p.status for p in preview.plans] == ["unchanged", "unchanged"]
    summary = commit(preview, by=staff_a)
    assert (summary.widgets_created, summary.widgets_changed) == (0, 0)
    assert (summary.counts_created, summary.counts_changed) == (0, 0)
    assert _snapshot() == before


def test_reimport_with_a_change_sends_an_approved_widget_back_to_review(agency_a, staff_a):
    commit(_preview(staff_a), by=staff_a)
    Widget.objects.filter(external_id="S1").update(status=WidgetStatus.APPROVED)
    Widget.objects.filter(external_id="S1").update(description="Changed here")
    preview = _preview(staff_a)
    assert preview.plans[0].status == "changed"
    assert preview.plans[0].changed_fields == ["description"]
    commit(preview, by=staff_a)
    licence = Widget.objects.get(external_id="S1")
    assert licence.status == WidgetStatus.SUBMITTED
    assert licence.description.startswith("A licence to fish")


def test_blank_keeps_a_known_count_and_na_clears_it(agency_a, staff_a):
    commit(_preview(staff_a), by=staff_a)
    count = WidgetCount.objects.get(widget__external_id="S1", period_start="2024-07-01")
    WidgetCount.objects.filter(pk=count.pk).update(channel_mail=7, channel_in_person=3)
    preview = _preview(staff_a)
    plan = preview.plans[0]
    latest = plan.counts[1]
    assert latest.values["channel_mail"] == 7  # blank in the file: unknown, kept
    assert latest.values["channel_in_person"] is None  # NA: not applicable
    assert latest.status == "changed"


def test_staff_of_another_agency_cannot_import_into_it(client, agency_a, staff_b):
    client.force_login(staff_b)
    response = client.post(URL, {"services": _upload("services.csv"), "agency": "da"})
    assert response.status_code == 403
    # Naming the agency through owner_org is refused the same way.
    response = client.post(URL, {"services": _upload("services.csv"), "agency": ""})
    assert response.status_code == 403
    assert Widget.objects.count() == 0


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_staff_cannot_create_agencies_but_admins_can(agency_a, staff_a, admin_user):
    preview = _preview(staff_a, services="services_new_agency.csv", standards=None)
    assert [str(e) for e in preview.plans[0].errors] == [
        "services file, row 2, column owner_org: There is no agency “NEWORG”. Only an "
        "administrator can create agencies: ask one, or choose your agency."
    ]
    preview = _preview(admin_user, services="services_new_agency.csv", standards=None)
    assert preview.new_agencies == {"NEWORG": "New Organisation"}
    commit(preview, by=admin_user)
    agency = Agency.objects.get(abbreviation="NEWORG")
    assert agency.widgets.get().external_id == "NEW-1"
    assert agency.segments.get().kind == SegmentKind.BUSINESS


def test_import_page_previews_then_commits(client, agency_a, staff_a):
    client.force_login(staff_a)
    assert client.get(URL).status_code == 200
    response = client.post(
        URL,
        {"services": _upload("services.csv"), "standards": _upload("standards.csv"), "agency": ""},
    )
    page = response.content.decode()
    assert "+ New draft" in page
    assert "Coach (problem)" in page
    assert 'class="upload-progress"' in page
    assert Widget.objects.count() == 0
    # One signed ticket carries both files and the agency chosen.
    response = client.post(URL, {"token": response.context["token"]})
    assert response.status_code == 302
    assert Widget.objects.filter(agency=agency_a).count() == 2
    assert WidgetCount.objects.count() == 2


def test_management_command_dry_run_then_import(agency_a, capsys):
    services, standards = str(DATA / "services.csv"), str(DATA / "standards.csv")
    call_command("import_service_inventory", services, standards, "--agency", "DA", "--dry-run")
    assert Widget.objects.count() == 0
    assert "Dry run" in capsys.readouterr().out
    call_command("import_service_inventory", services, standards)
    assert Widget.objects.filter(agency=agency_a).count() == 2
    call_command("import_service_inventory", services, standards)
    assert "0 new, 0 with changes, 2 unchanged" in capsys.readouterr().out
    with pytest.raises(CommandError, match="blocking error"):
        call_command(
            "import_service_inventory",
            str(DATA / "services_errors.csv"),
            str(DATA / "standards_errors.csv"),
        )
