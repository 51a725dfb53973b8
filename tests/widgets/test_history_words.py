"""History entries in people's words (agencies/history.py): the widget page's
history and the admin's history pages name each changed field by its label and
show its values as pages do, not raw values and primary keys."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from widgets.models import WidgetKind, WidgetStatus

pytestmark = pytest.mark.django_db


def test_widget_history_says_what_changed_in_display_values_and_names(
    client, manager_a, staff_a, agency_a
):
    widget = f.WidgetFactory(
        agency=agency_a, status=WidgetStatus.DRAFT, fee=Decimal("12.50"), owner=None
    )
    widget.fee, widget.kind, widget.owner = Decimal("99600"), WidgetKind.LICENSE, staff_a
    widget.standard_days, widget.legal_authority = 1, ""
    widget.save()
    widget.customer_segments.add(
        f.CustomerSegmentFactory(agency=agency_a, name="Small farms"),
        f.CustomerSegmentFactory(agency=agency_a, name="Anglers"),
    )
    client.force_login(manager_a)
    html = client.get(widget.get_absolute_url()).content.decode()
    assert "Fee: <del>$12.50</del> → <ins>$99,600</ins>" in html
    assert "Kind: <del>Permit</del> → <ins>License</ins>" in html
    assert "Service standard: days: <del>30 days</del> → <ins>1 day</ins>" in html
    who = staff_a.get_full_name() or staff_a.username
    assert f"Owner: <del>blank</del> → <ins>{who}</ins>" in html
    assert "Customer segments: <del>blank</del> → <ins>Anglers, Small farms</ins>" in html
    assert "99600" not in html and "12.50</del> → <ins>99600" not in html


def test_admin_history_of_a_count_uses_labels_and_money(client, admin_user):
    count = f.WidgetCountFactory()
    count.cost, count.demand = Decimal("99600.00"), 2109757
    count.save()
    client.force_login(admin_user)
    url = reverse("admin:widgets_widgetcount_history", args=[count.pk])
    html = client.get(url).content.decode()
    assert "<strong>Cost:</strong>" in html and "$99,600" in html
    assert "2,109,757" in html
    assert "99600.00" not in html and "2109757" not in html


def test_admin_history_of_a_widget_names_the_owner_not_its_key(client, admin_user, staff_a):
    widget = f.WidgetFactory(owner=None)
    widget.owner = staff_a
    widget.save()
    client.force_login(admin_user)
    html = client.get(reverse("admin:widgets_widget_history", args=[widget.pk])).content.decode()
    who = staff_a.get_full_name() or staff_a.username
    assert re.search(rf"<strong>Owner:</strong>\s*blank\s*&nbsp;&rarr;&nbsp;&nbsp;{who}", html)


def test_naming_the_people_and_programs_in_a_history_does_not_grow_with_its_entries(
    client, manager_a, agency_a, staff_a
):
    def queries_with(edits):
        widget = f.WidgetFactory(agency=agency_a, status=WidgetStatus.DRAFT, owner=None)
        for i in range(edits):
            widget.owner = staff_a if i % 2 == 0 else manager_a
            widget.program = f.ProgramFactory(agency=agency_a)
            widget.fee = Decimal(i)
            widget.save()
        client.force_login(manager_a)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(widget.get_absolute_url()).status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(20)
