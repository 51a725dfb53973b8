"""The service inventory commit is set-based: a fixed number of queries whatever the
number of services, with the history a save one by one would have kept."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outcomes.models import Board
from widgets.interop import gc_layout as gc
from widgets.interop.gc_commit import REASON, commit
from widgets.interop.gc_inventory import InventoryImport
from widgets.models import Widget

from .. import factories as f

pytestmark = pytest.mark.django_db


def _csv(columns, rows):
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode()), "file.csv"


def inventory(
    n,
    fees=None,
    *,
    org="DA",
    title="Department of A",
    description="Issued on paper.",
    groups="PERSON",
):
    """(services, standards) files of `n` services of one organisation, one program."""
    services = [
        {
            "fiscal_yr": "2023-2024",
            "service_id": f"B{i}",
            "service_name_en": f"Fishing licence {i}",
            "service_description_en": description,
            "service_type": "APIR",
            "client_target_groups": groups,
            "service_fee": fees[i] if fees else "N",
            "program_name_en": "Licensing",
            "num_applications_online": "40",
            "num_applications_total": "50",
            "owner_org": org,
            "owner_org_title": title,
        }
        for i in range(n)
    ]
    standards = [
        {
            "fiscal_yr": "2023-2024",
            "service_id": f"B{i}",
            "service_standard_id": f"B{i}-1",
            "service_standard_en": "Issued within 10 days",
            "type": "TML",
            "target": "0.8",
            "volume_meeting_target": "30",
            "total_volume": "45",
            "owner_org": org,
            "owner_org_title": title,
        }
        for i in range(n)
    ]
    return _csv(gc.SERVICE_COLUMNS, services), _csv(gc.STANDARD_COLUMNS, standards)


def _queries_to_commit(agency, n, **kwargs):
    preview = InventoryImport(agency=agency).preview(*inventory(n, **kwargs))
    assert preview.error_count == 0
    with CaptureQueriesContext(connection) as queries:
        commit(preview)
    return len(queries)


def test_a_commit_takes_as_many_queries_for_30_services_as_for_3():
    few, many = f.AgencyFactory(), f.AgencyFactory()
    assert _queries_to_commit(many, 30) == _queries_to_commit(few, 3)
    assert Widget.objects.filter(agency=many).count() == 30
    # Changed: every description and the customers of every service.
    changed = {"description": "Issued online.", "groups": "PERSON,ECONOM"}
    assert _queries_to_commit(many, 30, **changed) == _queries_to_commit(few, 3, **changed)
    assert set(Widget.objects.values_list("description", flat=True)) == {"Issued online."}


def test_each_widget_keeps_a_history_record_with_its_user_reason_and_segments(agency_a, staff_a):
    preview = InventoryImport(user=staff_a, agency=agency_a).preview(*inventory(2))
    commit(preview, by=staff_a)
    widget = Widget.objects.get(external_id="B0")
    (created,) = widget.history.all()
    assert (created.history_type, created.history_user, created.history_change_reason) == (
        "+",
        staff_a,
        REASON,
    )
    assert [s.customersegment.kind for s in created.customer_segments.all()] == ["individual"]
    assert created.quality_score == widget.quality_score  # the coach's verdict kept with it

    preview = InventoryImport(user=staff_a, agency=agency_a).preview(
        *inventory(2, description="Issued online.", groups="PERSON,ECONOM")
    )
    commit(preview, by=staff_a)
    widget.refresh_from_db()
    changed, _ = widget.history.all()
    assert (changed.history_type, changed.history_user, changed.version) == ("~", staff_a, 2)
    assert changed.description == widget.description == "Issued online."
    assert sorted(s.customersegment.kind for s in changed.customer_segments.all()) == [
        "business",
        "individual",
    ]
    assert {s.kind for s in widget.customer_segments.all()} == {"business", "individual"}
    # The widget's page shows the change in its history.
    assert widget.last_edited_by == staff_a


def test_agencies_and_programs_made_by_the_import_have_their_boards():
    commit(InventoryImport().preview(*inventory(3, org="NEW", title="New Department")))
    widget = Widget.objects.get(external_id="B0")
    assert Board.objects.get(tier="agency", agency=widget.agency)
    assert Board.objects.get(tier="program", program=widget.program)
    assert widget.agency.history.get().history_type == "+"


def test_two_organisations_with_one_name_are_a_row_error_not_a_crash():
    first = inventory(1, org="ONE", title="Same Name | Même nom")[0][0].getvalue().decode()
    second = inventory(1, org="TWO", title="Same Name | Même nom")[0][0].getvalue().decode()
    second = second.replace("B0", "C0")
    services = io.BytesIO((first + second.split("\n", 1)[1]).encode()), "services.csv"
    preview = InventoryImport().preview(services)
    assert preview.new_agencies == {"ONE": "Same Name"}
    (error,) = [str(e) for p in preview.plans for e in p.errors]
    assert "column owner_org_title: Organisation ONE of this file has the same name" in error
    with pytest.raises(ValueError):
        commit(preview)


def test_a_fee_amount_is_a_fee_not_an_unknown_code():
    files = inventory(3, fees=["25.00", "1250", "some"])
    preview = InventoryImport(agency=f.AgencyFactory()).preview(files[0])
    fees = {p.service_id: (p.fee, [str(w) for w in p.warnings]) for p in preview.plans}
    assert fees["B0"] == (Decimal("25.00"), [])
    assert fees["B1"] == (Decimal("1250"), [])
    # Not an amount: one finding, which says so (not also an unknown code).
    assert fees["B2"][1] == [
        "Error: services file, row 4, column service_fee: Write Y, N, NA or an amount. "
        "The fee stays as it is."
    ]
