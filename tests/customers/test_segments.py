"""Customer segments: list, filters, export, form, archive, and who may change them."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import CustomerSegment, SegmentKind
from widgets.models import WidgetStatus

from .. import factories as f

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = {
        "name": "Small businesses",
        "kind": SegmentKind.BUSINESS,
        "description": "",
        "needs": "Fast permits",
        "estimated_size": "1200",
    }
    data.update(overrides)
    return data


# List, filters, sorting --------------------------------------------------------


def test_list_shows_segments_of_every_agency_to_members(client, staff_a, agency_a, agency_b):
    f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    f.CustomerSegmentFactory(agency=agency_b, name="Truckers")
    client.force_login(staff_a)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Farmers" in body and "Truckers" in body
    assert '<caption class="usa-sr-only">Customer segments' in body


def test_list_shows_nothing_to_a_user_without_membership(client, outsider, agency_a):
    f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    client.force_login(outsider)
    assert "Farmers" not in client.get(reverse("customers:list")).content.decode()


def test_list_filters_by_agency_kind_search_and_archived(client, staff_a, agency_a, agency_b):
    f.CustomerSegmentFactory(agency=agency_a, name="Farmers", kind=SegmentKind.BUSINESS)
    f.CustomerSegmentFactory(agency=agency_a, name="Parents", kind=SegmentKind.INDIVIDUAL)
    f.CustomerSegmentFactory(agency=agency_b, name="Truckers", kind=SegmentKind.BUSINESS)
    f.CustomerSegmentFactory(agency=agency_a, name="Old guild", archived=True)
    client.force_login(staff_a)
    url = reverse("customers:list")

    def names(**params):
        table = client.get(url, params).context["table"]
        return sorted(row.record.name for row in table.paginated_rows)

    assert names() == ["Farmers", "Parents", "Truckers"]
    assert names(agency=agency_a.pk) == ["Farmers", "Parents"]
    assert names(kind="business") == ["Farmers", "Truckers"]
    assert names(q="truck") == ["Truckers"]
    assert names(status="archived") == ["Old guild"]
    assert names(status="all", agency=agency_a.pk) == ["Farmers", "Old guild", "Parents"]


def test_list_sorts_by_widget_count(client, staff_a, agency_a):
    busy = f.CustomerSegmentFactory(agency=agency_a, name="Busy")
    f.CustomerSegmentFactory(agency=agency_a, name="Quiet")
    for _ in range(2):
        f.WidgetFactory(agency=agency_a).customer_segments.add(busy)
    client.force_login(staff_a)
    table = client.get(reverse("customers:list"), {"sort": "-widget_count"}).context["table"]
    assert [r.record.name for r in table.paginated_rows] == ["Busy", "Quiet"]
    assert table.paginated_rows[0].record.widget_count == 2


def test_list_is_paginated(client, staff_a, agency_a):
    f.CustomerSegmentFactory.create_batch(30, agency=agency_a)
    client.force_login(staff_a)
    response = client.get(reverse("customers:list"))
    assert len(list(response.context["table"].paginated_rows)) == 25
    assert 'aria-label="Page 2"' in response.content.decode()


def _list_queries(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("customers:list")).status_code == 200
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_rows(client, staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    f.WidgetFactory(agency=agency_a).customer_segments.add(segment)
    client.force_login(staff_a)
    one = _list_queries(client)
    for agency in f.AgencyFactory.create_batch(3):
        for s in f.CustomerSegmentFactory.create_batch(5, agency=agency):
            f.WidgetFactory(agency=agency).customer_segments.add(s)
    assert _list_queries(client) == one


# Export -------------------------------------------------------------------------


def test_export_csv_has_filtered_rows_with_formulas_neutralised(client, staff_a, agency_a):
    f.CustomerSegmentFactory(agency=agency_a, name='=HYPERLINK("http://x")', needs="+1 cmd")
    f.CustomerSegmentFactory(agency=agency_a, name="Parents", kind=SegmentKind.INDIVIDUAL)
    client.force_login(staff_a)
    response = client.get(reverse("customers:list"), {"kind": "business", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="customer-segments.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "agency", "name"]
    assert len(rows) == 2
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
    assert rows[1][5] == "'+1 cmd"
    assert rows[1][1] == "DA"


def test_export_xlsx_has_every_filtered_row_not_one_page(client, staff_a, agency_a):
    f.CustomerSegmentFactory.create_batch(30, agency=agency_a)
    f.CustomerSegmentFactory(agency=agency_a, name="@SUM(A1)")
    client.force_login(staff_a)
    response = client.get(reverse("customers:list"), {"export": "xlsx", "page": "2"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "id"
    assert len(values) == 32
    assert "'@SUM(A1)" in [row[2] for row in values]


# Create, edit, archive -----------------------------------------------------------


def test_staff_creates_a_segment_with_the_widgets_it_receives(client, staff_a, agency_a):
    permit = f.WidgetFactory(agency=agency_a, name="Permit")
    f.WidgetFactory(agency=agency_a, name="License")
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:create"), _form_data(agency=agency_a.pk, widgets=[permit.pk])
    )
    segment = CustomerSegment.objects.get(name="Small businesses")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[segment.pk])
    assert list(segment.widgets.all()) == [permit]
    assert segment.estimated_size == 1200
    # The link is recorded in the widget's history (changed from the widget's side).
    assert permit.history.count() >= 2


def test_segment_form_refuses_negative_size_with_a_message(client, staff_a, agency_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:create"), _form_data(agency=agency_a.pk, estimated_size="-5")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["estimated_size"] == [
        "Estimated size cannot be negative."
    ]
    assert "Please fix 1 problem below" in response.content.decode()
    assert not CustomerSegment.objects.exists()


def test_segment_form_refuses_a_duplicate_name_in_the_agency(client, staff_a, agency_a):
    f.CustomerSegmentFactory(agency=agency_a, name="Small businesses")
    client.force_login(staff_a)
    response = client.post(reverse("customers:create"), _form_data(agency=agency_a.pk))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert CustomerSegment.objects.count() == 1


def test_segment_form_offers_only_the_users_agencies(client, staff_a, agency_a, agency_b):
    f.WidgetFactory(agency=agency_b, name="Their permit")
    client.force_login(staff_a)
    form = client.get(reverse("customers:create")).context["form"]
    assert list(form.fields["agency"].queryset) == [agency_a]
    other = f.WidgetFactory(agency=agency_b)
    response = client.post(
        reverse("customers:create"), _form_data(agency=agency_b.pk, widgets=[other.pk])
    )
    assert set(response.context["form"].errors) == {"agency", "widgets"}


def test_staff_edits_a_segment_and_its_widgets(client, staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    old, new = f.WidgetFactory(agency=agency_a), f.WidgetFactory(agency=agency_a)
    old.customer_segments.add(segment)
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:edit", args=[segment.pk]),
        _form_data(name="Growers", widgets=[new.pk], agency=agency_a.pk),
    )
    assert response.status_code == 302
    segment.refresh_from_db()
    assert segment.name == "Growers"
    assert list(segment.widgets.all()) == [new]


def test_editing_cannot_move_a_segment_to_another_agency(client, admin_user, agency_a, agency_b):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    client.force_login(admin_user)
    client.post(reverse("customers:edit", args=[segment.pk]), _form_data(agency=agency_b.pk))
    segment.refresh_from_db()
    assert segment.agency == agency_a


def test_archive_is_post_only_and_restores(client, staff_a, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    client.force_login(staff_a)
    url = reverse("customers:archive", args=[segment.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    segment.refresh_from_db()
    assert segment.archived
    client.post(url, {"restore": "1"})
    segment.refresh_from_db()
    assert not segment.archived


# Scoping -------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["customers:edit", "customers:archive"])
def test_staff_of_agency_b_cannot_change_agency_a_segments(client, staff_b, agency_a, view):
    segment = f.CustomerSegmentFactory(agency=agency_a, name="Farmers")
    client.force_login(staff_b)
    response = client.post(reverse(view, args=[segment.pk]), _form_data(name="Hijacked"))
    assert response.status_code == 403
    segment.refresh_from_db()
    assert segment.name == "Farmers" and not segment.archived


def test_staff_of_agency_b_may_read_but_not_edit(client, staff_b, agency_a):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    client.force_login(staff_b)
    response = client.get(reverse("customers:detail", args=[segment.pk]))
    assert response.status_code == 200
    assert reverse("customers:edit", args=[segment.pk]) not in response.content.decode()
    assert client.get(reverse("customers:edit", args=[segment.pk])).status_code == 403


@pytest.mark.parametrize("view", ["customers:detail", "customers:edit"])
def test_segments_are_out_of_scope_for_users_without_membership(client, outsider, agency_a, view):
    segment = f.CustomerSegmentFactory(agency=agency_a)
    client.force_login(outsider)
    assert client.get(reverse(view, args=[segment.pk])).status_code == 404


def test_user_without_membership_cannot_create(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("customers:create")).status_code == 403


def test_segment_form_does_not_offer_other_agencies_drafts(client, staff_a, agency_a, agency_b):
    f.WidgetFactory(agency=agency_b, name="B draft", status=WidgetStatus.DRAFT)
    mine = f.WidgetFactory(agency=agency_a, name="A draft", status=WidgetStatus.DRAFT)
    client.force_login(staff_a)
    form = client.get(reverse("customers:create")).context["form"]
    assert list(form.fields["widgets"].queryset) == [mine]


def test_a_database_refusal_is_a_message_not_a_500(client, staff_a, agency_a, monkeypatch):
    from django.db import IntegrityError

    def refuse(*args, **kwargs):
        raise IntegrityError("customers_customersegment_unique_name_per_agency")

    monkeypatch.setattr(CustomerSegment, "save", refuse)
    client.force_login(staff_a)
    response = client.post(reverse("customers:create"), _form_data(agency=agency_a.pk))
    assert response.status_code == 200
    assert "could not be saved" in response.content.decode()


def test_list_counts_only_widgets_the_reader_may_see(client, staff_b, agency_a):
    from customers.selectors import segments_for

    segment = f.CustomerSegmentFactory(agency=agency_a)
    f.WidgetFactory(agency=agency_a, status=WidgetStatus.APPROVED).customer_segments.add(segment)
    f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT).customer_segments.add(segment)
    assert segments_for(staff_b).get(pk=segment.pk).widget_count == 1
